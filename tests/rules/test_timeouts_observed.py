from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import make_function, make_inventory, make_metrics, only_finding, run

RULE_ID = "timeouts-observed"


def inventory_with(max_ms, timeout_s=10):
    metrics = make_metrics(duration_max_ms=max_ms)
    return make_inventory(make_function(timeout_s=timeout_s, metrics=metrics))


@fails(RULE_ID)
def test_max_duration_at_timeout_fails_high():
    results = run(RULE_ID, inventory_with(10_000.0))
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["duration_max_ms"] == 10_000.0
    assert finding.evidence["timeout_ms"] == 10_000
    assert "--timeout 15" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_max_duration_at_ninety_percent_fails_medium():
    results = run(RULE_ID, inventory_with(9_000.0))
    assert only_finding(results).severity is Severity.MEDIUM
    return results


@passes(RULE_ID)
def test_max_duration_below_ninety_percent_passes():
    return run(RULE_ID, inventory_with(8_999.0))


@passes(RULE_ID)
def test_idle_function_passes():
    fn = make_function(metrics=make_metrics(duration_max_ms=None, invocations_total=0.0))
    return run(RULE_ID, make_inventory(fn))


def test_suggested_timeout_never_exceeds_fifteen_minutes():
    finding = only_finding(run(RULE_ID, inventory_with(900_000.0, timeout_s=900)))
    assert finding.evidence["suggested_timeout_s"] == 900

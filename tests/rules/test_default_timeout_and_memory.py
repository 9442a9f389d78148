from tests.rules.cases import fails, passes
from tests.rules.factories import make_function, make_inventory, make_metrics, only_finding, run

RULE_ID = "default-timeout-and-memory"


@fails(RULE_ID)
def test_both_defaults_fail_with_a_measured_timeout():
    fn = make_function(timeout_s=3, memory_mb=128, metrics=make_metrics(duration_max_ms=1200.0))
    results = run(RULE_ID, make_inventory(fn))
    finding = only_finding(results)
    assert finding.evidence["suggested_timeout_s"] == 4
    assert "--timeout 4 --memory-size 256" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_both_defaults_without_metrics_suggest_ten_seconds():
    results = run(RULE_ID, make_inventory(make_function(timeout_s=3, memory_mb=128, metrics=None)))
    assert only_finding(results).evidence["suggested_timeout_s"] == 10
    return results


@passes(RULE_ID)
def test_only_one_default_passes():
    return run(RULE_ID, make_inventory(make_function(timeout_s=3, memory_mb=256)))

from advisor.collect.inventory import DATA_METRICS
from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "function-throttled"


def throttled(throttles, invocations=9_900.0, **fn):
    metrics = make_metrics(throttles_total=throttles, invocations_total=invocations)
    return make_inventory(make_function(metrics=metrics, **fn))


@fails(RULE_ID)
def test_throttles_at_one_percent_fail_high_with_the_rate():
    results = run(RULE_ID, throttled(100.0, reserved_concurrency=20))
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["throttle_rate"] == 0.01
    assert "1.00% of 10000 requests" in finding.message
    assert "--reserved-concurrent-executions 40" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_few_throttles_fail_medium():
    results = run(RULE_ID, throttled(5.0))
    assert only_finding(results).severity is Severity.MEDIUM
    return results


@fails(RULE_ID)
def test_reserved_zero_fails_low_and_suggests_removing_it():
    results = run(RULE_ID, throttled(50.0, invocations=0.0, reserved_concurrency=0))
    finding = only_finding(results)
    assert finding.severity is Severity.LOW
    assert "delete-function-concurrency" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_no_throttles_pass():
    return run(RULE_ID, throttled(0.0))


def test_function_without_metrics_is_not_evaluated():
    fn = make_function(metrics=None)
    results = run(RULE_ID, make_inventory(fn))
    assert [r.resource_arn for r in not_evaluated(results)] == [fn.arn]


def test_metrics_gap_for_one_function_is_not_evaluated():
    fn = make_function()
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_METRICS, fn.arn))
    assert "AccessDeniedException" in not_evaluated(run(RULE_ID, inventory))[0].reason

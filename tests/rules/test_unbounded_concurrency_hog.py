from advisor.collect.inventory import DATA_FUNCTION_DETAILS
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

RULE_ID = "unbounded-concurrency-hog"


def inventory_with(peak, **fn):
    return make_inventory(make_function(metrics=make_metrics(concurrency_peak=peak), **fn))


@fails(RULE_ID)
def test_unreserved_function_peaking_at_half_the_limit_fails():
    results = run(RULE_ID, inventory_with(500.0))
    finding = only_finding(results)
    assert finding.evidence["concurrency_peak"] == 500.0
    assert finding.evidence["concurrency_limit"] == 1000
    assert finding.evidence["share_of_limit"] == 0.5
    assert "--reserved-concurrent-executions 500" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_peak_just_below_the_share_passes():
    return run(RULE_ID, inventory_with(499.0))


@passes(RULE_ID)
def test_reserved_function_passes():
    return run(RULE_ID, inventory_with(900.0, reserved_concurrency=900))


def test_reservation_unknown_is_not_evaluated():
    inventory = inventory_with(900.0)
    inventory.coverage_gaps.append(gap(DATA_FUNCTION_DETAILS, inventory.functions[0].arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

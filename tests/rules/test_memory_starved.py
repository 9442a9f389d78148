from tests.rules.cases import fails, passes
from tests.rules.factories import (
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "memory-starved"


def inventory_with(memory_mb, avg_ms):
    metrics = make_metrics(duration_avg_ms=avg_ms)
    return make_inventory(make_function(memory_mb=memory_mb, metrics=metrics))


@fails(RULE_ID)
def test_minimum_memory_with_one_second_average_fails():
    results = run(RULE_ID, inventory_with(128, 1000.0))
    finding = only_finding(results)
    assert finding.evidence["memory_mb"] == 128
    assert finding.evidence["duration_avg_ms"] == 1000.0
    assert "--memory-size 1024" in finding.remediation.cli
    assert "aws-lambda-power-tuning" in finding.message
    return results


@passes(RULE_ID)
def test_short_durations_at_minimum_memory_pass():
    return run(RULE_ID, inventory_with(128, 999.0))


@passes(RULE_ID)
def test_long_durations_with_more_memory_pass():
    return run(RULE_ID, inventory_with(512, 5000.0))


def test_low_memory_without_metrics_is_not_evaluated():
    fn = make_function(memory_mb=128, metrics=None)
    assert len(not_evaluated(run(RULE_ID, make_inventory(fn)))) == 1

from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    run,
    stream_mapping,
)

RULE_ID = "stream-iterator-age-high"


def inventory_with(age_ms, **mapping):
    fn = make_function(metrics=make_metrics(iterator_age_max_ms=age_ms))
    return make_inventory(fn, event_source_mappings=[stream_mapping(fn, **mapping)])


@fails(RULE_ID)
def test_iterator_age_above_ten_minutes_fails():
    results = run(RULE_ID, inventory_with(600_001.0, parallelization_factor=2))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["iterator_age_max_ms"] == 600_001.0
    assert finding.evidence["max_iterator_age_s"] == 600
    assert "--parallelization-factor 4" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_iterator_age_of_six_hours_fails_high():
    results = run(RULE_ID, inventory_with(21_600_000.0))
    assert only_finding(results).severity is Severity.HIGH
    return results


@passes(RULE_ID)
def test_iterator_age_of_exactly_ten_minutes_passes():
    return run(RULE_ID, inventory_with(600_000.0))


@passes(RULE_ID)
def test_function_without_stream_passes():
    fn = make_function(metrics=make_metrics(iterator_age_max_ms=9e9))
    return run(RULE_ID, make_inventory(fn))


def test_stream_consumer_without_iterator_age_is_not_evaluated():
    assert len(not_evaluated(run(RULE_ID, inventory_with(None)))) == 1

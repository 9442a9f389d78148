from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    WINDOW_HOURS,
    hourly,
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "high-error-rate"


def errors_on_last_day(errors_per_hour, days_back=0):
    """100 invocations an hour; ``errors_per_hour`` in the 24 hours ``days_back`` days ago."""
    series = hourly(0.0)
    end = WINDOW_HOURS - days_back * 24
    for i in range(end - 24, end):
        series.values[i] = errors_per_hour
    metrics = make_metrics(errors=series, errors_total=series.total())
    return make_inventory(make_function(metrics=metrics))


@fails(RULE_ID)
def test_eleven_percent_on_one_day_fails():
    results = run(RULE_ID, errors_on_last_day(11.0))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["worst_day"] == {
        "date": "2026-11-24",
        "invocations": 2400.0,
        "errors": 264.0,
        "error_rate": 0.11,
    }
    assert "11.0%" in finding.message
    assert "AWS::CloudWatch::Alarm" in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_exactly_ten_percent_passes():
    return run(RULE_ID, errors_on_last_day(10.0))


@passes(RULE_ID)
def test_bad_day_older_than_seven_days_passes():
    return run(RULE_ID, errors_on_last_day(50.0, days_back=7))


@fails(RULE_ID)
def test_half_of_invocations_failing_is_high():
    results = run(RULE_ID, errors_on_last_day(50.0, days_back=6))
    assert only_finding(results).severity is Severity.HIGH
    return results


@passes(RULE_ID)
def test_days_with_too_few_invocations_are_skipped():
    metrics = make_metrics(
        invocations=hourly(0.1), errors=hourly(0.1), errors_total=0.1 * WINDOW_HOURS
    )
    return run(RULE_ID, make_inventory(make_function(metrics=metrics)))


def test_errors_without_hourly_series_are_not_evaluated():
    metrics = make_metrics(errors=None, errors_total=50.0)
    results = run(RULE_ID, make_inventory(make_function(metrics=metrics)))
    assert len(not_evaluated(results)) == 1

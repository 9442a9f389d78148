from advisor.collect.inventory import DATA_ASYNC_CONFIG, DATA_METRICS, AsyncInvokeConfig, Series
from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    HOUR,
    WINDOW_HOURS,
    WINDOW_START,
    gap,
    hourly,
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    push_source,
    queue_arn,
    run,
)

RULE_ID = "async-events-dropped"
DLQ = queue_arn("orders-dlq")


def spikes(points: dict[int, float]) -> Series:
    """Zero every hour but the given ones (hour index -> value)."""
    values: list[float | None] = [0.0] * WINDOW_HOURS
    for hour, value in points.items():
        values[hour] = value
    return Series(start=WINDOW_START, period=HOUR, values=values)


def async_inventory(**fields):
    series = {
        key: fields.pop(key)
        for key in (
            "async_events_dropped",
            "dead_letter_errors",
            "destination_delivery_failures",
            "async_event_age_max",
        )
        if key in fields
    }
    fn = make_function(metrics=make_metrics(**series), **fields)
    return make_inventory(fn, push_sources=[push_source(fn)])


@fails(RULE_ID)
def test_dropped_events_without_a_failure_path_are_lost_and_fail_with_counts_per_day():
    results = run(
        RULE_ID,
        async_inventory(
            async_events_dropped=spikes({0: 3, 5: 2, 30: 4}),
            async_event_age_max=spikes({5: 95_000}),
        ),
    )
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["async_events_dropped"] == 9
    # the window starts at midnight UTC on 2026-11-11: hours 0 and 5 that day, 30 the next
    assert finding.evidence["per_day"]["AsyncEventsDropped"] == {
        "2026-11-11": 5.0,
        "2026-11-12": 4.0,
    }
    assert finding.evidence["async_event_age_max_ms"] == 95_000
    assert "dropped 9 asynchronous events in the last 14 days" in finding.message
    assert "waited was 95.0 s" in finding.message
    assert "put-function-event-invoke-config" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_dead_letter_errors_lose_events_although_a_dlq_is_configured():
    results = run(
        RULE_ID,
        async_inventory(
            dead_letter_target=DLQ,
            async_events_dropped=spikes({10: 2}),
            dead_letter_errors=spikes({10: 2}),
        ),
    )
    finding = only_finding(results)
    assert "2 events could not be sent to its dead-letter queue" in finding.message
    assert finding.evidence["per_day"]["DeadLetterErrors"] == {"2026-11-11": 2.0}
    assert f"--action-names sqs:SendMessage --resource-arns {DLQ}" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_destination_delivery_failures_fail_with_the_destinations_permission():
    topic = "arn:aws:sns:us-east-1:111122223333:failures"
    results = run(
        RULE_ID,
        async_inventory(
            async_config=AsyncInvokeConfig(on_failure=topic),
            destination_delivery_failures=spikes({40: 1}),
        ),
    )
    finding = only_finding(results)
    assert "1 records could not be sent to their destination" in finding.message
    assert f"--action-names sns:Publish --resource-arns {topic}" in finding.remediation.cli
    assert finding.evidence["on_failure_destination"] == topic
    return results


@passes(RULE_ID)
def test_dropped_events_that_went_to_the_dlq_pass():
    return run(
        RULE_ID, async_inventory(dead_letter_target=DLQ, async_events_dropped=spikes({3: 7}))
    )


@passes(RULE_ID)
def test_dropped_events_caught_by_an_on_failure_destination_pass():
    config = AsyncInvokeConfig(on_failure=queue_arn("orders-failures"))
    return run(RULE_ID, async_inventory(async_config=config, async_events_dropped=spikes({3: 7})))


@passes(RULE_ID)
def test_an_async_function_that_dropped_nothing_passes():
    return run(RULE_ID, async_inventory(async_events_dropped=hourly(0.0)))


def test_unknown_on_failure_destination_is_not_evaluated():
    inventory = async_inventory(async_events_dropped=spikes({3: 7}))
    inventory.coverage_gaps.append(gap(DATA_ASYNC_CONFIG, inventory.functions[0].arn))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.reason.startswith("7 events were dropped, but whether an on-failure")


def test_missing_metrics_are_not_evaluated_only_where_async_metrics_matter():
    inventory = async_inventory()
    plain = make_function("api")
    inventory.functions.append(plain)
    for fn in inventory.functions:
        inventory.coverage_gaps.append(gap(DATA_METRICS, fn.arn))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.resource_arn == inventory.functions[0].arn

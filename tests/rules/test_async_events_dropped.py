from dataclasses import replace

from advisor.collect.inventory import (
    DATA_ASYNC_CONFIG,
    DATA_METRICS,
    AsyncInvokeConfig,
    FunctionVersion,
    PushSource,
    Qualifier,
    QualifierAsyncMetrics,
    Series,
)
from advisor.rules.base import Severity
from advisor.rules.catalogue.async_events_dropped import residual
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


# --- per alias or version --------------------------------------------------------------------


def behind_live(
    live: QualifierAsyncMetrics | None,
    *,
    version_dlq: str | None = None,
    latest_on_s3: bool = False,
    **fields,
):
    """orders: SNS invokes orders:live (version 2; its own event invoke config read, none);
    with ``latest_on_s3``, S3 invokes the unqualified function too. ``fields`` go to the
    function's own (aggregate) series, or to the function (dead_letter_target, ...)."""
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
    qualifier = Qualifier(
        name="live",
        kind="alias",
        exists=True,
        version="2",
        policy_read=True,
        async_config_read=fields.pop("async_config_read", True),
        async_config=fields.pop("live_config", None),
        has_traffic=True,
        named_by=["metrics"],
    )
    metrics = make_metrics(**series)
    if live is not None:
        metrics.async_by_qualifier["live"] = live
    fn = make_function(
        metrics=metrics,
        qualifiers=[qualifier],
        versions=[FunctionVersion(version="2", dead_letter_target=version_dlq)],
        **fields,
    )
    sources = [
        PushSource(
            function_arn=f"{fn.arn}:live",
            principal="sns.amazonaws.com",
            source_arn="arn:aws:sns:us-east-1:111122223333:orders",
            invocation="async",
        )
    ]
    if latest_on_s3:
        sources.append(push_source(fn))
    return make_inventory(fn, push_sources=sources)


@fails(RULE_ID)
def test_an_alias_that_dropped_events_without_a_failure_path_fails_although_latest_has_a_dlq():
    # CloudWatch's FunctionName series is the aggregate: the alias's 5 drops are in it
    drops = spikes({1: 3, 30: 2})
    results = run(
        RULE_ID,
        behind_live(
            QualifierAsyncMetrics(async_events_dropped=drops, async_event_age_max=spikes({1: 9e4})),
            latest_on_s3=True,
            dead_letter_target=DLQ,
            async_events_dropped=drops,
        ),
    )
    finding = only_finding(results)
    assert finding.message.startswith(
        "orders:live (version 2) dropped 5 asynchronous events in the last 14 days"
    )
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "2")
    [loss] = finding.evidence["losses"]
    assert loss["per_day"]["AsyncEventsDropped"] == {"2026-11-11": 3.0, "2026-11-12": 2.0}
    assert loss["async_event_age_max_ms"] == 9e4
    assert "--qualifier live" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_an_alias_whose_own_destination_caught_the_drops_passes():
    drops = spikes({4: 6})
    return run(
        RULE_ID,
        behind_live(
            QualifierAsyncMetrics(async_events_dropped=drops),
            live_config=AsyncInvokeConfig(on_failure=queue_arn("orders-failures")),
            async_events_dropped=drops,
        ),
    )


@passes(RULE_ID)
def test_an_alias_whose_version_has_a_dlq_passes_though_latest_has_none():
    drops = spikes({4: 6})
    return run(
        RULE_ID,
        behind_live(
            QualifierAsyncMetrics(async_events_dropped=drops),
            version_dlq=DLQ,
            latest_on_s3=True,
            async_events_dropped=drops,
        ),
    )


@fails(RULE_ID)
def test_latest_and_the_alias_both_losing_events_are_one_finding_naming_each():
    results = run(
        RULE_ID,
        behind_live(
            QualifierAsyncMetrics(
                async_events_dropped=spikes({4: 1}),
                dead_letter_errors=spikes({4: 1}),
            ),
            version_dlq=DLQ,
            latest_on_s3=True,
            # 7 dropped in all: 1 by the alias (sent to its DLQ, which failed), 6 by $LATEST
            async_events_dropped=spikes({4: 3, 50: 4}),
            dead_letter_errors=spikes({4: 1}),
        ),
    )
    finding = only_finding(results)
    losses = finding.evidence["losses"]
    assert [(x["qualifier"], x["lost_because"]) for x in losses] == [
        (None, "no failure path"),
        ("live", "delivery"),
    ]
    assert losses[0]["async_events_dropped"] == 6
    assert losses[0]["dead_letter_errors"] == 0  # the aggregate's one error was the alias's
    assert finding.evidence["async_events_dropped"] == 7
    assert "orders:live (version 2): 1 events could not be sent" in finding.message
    return results


def test_an_alias_whose_series_were_not_read_is_not_evaluated_nor_blamed_on_latest():
    inventory = behind_live(None, latest_on_s3=True, async_events_dropped=spikes({3: 2}))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert "orders:live were not read" in result.reason
    assert "include those of orders:live" in result.reason


def test_drops_on_an_alias_whose_event_invoke_config_was_not_read_are_not_evaluated():
    drops = spikes({3: 2})
    inventory = behind_live(
        QualifierAsyncMetrics(async_events_dropped=drops),
        async_config_read=False,
        async_events_dropped=drops,
    )
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.reason.startswith("2 events were dropped by orders:live, but whether")


@passes(RULE_ID)
def test_an_alias_that_does_not_exist_drops_nothing():
    inventory = behind_live(None)
    fn = inventory.functions[0]
    fn.qualifiers[0] = replace(fn.qualifiers[0], exists=False)
    return run(RULE_ID, inventory)


def test_the_residual_is_never_below_zero_and_keeps_hours_without_data():
    total = Series(start=0, period=HOUR, values=[None, 5.0, 1.0])
    part = Series(start=0, period=HOUR, values=[2.0, 3.0, 4.0])
    assert residual(total, [part]).values == [None, 2.0, 0.0]
    assert residual(total, [None]) is total
    assert residual(None, [part]) is None

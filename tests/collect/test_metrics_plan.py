"""How metric queries are chosen and packed into GetMetricData calls."""

from __future__ import annotations

from datetime import UTC, datetime

from advisor.collect import metrics
from advisor.collect.inventory import (
    AsyncInvokeConfig,
    EventSourceMapping,
    Function,
    PolicyStatement,
    Series,
)
from advisor.collect.options import CollectOptions

END = datetime(2026, 11, 1, 12, 34, tzinfo=UTC)


def function(name: str, **kwargs) -> Function:
    return Function(
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        name=name,
        region="us-east-1",
        runtime="python3.12",
        handler="app.handler",
        memory_mb=128,
        timeout_s=3,
        **kwargs,
    )


def test_window_is_14_days_of_whole_hours():
    window = metrics.metrics_window(CollectOptions(metrics_end=END))
    assert window.end == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert window.points == 336
    assert metrics.queries_per_call(336) == 300


def test_minute_resolution_is_split_in_time_to_respect_the_datapoint_limit():
    window = metrics.metrics_window(CollectOptions(metrics_end=END, metrics_period_s=60))
    assert window.points == 20_160
    assert metrics.queries_per_call(window.points) == 5  # 5 x 20,160 = 100,800
    long = metrics.Window(window.start, window.start.replace(year=2027), 60)
    parts = metrics.split_window(long)
    assert all(p.points <= 100_800 for p in parts)
    assert sum(p.points for p in parts) == long.points


def test_series_only_where_the_function_can_have_them():
    plain = function("plain")
    stream = function("stream")
    dlq = function("dlq", dead_letter_target="arn:aws:sqs:us-east-1:123456789012:dlq")
    destined = function("destined", async_config=AsyncInvokeConfig(on_failure="arn:x"))
    mappings = [
        EventSourceMapping(
            uuid="u",
            function_arn=stream.arn + ":live",
            source_arn="arn:aws:kinesis:us-east-1:123456789012:stream/s",
            kind="kinesis",
            state="Enabled",
        )
    ]
    provisioned = {"plain": [(("FunctionName", "plain"), ("Resource", "plain:live"))]}

    queries = metrics.plan_queries(
        [plain, stream, dlq, destined], mappings, provisioned, CollectOptions()
    )

    fields = {}
    for q in queries:
        fields.setdefault(q.target, []).append(q.field)
    base = [
        "invocations",
        "errors",
        "throttles",
        "duration_avg",
        "duration_max",
        "concurrent_max",
    ]
    assert fields[metrics.ACCOUNT_RESOURCE] == [
        "account_concurrency_max",
        "account_unreserved_concurrency_min",
        "account_unreserved_concurrency_max",
    ]
    assert sorted(fields[plain.arn]) == sorted(
        [*base, "provisioned_utilization_max", "provisioned_spillover", "duration_p99"]
    )
    assert sorted(fields[stream.arn]) == sorted([*base, "iterator_age_max", "duration_p99"])
    assert sorted(fields[dlq.arn]) == sorted([*base, "dead_letter_errors", "duration_p99"])
    assert sorted(fields[destined.arn]) == sorted(
        [*base, "destination_delivery_failures", "duration_p99"]
    )
    # Grouped by kind, percentiles last: a failed call hides few kinds.
    kinds = [q.field for q in queries[3:]]
    assert kinds == sorted(kinds, key=metrics.KIND_ORDER.index)
    assert kinds[-4:] == ["duration_p99"] * 4


def test_async_series_only_where_an_async_caller_may_invoke():
    s3 = PolicyStatement("s3", "Allow", "s3.amazonaws.com", "lambda:InvokeFunction")
    api = PolicyStatement("api", "Allow", "apigateway.amazonaws.com", "lambda:InvokeFunction")
    denied = PolicyStatement("no", "Deny", "sns.amazonaws.com", "lambda:InvokeFunction")
    functions = [
        function("uploads", policy_statements=[s3]),
        function("api", policy_statements=[api]),
        function("denied", policy_statements=[denied]),
    ]

    queries = metrics.plan_queries(functions, [], {}, CollectOptions())

    async_fields = {
        (q.target.rsplit(":", 1)[-1], q.field, q.metric, q.stat)
        for q in queries
        if q.field in ("async_events_dropped", "async_event_age_max")
    }
    assert async_fields == {
        ("uploads", "async_events_dropped", "AsyncEventsDropped", "Sum"),
        ("uploads", "async_event_age_max", "AsyncEventAge", "Maximum"),
    }


def test_no_percentile_when_switched_off():
    queries = metrics.plan_queries(
        [function("f")], [], {}, CollectOptions(duration_percentile=None)
    )
    assert "duration_p99" not in {q.field for q in queries}


def test_summaries_weight_the_average_by_invocations():
    m = metrics.FunctionMetrics(
        invocations=Series(0, 3600, [100, 300, None]),
        duration_avg=Series(0, 3600, [120, 200, None]),
        duration_max=Series(0, 3600, [150, 400, None]),
        duration_p99=Series(0, 3600, [140, 380, None]),
        concurrent_max=Series(0, 3600, [None, 9, None]),
    )
    metrics.summarise(m)
    assert m.invocations_total == 400
    assert m.duration_avg_ms == 180
    assert (m.duration_max_ms, m.duration_p99_ms, m.concurrency_peak) == (400, 380, 9)
    assert m.errors_total == 0 and m.iterator_age_max_ms is None


def test_role_callers_and_invoked_qualifiers_get_async_series():
    from advisor.collect.inventory import PushSource, Qualifier

    nightly = function("nightly")  # a schedule invokes it with its role: no statement
    orders = function(
        "orders",
        qualifiers=[
            Qualifier(name="live", kind="alias", exists=True, version="1"),
            Qualifier(name="gone", kind="alias", exists=False),
        ],
    )
    sources = [
        PushSource(nightly.arn, "scheduler.amazonaws.com", None, "async", via="role"),
        PushSource(f"{orders.arn}:live", "sns.amazonaws.com", None, "async"),
        PushSource(f"{orders.arn}:gone", "sns.amazonaws.com", None, "async"),
        PushSource(f"{orders.arn}:7", "apigateway.amazonaws.com", None, "sync"),
    ]
    callers = metrics.async_targets(sources)
    assert callers == {nightly.arn: {None}, orders.arn: {"live", "gone"}}

    queries = metrics.plan_queries([nightly, orders], [], {}, CollectOptions(), callers)

    asynchronous = {
        (q.target.rsplit(":", 1)[-1], q.metric, q.qualifier)
        for q in queries
        if q.field in metrics.APART_FIELDS
    }
    assert asynchronous == {
        ("nightly", "AsyncEventsDropped", None),
        ("nightly", "AsyncEventAge", None),
        ("orders", "AsyncEventsDropped", "live"),
        ("orders", "AsyncEventAge", "live"),
        ("orders", "DeadLetterErrors", "live"),
        ("orders", "DestinationDeliveryFailures", "live"),
    }
    live = [q for q in queries if q.qualifier == "live"]
    assert all(
        q.dimensions == (("FunctionName", "orders"), ("Resource", "orders:live")) and q.apart
        for q in live
    )

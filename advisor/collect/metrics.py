"""14 days of hourly CloudWatch metrics per function, through GetMetricData only.

Queries are packed as tightly as CloudWatch allows: at most 500 per call, and at most
100,800 data points per call. 14 days hourly is 336 points per query, so 500 queries would ask
for 168,000 points and CloudWatch would page the answer; packing 300 queries per call
(300 x 336 = 100,800) gets the same data in fewer requests, one page each. A window longer than
100,800 points per query is split in time. For Q queries over one window: ceil(Q / 300) calls.

Queries are ordered by series kind (all Invocations, then all Errors, ...; percentiles last), so a
failing call hides a few kinds for a slice of functions rather than a little of everything.

Which series a function gets:
- always Invocations, Errors, Throttles (Sum), Duration (Average, Maximum, the percentile),
  ConcurrentExecutions (Maximum);
- IteratorAge (Maximum) when a stream (Kinesis, DynamoDB, Kafka, DocumentDB) feeds it;
- DeadLetterErrors (Sum) when it has a dead-letter target;
- DestinationDeliveryFailures (Sum) when it has an async or stream failure/success destination;
- AsyncEventsDropped (Sum) and AsyncEventAge (Maximum) when an asynchronous caller invokes the
  unqualified function: its resource policy allows S3, SNS, EventBridge, ..., or a caller with
  an IAM role (an EventBridge Scheduler schedule, an asynchronous Step Functions task or Pipe)
  targets it;
- for each alias or version an asynchronous caller invokes (``fn:live``), AsyncEventsDropped,
  DeadLetterErrors, DestinationDeliveryFailures (Sum) and AsyncEventAge (Maximum) with the
  ``Resource`` dimension (``FunctionName=fn, Resource=fn:live``): Lambda publishes every metric
  per alias and version too, while the ``FunctionName`` series alone aggregate all of them
  (docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-view.html). They are kept apart,
  per qualifier (``FunctionMetrics.async_by_qualifier``), and packed into the same calls;
- ProvisionedConcurrencyUtilization (Maximum) and ProvisionedConcurrencySpilloverInvocations (Sum)
  for each alias/version CloudWatch lists with provisioned concurrency (one ListMetrics).
Account-wide: ConcurrentExecutions (Maximum), UnreservedConcurrentExecutions (Minimum, Maximum).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from advisor.collect.context import ScanContext, error_code, error_message, is_region_wide
from advisor.collect.inventory import (
    DATA_METRICS,
    CoverageGap,
    EventSourceMapping,
    Function,
    FunctionMetrics,
    PushSource,
    QualifierAsyncMetrics,
    Series,
)
from advisor.collect.lambda_ import is_async_principal
from advisor.collect.options import DATAPOINTS_PER_CALL, METRIC_QUERIES_PER_CALL, CollectOptions

NAMESPACE = "AWS/Lambda"
# The resource a gap names when the account-wide series are missing.
ACCOUNT_RESOURCE = "account"
STREAM_KINDS = frozenset({"kinesis", "dynamodb", "kafka", "documentdb"})

# (FunctionMetrics field, metric name, statistic); the percentile comes from the options.
BASE_SERIES = (
    ("invocations", "Invocations", "Sum"),
    ("errors", "Errors", "Sum"),
    ("throttles", "Throttles", "Sum"),
    ("duration_avg", "Duration", "Average"),
    ("duration_max", "Duration", "Maximum"),
    ("concurrent_max", "ConcurrentExecutions", "Maximum"),
)
ITERATOR_AGE = ("iterator_age_max", "IteratorAge", "Maximum")
DEAD_LETTER = ("dead_letter_errors", "DeadLetterErrors", "Sum")
DESTINATION = ("destination_delivery_failures", "DestinationDeliveryFailures", "Sum")
ASYNC_SERIES = (
    ("async_events_dropped", "AsyncEventsDropped", "Sum"),
    ("async_event_age_max", "AsyncEventAge", "Maximum"),
)
# The series read per alias or version an asynchronous caller invokes, kept apart per qualifier
# (not merged into the function's own series, which CloudWatch already aggregates).
QUALIFIED_ASYNC = (*ASYNC_SERIES, DEAD_LETTER, DESTINATION)
APART_FIELDS = frozenset(field for field, _, _ in QUALIFIED_ASYNC)
PROVISIONED = (
    ("provisioned_utilization_max", "ProvisionedConcurrencyUtilization", "Maximum"),
    ("provisioned_spillover", "ProvisionedConcurrencySpilloverInvocations", "Sum"),
)
ACCOUNT_SERIES = (
    ("account_concurrency_max", "ConcurrentExecutions", "Maximum"),
    ("account_unreserved_concurrency_min", "UnreservedConcurrentExecutions", "Minimum"),
    ("account_unreserved_concurrency_max", "UnreservedConcurrentExecutions", "Maximum"),
)
# The order kinds are queried in; percentiles last.
KIND_ORDER = [s[0] for s in BASE_SERIES] + [
    ITERATOR_AGE[0],
    DEAD_LETTER[0],
    DESTINATION[0],
    ASYNC_SERIES[0][0],
    ASYNC_SERIES[1][0],
    PROVISIONED[0][0],
    PROVISIONED[1][0],
    "duration_p99",
]


@dataclass(frozen=True)
class Query:
    target: str  # function ARN, or ACCOUNT_RESOURCE
    field: str  # FunctionMetrics / RegionInventory attribute
    metric: str
    stat: str
    dimensions: tuple[tuple[str, str], ...]

    @property
    def qualifier(self) -> str | None:
        """The alias or version a per-qualifier query reads (its ``Resource`` dimension)."""
        resource = dict(self.dimensions).get("Resource") or ""
        return resource.partition(":")[2] or None

    @property
    def apart(self) -> bool:
        """A per-qualifier series kept on its own, not merged into the function's."""
        return self.field in APART_FIELDS and self.qualifier is not None

    def request(self, query_id: str, period: int) -> dict[str, Any]:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": self.metric,
                    "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
                },
                "Period": period,
                "Stat": self.stat,
            },
            "ReturnData": True,
        }


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    period: int

    @property
    def points(self) -> int:
        return int((self.end - self.start).total_seconds()) // self.period


def metrics_window(options: CollectOptions, now: datetime | None = None) -> Window:
    """``metrics_days`` ending at the start of the current hour (or ``options.metrics_end``)."""
    end = options.metrics_end or now or datetime.now(UTC)
    end = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return Window(end - timedelta(days=options.metrics_days), end, options.metrics_period_s)


def split_window(window: Window) -> list[Window]:
    """Sub-windows of at most DATAPOINTS_PER_CALL points per query each."""
    per_window = DATAPOINTS_PER_CALL
    if window.points <= per_window:
        return [window]
    parts = []
    start = window.start
    while start < window.end:
        end = min(window.end, start + timedelta(seconds=per_window * window.period))
        parts.append(Window(start, end, window.period))
        start = end
    return parts


def queries_per_call(points: int) -> int:
    return max(1, min(METRIC_QUERIES_PER_CALL, DATAPOINTS_PER_CALL // max(1, points)))


def provisioned_dimensions(ctx: ScanContext) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    """Function name -> the dimension sets CloudWatch lists ProvisionedConcurrencyUtilization
    for (one account-wide, paginated ListMetrics)."""
    found: dict[str, list[tuple[tuple[str, str], ...]]] = {}

    def call() -> None:
        paginator = ctx.client("cloudwatch").get_paginator("list_metrics")
        pages = paginator.paginate(Namespace=NAMESPACE, MetricName=PROVISIONED[0][1])
        for page in pages:
            for metric in page.get("Metrics") or []:
                dims = tuple((d["Name"], d["Value"]) for d in metric.get("Dimensions") or [])
                name = dict(dims).get("FunctionName")
                if name and "Resource" in dict(dims):
                    found.setdefault(name, []).append(dims)

    ctx.attempt(call, service="cloudwatch", operation="ListMetrics", hides=DATA_METRICS)
    return found


def async_targets(sources: Iterable[PushSource]) -> dict[str, set[str | None]]:
    """Unqualified function ARN -> what asynchronous callers invoke of it: None for the
    unqualified function (or ``$LATEST``), else the alias or version name. Every caller
    counts, whether a resource-policy statement or its IAM role lets it invoke."""
    found: dict[str, set[str | None]] = {}
    for source in sources:
        if source.invocation != "async":
            continue
        parts = source.function_arn.split(":")
        qualifier = ":".join(parts[7:]) or None
        key = ":".join(parts[:7])
        found.setdefault(key, set()).add(None if qualifier == "$LATEST" else qualifier)
    return found


def plan_queries(
    functions: Sequence[Function],
    mappings: Iterable[EventSourceMapping],
    provisioned: dict[str, list[tuple[tuple[str, str], ...]]],
    options: CollectOptions,
    async_callers: Mapping[str, set[str | None]] | None = None,
) -> list[Query]:
    """``async_callers``: what asynchronous callers invoke of each function
    (``async_targets``); the function's own policy is read too, for callers not passed."""
    mappings = list(mappings)
    async_callers = async_callers or {}
    streams = {_function_name(m.function_arn) for m in mappings if m.kind in STREAM_KINDS}
    with_destination = {
        _function_name(m.function_arn) for m in mappings if m.on_failure_destination
    }
    by_kind: dict[str, list[Query]] = {kind: [] for kind in KIND_ORDER}
    for fn in functions:
        dims = (("FunctionName", fn.name),)
        invoked = async_callers.get(fn.arn, set())
        wanted = list(BASE_SERIES)
        if fn.name in streams:
            wanted.append(ITERATOR_AGE)
        if fn.dead_letter_target:
            wanted.append(DEAD_LETTER)
        async_destination = fn.async_config is not None and (
            fn.async_config.on_failure or fn.async_config.on_success
        )
        if async_destination or fn.name in with_destination:
            wanted.append(DESTINATION)
        if None in invoked or invoked_async(fn):
            wanted.extend(ASYNC_SERIES)
        for field, metric, stat in wanted:
            by_kind[field].append(Query(fn.arn, field, metric, stat, dims))
        for name in sorted(q for q in invoked if q is not None):
            entry = fn.qualifier(name)
            if entry is not None and entry.exists is False:
                continue  # a caller names an alias or version that is not there: no metrics
            qualified = (*dims, ("Resource", f"{fn.name}:{name}"))
            for field, metric, stat in QUALIFIED_ASYNC:
                by_kind[field].append(Query(fn.arn, field, metric, stat, qualified))
        for pc_dims in provisioned.get(fn.name, ()):
            for field, metric, stat in PROVISIONED:
                by_kind[field].append(Query(fn.arn, field, metric, stat, pc_dims))
        if options.duration_percentile:
            by_kind["duration_p99"].append(
                Query(fn.arn, "duration_p99", "Duration", options.duration_percentile, dims)
            )
    account = [Query(ACCOUNT_RESOURCE, f, m, s, ()) for f, m, s in ACCOUNT_SERIES]
    return account + [q for kind in KIND_ORDER for q in by_kind[kind]]


def invoked_async(fn: Function) -> bool:
    """Does the function's resource policy let an asynchronous caller invoke it?"""
    return any(
        s.effect == "Allow" and is_async_principal(s.principal) for s in fn.policy_statements
    )


def _function_name(arn: str) -> str | None:
    parts = arn.split(":")  # arn:aws:lambda:{region}:{account}:function:{name}[:{qualifier}]
    return parts[6] if len(parts) > 6 else None


class _Collector:
    """Fills Series from GetMetricData answers, merging several dimension sets of one field
    (provisioned concurrency on two aliases) by max or sum."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.start = int(window.start.timestamp())
        self.points = window.points
        self.series: dict[tuple[str, str], Series] = {}
        # (target, field, qualifier) -> the series of one alias or version, unmerged
        self.by_qualifier: dict[tuple[str, str, str], Series] = {}
        self._floats: dict[float, float] = {}  # one float object per distinct value

    def ensure(self, query: Query) -> Series:
        key = (query.target, query.field)
        series = self.series.get(key)
        if series is None:
            series = Series(
                start=self.start, period=self.window.period, values=[None] * self.points
            )
            self.series[key] = series
        return series

    def ensure_qualified(self, query: Query) -> Series | None:
        qualifier = query.qualifier
        if qualifier is None:
            return None
        key = (query.target, query.field, qualifier)
        series = self.by_qualifier.get(key)
        if series is None:
            series = Series(
                start=self.start, period=self.window.period, values=[None] * self.points
            )
            self.by_qualifier[key] = series
        return series

    def add(self, query: Query, timestamps: list[datetime], values: list[float]) -> None:
        series = None if query.apart else self.ensure(query)
        own = self.ensure_qualified(query)
        sums = query.stat == "Sum"
        floats = self._floats
        for timestamp, value in zip(timestamps, values, strict=False):
            index = (int(timestamp.timestamp()) - self.start) // self.window.period
            if not 0 <= index < self.points:
                continue
            value = floats.setdefault(float(value), float(value))
            if own is not None:
                mine = own.values[index]
                own.values[index] = (
                    value if mine is None else mine + value if sums else max(mine, value)
                )
            if series is None:
                continue
            current = series.values[index]
            if current is None:
                series.values[index] = value
            else:
                series.values[index] = current + value if sums else max(current, value)


def collect_metrics(
    ctx: ScanContext,
    functions: Sequence[Function],
    mappings: Iterable[EventSourceMapping],
    provisioned: dict[str, list[tuple[tuple[str, str], ...]]],
    async_callers: Mapping[str, set[str | None]] | None = None,
) -> None:
    options = ctx.options
    window = metrics_window(options)
    queries = plan_queries(functions, mappings, provisioned, options, async_callers)
    collector = _Collector(window)
    batches = [
        (part, queries[i : i + queries_per_call(part.points)])
        for part in split_window(window)
        for i in range(0, len(queries), queries_per_call(part.points))
    ]
    ctx.progress("metrics", 0, len(batches))
    # (target, field) of the function's own series a failed call hid; and (target, field,
    # qualifier) of the per-qualifier series kept apart
    failed: set[tuple[str, ...]] = set()
    for done, (part, batch) in enumerate(batches, start=1):
        if ctx.blocked("cloudwatch", "GetMetricData") is None:
            try:
                _fetch(ctx, part, batch, collector)
            except (ClientError, BotoCoreError) as error:
                failed.update(_failed_key(q) for q in batch)
                _record_failure(ctx, error, batch)
        else:
            failed.update(_failed_key(q) for q in batch)
        ctx.progress("metrics", done, len(batches))
    _assign(ctx, functions, collector, failed, window)


def _failed_key(query: Query) -> tuple[str, ...]:
    if query.apart:
        return (query.target, query.field, query.qualifier or "")
    return (query.target, query.field)


def _fetch(ctx: ScanContext, window: Window, batch: list[Query], collector: _Collector) -> None:
    by_id = {f"q{i}": query for i, query in enumerate(batch)}
    request = {
        "MetricDataQueries": [q.request(query_id, window.period) for query_id, q in by_id.items()],
        "StartTime": window.start,
        "EndTime": window.end,
        "ScanBy": "TimestampAscending",
    }
    cloudwatch = ctx.client("cloudwatch")
    token = None
    while True:
        page = cloudwatch.get_metric_data(**request, **({"NextToken": token} if token else {}))
        for result in page.get("MetricDataResults") or []:
            query = by_id.get(result["Id"])
            if query is not None:
                collector.add(query, result.get("Timestamps") or [], result.get("Values") or [])
        token = page.get("NextToken")
        if not token:
            break
    for query in batch:  # a query with no data point still ran: an empty series, not a gap
        if not query.apart:
            collector.ensure(query)
        collector.ensure_qualified(query)


def _record_failure(ctx: ScanContext, error: BaseException, batch: list[Query]) -> None:
    if is_region_wide(error):
        ctx.record(error, service="cloudwatch", operation="GetMetricData", hides=DATA_METRICS)
        return
    fields: dict[str, list[str]] = {}
    for query in batch:
        fields.setdefault(query.target, []).append(f"{query.metric}/{query.stat}")
    for target, names in fields.items():
        ctx.add_gap(
            CoverageGap(
                region=ctx.region,
                service="cloudwatch",
                operation="GetMetricData",
                error_code=error_code(error),
                message=f"{', '.join(sorted(set(names)))} not read: {error_message(error)}",
                hides=DATA_METRICS,
                resource_arn=target,
            )
        )
    ctx.log_gap(error, "cloudwatch", "GetMetricData", f"{len(fields)} resources")


def _assign(
    ctx: ScanContext,
    functions: Sequence[Function],
    collector: _Collector,
    failed: set[tuple[str, ...]],
    window: Window,
) -> None:
    series = collector.series
    for field, _, _ in ACCOUNT_SERIES:
        key = (ACCOUNT_RESOURCE, field)
        if key not in failed and key in series:
            setattr(ctx.inventory, field, series[key])
    hours = int((window.end - window.start).total_seconds()) // 3600
    for fn in functions:
        metrics = FunctionMetrics(window_hours=hours)
        for field in KIND_ORDER:
            key = (fn.arn, field)
            if key not in failed and key in series:
                setattr(metrics, field, series[key])
        for (target, field, qualifier), own in collector.by_qualifier.items():
            if target != fn.arn:
                continue
            if field in APART_FIELDS:
                if (target, field, qualifier) not in failed:
                    entry = metrics.async_by_qualifier.setdefault(
                        qualifier, QualifierAsyncMetrics()
                    )
                    setattr(entry, field, own)
                continue
            if (target, field) in failed:
                continue
            if field == PROVISIONED[0][0]:
                metrics.provisioned_utilization_by_qualifier[qualifier] = own
            elif field == PROVISIONED[1][0]:
                metrics.provisioned_spillover_by_qualifier[qualifier] = own
        summarise(metrics)
        fn.metrics = metrics


def summarise(metrics: FunctionMetrics) -> None:
    """The summary figures rules read, from the series."""
    metrics.invocations_total = metrics.invocations.total() if metrics.invocations else 0.0
    metrics.errors_total = metrics.errors.total() if metrics.errors else 0.0
    metrics.throttles_total = metrics.throttles.total() if metrics.throttles else 0.0
    metrics.duration_avg_ms = _weighted_average(metrics.duration_avg, metrics.invocations)
    metrics.duration_max_ms = metrics.duration_max.peak() if metrics.duration_max else None
    metrics.duration_p99_ms = metrics.duration_p99.peak() if metrics.duration_p99 else None
    metrics.concurrency_peak = metrics.concurrent_max.peak() if metrics.concurrent_max else None
    metrics.iterator_age_max_ms = (
        metrics.iterator_age_max.peak() if metrics.iterator_age_max else None
    )


def _weighted_average(averages: Series | None, counts: Series | None) -> float | None:
    """The invocation-weighted mean of hourly averages (the plain mean without counts)."""
    if averages is None:
        return None
    pairs = [
        (avg, counts.values[i] if counts is not None and i < len(counts.values) else None)
        for i, avg in enumerate(averages.values)
        if avg is not None
    ]
    if not pairs:
        return None
    weight = sum(n for _, n in pairs if n)
    if weight:
        return sum(avg * n for avg, n in pairs if n) / weight
    return sum(avg for avg, _ in pairs) / len(pairs)

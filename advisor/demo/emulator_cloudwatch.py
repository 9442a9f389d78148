"""CloudWatch metrics that answer GetMetricData at scan speed, percentiles included.

moto keeps every data point in one list and, for every period of every query, scans all of them:
a 14-day hourly scan of 40 functions takes minutes, and percentile statistics (``p99``) fail with
a 500. Here PutMetricData still goes through moto (its validation, its list, so
GetMetricStatistics keeps working) and also files each data point in an index keyed by
(namespace, metric name, dimensions) and sorted by time. A GetMetricData query then costs a
bisect plus the points it returns.

PutMetricData's ``Values``/``Counts`` form is kept as one distribution data point instead of
moto's one object per count (an hour of 50,000 invocations would otherwise be 50,000 objects),
so percentiles come from the published distribution, as CloudWatch computes them.

GetMetricData follows the CloudWatch API reference: at most 500 queries, ``MaxDatapoints``
(default 100,800) per response with ``NextToken`` pagination and ``PartialData`` status on a
query cut by a page, ``ScanBy``, ``Unit``, ``ReturnData``, ``Label``, statistics ``SampleCount``,
``Sum``, ``Average``, ``Minimum``, ``Maximum`` and percentiles ``pNN``/``pNN.NN``. Start times
are rounded down as CloudWatch does. Metric-math expressions get moto's (minimal) support;
Metrics Insights queries (``SELECT …``) go to moto unchanged.

Speed: boto3 speaks CloudWatch's JSON protocol. For PutMetricData and GetMetricData in that
protocol the request is read with ``json.loads`` and the answer written with ``json.dumps``
(timestamps as epoch seconds, as the JSON protocol defines them) instead of moto's generic,
shape-walking parser and serializer, which cost more than the queries themselves.

Seeding (tests and benchmarks, not an AWS API): ``SERIES_PATH`` takes whole series of plain
values at a fixed period in one JSON request and keeps each as two arrays of floats
(``CompactSeries``, 16 bytes a point instead of a few hundred for moto's objects), so a fleet of
10,000 functions with 14 days of hourly metrics fits and is seeded in seconds. GetMetricData and
ListMetrics answer them as they answer the same points sent with PutMetricData
(``tests/demo/test_emulator.py`` holds the two to the same answers).
"""

from __future__ import annotations

import base64
import bisect
import json
import math
import re
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.metric_data_expression_parser import parse_expression
from moto.cloudwatch.models import (
    CloudWatchBackend,
    MetricAggregatedDatum,
    MetricDatum,
    MetricDatumBase,
    cloudwatch_backends,
)
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.moto_api._internal import urls as moto_api_urls
from moto.utilities.constants import APPLICATION_AMZ_JSON_1_0

# The operations that take the JSON fast path (see the module's docstring).
FAST_ACTIONS = frozenset({"PutMetricData", "GetMetricData"})

SERIES_PATH = "/moto-api/lambda-advisor/metric-series"
MAX_QUERIES = 500
DEFAULT_MAX_DATAPOINTS = 100_800
PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0+)?)$")
BASIC_STATS = {"SampleCount", "Sum", "Average", "Minimum", "Maximum"}

SeriesKey = tuple[str, str, frozenset[tuple[str, str]]]


def install() -> None:
    original_put = CloudWatchBackend.put_metric_data
    original_get = CloudWatchBackend.get_metric_data
    original_filtered = CloudWatchBackend.get_filtered_metrics

    def put_metric_data(self: CloudWatchBackend, namespace: str, metric_data: list) -> None:
        index = index_of(self)  # first, so that it does not file the new points twice
        distributions = [m for m in metric_data if m.get("Values")]
        for position, metric in enumerate(metric_data, start=1):
            if metric.get("Values"):
                self._validate_parameters_put_metric_data(metric, position)
        first_new = len(self.metric_data)
        plain = [m for m in metric_data if not m.get("Values")]
        if plain:
            original_put(self, namespace, plain)
        for metric in distributions:
            self.metric_data.append(DistributionDatum.from_request(namespace, metric))
        index.add(self.metric_data[first_new:])

    def get_metric_data(
        self: CloudWatchBackend,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        scan_by: str = "TimestampDescending",
    ) -> list[dict[str, Any]]:
        if any(str(q.get("Expression", "")).startswith("SELECT") for q in queries):
            return original_get(self, queries, start_time, end_time, scan_by)
        results, _ = run_queries(index_of(self), queries, start_time, end_time, scan_by)
        # moto's own callers expect its result shape (lower-case keys)
        return [
            {
                "id": r["Id"],
                "label": r["Label"],
                "values": r["Values"],
                "timestamps": [_datetime(when) for when in r["Timestamps"]],
                "status_code": r["StatusCode"],
            }
            for r in results
        ]

    def get_filtered_metrics(
        self: CloudWatchBackend, metric_name: str, namespace: str, dimensions: list
    ) -> list[MetricDatumBase]:
        # One representative data point per indexed series (moto compares every stored point
        # with every other, which is quadratic), then moto's own filter for built-in metrics.
        listed = [
            series.representative()
            for key, series in index_of(self).series.items()
            if _listed(key, namespace, metric_name, dimensions)
        ]
        saved, self.metric_data = self.metric_data, []
        try:
            listed.extend(original_filtered(self, metric_name, namespace, dimensions))
        finally:
            self.metric_data = saved
        return listed

    original_parse = CloudWatchResponse.parse_parameters

    def parse_parameters(self: CloudWatchResponse, request: Any) -> None:
        if _fast_path(self):
            self.params = _json_params(self._get_action(), request.get_data(as_text=True))
        else:
            original_parse(self, request)

    def get_metric_data_response(self: CloudWatchResponse) -> Any:
        params = self._get_params()
        queries = params.get("MetricDataQueries", [])
        if len(queries) > MAX_QUERIES:
            raise ValidationError(
                f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
            )
        for position, query in enumerate(queries, start=1):
            if "MetricStat" not in query and "Expression" not in query:
                raise ValidationError(
                    f"The parameter MetricDataQueries.member.{position}.MetricStat is required.\n"
                )
        backend = self.cloudwatch_backend
        scan_by = params.get("ScanBy") or "TimestampDescending"
        if any(str(q.get("Expression", "")).startswith("SELECT") for q in queries):
            results = original_get(
                backend, queries, params["StartTime"], params["EndTime"], scan_by
            )
            return ActionResult({"MetricDataResults": results})
        results, token = run_queries(
            index_of(backend),
            queries,
            params["StartTime"],
            params["EndTime"],
            scan_by,
            max_datapoints=int(params.get("MaxDatapoints") or DEFAULT_MAX_DATAPOINTS),
            next_token=params.get("NextToken"),
        )
        body: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
        if token:
            body["NextToken"] = token
        if _fast_path(self):
            return _raw_json(body)
        for result in results:
            result["Timestamps"] = [_datetime(when) for when in result["Timestamps"]]
        return ActionResult(body)

    moto_api_urls.url_paths["{0}" + SERIES_PATH] = _seed_series
    CloudWatchBackend.put_metric_data = put_metric_data
    CloudWatchBackend.get_metric_data = get_metric_data
    CloudWatchBackend.get_filtered_metrics = get_filtered_metrics
    CloudWatchResponse.get_metric_data = get_metric_data_response
    CloudWatchResponse.parse_parameters = parse_parameters


def _fast_path(response: CloudWatchResponse) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return content_type == APPLICATION_AMZ_JSON_1_0 and response._get_action() in FAST_ACTIONS


def _json_params(action: str, body: str) -> dict[str, Any]:
    """The request as moto's parser would give it: JSON, with timestamps as datetimes."""
    params = json.loads(body or "{}")
    if action == "PutMetricData":
        for metric in params.get("MetricData", []):
            if "Timestamp" in metric:
                metric["Timestamp"] = _to_datetime(metric["Timestamp"])
    else:
        for key in ("StartTime", "EndTime"):
            if key in params:
                params[key] = _to_datetime(params[key])
    return params


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, int | float):
        return _datetime(float(value))
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _raw_json(body: dict[str, Any]) -> tuple[int, dict[str, str], str]:
    return 200, {"Content-Type": APPLICATION_AMZ_JSON_1_0}, json.dumps(body)


# --- storage ----------------------------------------------------------------------------------


class DistributionDatum(MetricAggregatedDatum):
    """A ``Values``/``Counts`` data point kept whole: moto's statistics see it as a statistic set
    (sum, min, max, count); percentiles read the values and their counts."""

    def __init__(self, *, namespace, name, values, counts, dimensions, timestamp, unit) -> None:
        super().__init__(
            namespace=namespace,
            name=name,
            min_stat=min(values),
            max_stat=max(values),
            sample_count=sum(counts),
            sum_stat=sum(v * c for v, c in zip(values, counts, strict=True)),
            dimensions=dimensions,
            timestamp=timestamp,
            unit=unit,
        )
        self.values = values
        self.counts = counts
        pairs = sorted(zip(values, counts, strict=True))
        self.sorted_values = [value for value, _ in pairs]
        running, self.cumulative = 0.0, []
        for _, count in pairs:
            running += count
            self.cumulative.append(running)

    @classmethod
    def from_request(cls, namespace: str, metric: dict[str, Any]) -> DistributionDatum:
        values = [float(v) for v in metric["Values"]]
        counts = [float(c) for c in (metric.get("Counts") or [1.0] * len(values))]
        return cls(
            namespace=namespace,
            name=metric["MetricName"],
            values=values,
            counts=counts,
            dimensions=metric.get("Dimensions") or [],
            timestamp=metric.get("Timestamp"),
            unit=metric.get("Unit"),
        )


@dataclass
class Series:
    times: list[float] = field(default_factory=list)  # epoch seconds, ascending
    data: list[MetricDatumBase] = field(default_factory=list)

    def add(self, when: float, datum: MetricDatumBase) -> None:
        if not self.times or when >= self.times[-1]:
            self.times.append(when)
            self.data.append(datum)
        else:
            position = bisect.bisect_right(self.times, when)
            self.times.insert(position, when)
            self.data.insert(position, datum)

    def between(self, start: float, end: float) -> tuple[int, int]:
        return bisect.bisect_left(self.times, start), bisect.bisect_left(self.times, end)

    def representative(self) -> MetricDatumBase:
        return self.data[0]


class CompactSeries:
    """A seeded series (``SERIES_PATH``): plain values at ascending times, in two arrays."""

    def __init__(self, first: MetricDatum, times: array, values: array) -> None:
        self.first = first  # the first point as moto's object: what ListMetrics shows
        self.unit = first.unit
        self.times = times
        self.values = values

    def representative(self) -> MetricDatumBase:
        return self.first

    def between(self, start: float, end: float) -> tuple[int, int]:
        return bisect.bisect_left(self.times, start), bisect.bisect_left(self.times, end)

    def materialized(self) -> Series:
        """The same points as moto's objects (a PutMetricData to a seeded series)."""
        base = self.first
        series = Series()
        for when, value in zip(self.times, self.values, strict=True):
            datum = MetricDatum(
                base.namespace,
                base.name,
                value,
                [{"Name": d.name, "Value": d.value} for d in base.dimensions],
                _datetime(when),
                base.unit,
            )
            series.add(when, datum)
        return series

    def points(
        self, start: float, end: float, period: int, stat: str, percentile: float | None
    ) -> list[tuple[float, float]]:
        """What ``_metric_stat_points`` answers for the same points stored one by one."""
        first, last = self.between(start, end)
        points: list[tuple[float, float]] = []
        group: list[float] = []
        group_bucket = None
        for position in range(first, last + 1):
            if position < last:
                bucket = start + ((self.times[position] - start) // period) * period
                if bucket == group_bucket:
                    group.append(self.values[position])
                    continue
            if group:
                points.append((group_bucket, _plain_statistic(group, stat, percentile)))
            if position < last:
                group, group_bucket = [self.values[position]], bucket
        return points


def _plain_statistic(values: list[float], stat: str, percentile: float | None) -> float:
    """A period's statistic over plain values (each a sample of one), as ``_basic`` and
    ``_percentile_of`` compute it for MetricDatum objects."""
    if percentile is not None:
        ordered = sorted(values)
        rank = max(percentile / 100.0 * len(ordered), 1e-9)
        return ordered[min(max(math.ceil(rank - 1e-9), 1), len(ordered)) - 1]
    return {
        "SampleCount": lambda: float(len(values)),
        "Sum": lambda: sum(values),
        "Average": lambda: sum(values) / len(values),
        "Minimum": lambda: min(values),
        "Maximum": lambda: max(values),
    }[stat]()


def _seed_series(request: Any, full_url: str, headers: Any) -> tuple:
    """POST {"account_id", "region", "namespace", "series": [{"metric_name", "dimensions":
    [{"Name", "Value"}], "start" (epoch seconds), "period" (seconds), "values": [...],
    "unit"?}]}: each series stored whole (see the module's docstring)."""
    if request.method != "POST":
        return 405, {}, json.dumps({"Error": "POST a JSON body"})
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
        backend = cloudwatch_backends[str(body["account_id"])][body["region"]]
        namespace = str(body["namespace"])
        seeded = []
        for raw in body["series"]:
            values = array("d", (float(v) for v in raw["values"]))
            start, period = float(raw["start"]), float(raw["period"])
            if not values or period <= 0:
                raise ValueError("a series needs values and a positive period")
            times = array("d", (start + n * period for n in range(len(values))))
            first = MetricDatum(
                namespace,
                str(raw["metric_name"]),
                values[0],
                raw.get("dimensions") or [],
                _datetime(start),
                raw.get("unit"),
            )
            seeded.append(
                (
                    series_key(namespace, first.name, first.dimensions),
                    CompactSeries(first, times, values),
                )
            )
    except (KeyError, ValueError, TypeError) as error:
        return 400, {}, json.dumps({"Error": f"bad request: {error!r}"})
    index = index_of(backend)
    with index.lock:
        for key, series in seeded:
            if key in index.series:
                return 409, {}, json.dumps({"Error": f"the series {key[1]} is stored already"})
            index.series[key] = series
    return 200, {}, json.dumps({"series": len(seeded)})


@dataclass
class MetricIndex:
    series: dict[SeriesKey, Series | CompactSeries] = field(default_factory=dict)
    # moto's server is threaded: a series' two lists must grow together.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, data: Iterable[MetricDatumBase]) -> None:
        with self.lock:
            for datum in data:
                key = series_key(datum.namespace, datum.name, datum.dimensions)
                series = self.series.get(key)
                if series is None:
                    series = self.series[key] = Series()
                elif isinstance(series, CompactSeries):
                    series = self.series[key] = series.materialized()
                series.add(epoch(datum.timestamp), datum)


def index_of(backend: CloudWatchBackend) -> MetricIndex:
    """The backend's index; it lives on moto's backend object, so a moto reset clears it."""
    index = backend.__dict__.get("advisor_metric_index")
    if index is None:
        with _CREATION_LOCK:
            index = backend.__dict__.get("advisor_metric_index")
            if index is None:
                index = MetricIndex()
                index.add(backend.metric_data)  # anything stored before the index existed
                backend.advisor_metric_index = index
    return index


_CREATION_LOCK = threading.Lock()


def series_key(namespace: str, name: str, dimensions: Iterable[Any]) -> SeriesKey:
    pairs = []
    for dimension in dimensions:
        if isinstance(dimension, dict):
            pairs.append((dimension["Name"], dimension["Value"]))
        else:
            pairs.append((dimension.name, dimension.value))
    return namespace, name, frozenset(pairs)


def _listed(key: SeriesKey, namespace: str | None, name: str | None, dimensions: list) -> bool:
    """ListMetrics filters: a dimension given without a value matches any value."""
    if (namespace and key[0] != namespace) or (name and key[1] != name):
        return False
    present = dict(key[2])
    for dimension in dimensions or []:
        if dimension["Name"] not in present:
            return False
        if dimension.get("Value") is not None and present[dimension["Name"]] != dimension["Value"]:
            return False
    return True


def epoch(moment: datetime | float | int | str) -> float:
    if isinstance(moment, int | float):
        return float(moment)
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# --- queries ----------------------------------------------------------------------------------


def aligned_start(start: float, now: float) -> float:
    """CloudWatch rounds an unaligned StartTime down: to the minute within 15 days, to 5
    minutes within 63 days, to the hour beyond (GetMetricData, StartTime)."""
    age = now - start
    step = 60 if age < 15 * 86400 else 300 if age < 63 * 86400 else 3600
    return start - (start % step)


def run_queries(
    index: MetricIndex,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str,
    *,
    max_datapoints: int | None = None,
    next_token: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    start, end = epoch(start_time), epoch(end_time)
    if start > end:
        raise ValidationError("The parameter EndTime must be greater than StartTime.")
    if start == end:
        raise ValidationError("The parameter StartTime must not equal parameter EndTime.")
    start = aligned_start(start, datetime.now(UTC).timestamp())
    descending = scan_by != "TimestampAscending"

    computed: list[dict[str, Any]] = []  # moto's result shape, for its expression parser
    for query in queries:
        if "MetricStat" in query:
            points = _metric_stat_points(index, query["MetricStat"], start, end)
            metric = query["MetricStat"]["Metric"]
            label = query.get("Label") or metric["MetricName"]
        else:
            values, stamps = parse_expression(query["Expression"], computed)
            points = sorted(zip(stamps, values, strict=True))
            label = query.get("Label") or query["Id"]
        if descending:
            points.reverse()
        computed.append(
            {
                "id": query["Id"],
                "label": label,
                "values": [value for _, value in points],
                "timestamps": [when for when, _ in points],
                "return": query.get("ReturnData", True),
            }
        )
    returned = [result for result in computed if result["return"]]
    if max_datapoints is None:
        return [_shape(result) for result in returned], None
    return _paginate(returned, max_datapoints, next_token)


def _metric_stat_points(
    index: MetricIndex, metric_stat: dict[str, Any], start: float, end: float
) -> list[tuple[float, float]]:
    metric = metric_stat["Metric"]
    stat = metric_stat["Stat"]
    percentile = _percentile(stat)
    period = int(metric_stat["Period"])
    if period < 1 or (period >= 60 and period % 60):
        raise InvalidParameterValue(
            f"The parameter Period must be 1, 5, 10, 30 or a multiple of 60, not {period}."
        )
    unit = metric_stat.get("Unit")
    series = index.series.get(
        series_key(metric["Namespace"], metric["MetricName"], metric.get("Dimensions") or [])
    )
    if series is None:
        return []
    if isinstance(series, CompactSeries):
        if unit and series.unit != unit:
            return []
        return series.points(start, end, period, stat, percentile)
    first, last = series.between(start, end)
    times, data = series.times, series.data
    points: list[tuple[float, float]] = []
    group: list[MetricDatumBase] = []
    group_bucket = None
    # Times are sorted, so each period's data points are consecutive: group them in one pass.
    for position in range(first, last + 1):
        if position < last:
            datum = data[position]
            if unit and datum.unit != unit:
                continue
            bucket = start + ((times[position] - start) // period) * period
            if bucket == group_bucket:
                group.append(datum)
                continue
        if group:
            value = (
                _percentile_of(group, percentile) if percentile is not None else _basic(group, stat)
            )
            if value is not None:
                points.append((group_bucket, value))
        if position < last:
            group, group_bucket = [datum], bucket
    return points


def _percentile(stat: str) -> float | None:
    if stat in BASIC_STATS:
        return None
    match = PERCENTILE.match(stat)
    if not match:
        raise InvalidParameterValue(
            f"The value {stat} for parameter MetricDataQueries.member.MetricStat.Stat is invalid "
            f"(the emulator knows {', '.join(sorted(BASIC_STATS))} and pNN.NN)."
        )
    return float(match.group(1))


def _basic(data: list[MetricDatumBase], stat: str) -> float | None:
    if len(data) == 1 and type(data[0]) is MetricDatum and stat != "SampleCount":
        return data[0].value  # one plain value: it is its own sum, average, min and max
    count = total = 0.0
    low, high = math.inf, -math.inf
    for datum in data:
        if isinstance(datum, MetricAggregatedDatum):
            count += datum.sample_count
            total += datum.sum
            low, high = min(low, datum.min), max(high, datum.max)
        elif isinstance(datum, MetricDatum):
            count += 1
            total += datum.value
            low, high = min(low, datum.value), max(high, datum.value)
    if not count:
        return None
    return {
        "SampleCount": count,
        "Sum": total,
        "Average": total / count,
        "Minimum": low,
        "Maximum": high,
    }[stat]


def _percentile_of(data: list[MetricDatumBase], percentile: float) -> float | None:
    """Nearest-rank percentile over the raw values in the period. A statistic set counts only
    when CloudWatch could use it too: SampleCount 1, or Minimum equal to Maximum."""
    if len(data) == 1 and isinstance(data[0], DistributionDatum):
        datum = data[0]  # the usual case: one published distribution per period
        rank = percentile / 100.0 * datum.cumulative[-1]
        position = bisect.bisect_left(datum.cumulative, rank - 1e-9)
        return datum.sorted_values[min(position, len(datum.sorted_values) - 1)]
    weighted: list[tuple[float, float]] = []
    for datum in data:
        if isinstance(datum, DistributionDatum):
            weighted.extend(zip(datum.values, datum.counts, strict=True))
        elif isinstance(datum, MetricAggregatedDatum):
            if datum.sample_count == 1 or datum.min == datum.max:
                weighted.append((datum.min, datum.sample_count))
        elif isinstance(datum, MetricDatum):
            weighted.append((datum.value, 1.0))
    total = sum(weight for _, weight in weighted)
    if not total:
        return None
    weighted.sort()
    rank = max(percentile / 100.0 * total, 1e-9)
    running = 0.0
    for value, weight in weighted:
        running += weight
        if running >= rank - 1e-9:
            return value
    return weighted[-1][0]


def _paginate(
    results: list[dict[str, Any]], max_datapoints: int, next_token: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Cut the flattened data points into pages of ``max_datapoints``; a query split by a page
    boundary is PartialData on the earlier page and continues on the next."""
    query_at, offset = 0, 0
    if next_token:
        try:
            position = json.loads(base64.urlsafe_b64decode(next_token.encode()))
            query_at, offset = int(position["query"]), int(position["offset"])
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidParameterValue("The NextToken is invalid.") from error
    page: list[dict[str, Any]] = []
    room = max(1, max_datapoints)
    for number in range(query_at, len(results)):
        result = results[number]
        begin = offset if number == query_at else 0
        remaining = len(result["values"]) - begin
        if remaining > room:
            page.append(_shape(result, begin, begin + room, status="PartialData"))
            token = json.dumps({"query": number, "offset": begin + room}).encode()
            return page, base64.urlsafe_b64encode(token).decode()
        page.append(_shape(result, begin, begin + remaining))
        room -= remaining
        if room == 0 and number + 1 < len(results):
            token = json.dumps({"query": number + 1, "offset": 0}).encode()
            return page, base64.urlsafe_b64encode(token).decode()
    return page, None


def _shape(
    result: dict[str, Any], begin: int = 0, end: int | None = None, status: str = "Complete"
) -> dict[str, Any]:
    return {
        "Id": result["id"],
        "Label": result["label"],
        "Timestamps": result["timestamps"][begin:end],
        "Values": result["values"][begin:end],
        "StatusCode": status,
    }


def _datetime(when: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=when)

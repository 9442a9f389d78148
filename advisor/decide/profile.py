"""The workload profile: what the decision needs to know about a workload, and nothing else.

A profile comes from a scanned function's metrics (:func:`profile_from_function`) or from the
planner's form (:meth:`advisor.decide.planner.PlannerInput.to_profile`); the cost model and the
decision framework read only profiles, so both paths get the same answer for the same traffic.

From metrics:

* monthly invocations = invocations in the window x 730 h / window hours (the window is the
  collector's 14 days, so a quiet or busy fortnight is extrapolated as it is);
* burstiness = the busiest hour's invocations / the mean hour's (1.0 is perfectly flat), and the
  share of hours with no invocation at all;
* durations: the invocation-weighted average, the highest hourly p99, and the longest observed
  run, which is what the 15-minute limit is checked against;
* concurrency: mean = requests/s x average duration (Little's law), busy = mean x the busiest
  hour's ratio; the observed instantaneous peak is kept for the reasons;
* the CPU share of an execution is not in the metrics: ``DEFAULT_CPU_SHARE`` unless given;
* cold starts are not measured (the metrics carry no INIT durations), so a scanned function's
  INIT phase is left out of its Lambda cost and the decision says so;
* the front door, from the triggers: a REST API integration, else an HTTP API one, else an
  Application Load Balancer allowed to invoke it (``elasticloadbalancing.amazonaws.com`` in
  the resource policy), else a function URL; none otherwise.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from advisor.collect.inventory import Function, Series
from advisor.collect.relations import Callers
from advisor.decide.prices import HOURS_PER_MONTH

LAMBDA_MAX_DURATION_MS = 15 * 60 * 1000  # lambda/latest/dg/gettingstarted-limits.html

# Invocation types, as advisor.collect.relations names them.
SYNC = "sync"
ASYNC = "async"
STREAM = "stream"
QUEUE = "queue"
INVOCATION_TYPES = (SYNC, ASYNC, STREAM, QUEUE)

# How strict the caller is about latency (planner input; derived for scanned functions).
LATENCY_STRICT = "strict"  # a person or a tight upstream timeout waits on every call
LATENCY_MODERATE = "moderate"  # a person waits, but an occasional slow call is acceptable
LATENCY_RELAXED = "relaxed"  # nobody waits: async, batch, queue consumers
LATENCY_REQUIREMENTS = (LATENCY_STRICT, LATENCY_MODERATE, LATENCY_RELAXED)

# How much the team can spend running servers (patching, scaling, on-call).
OPS_LOW = "low"
OPS_MEDIUM = "medium"
OPS_HIGH = "high"
OPS_BUDGETS = (OPS_LOW, OPS_MEDIUM, OPS_HIGH)

# The share of an execution's billed time spent computing rather than waiting on I/O (calls to
# databases and other services). Lambda bills the waiting; a container serves other requests
# meanwhile, so it needs cpu_share of the Lambda-equivalent capacity per execution in flight.
# Metrics cannot tell (Lambda reports no CPU time without Lambda Insights): half is the default,
# 1.0 (CPU-bound) is the planner's conservative choice.
DEFAULT_CPU_SHARE = 0.5

# What receives the calls before the function does. Each is priced on both sides of the
# comparison (advisor.decide.compare.front_doors): API Gateway in front of Lambda becomes a load
# balancer in front of containers or EC2 unless API Gateway is kept in front of all options.
FRONT_DOOR_NONE = "none"  # invoked by a service, a queue or a stream: nothing to add
FRONT_DOOR_REST = "apigw-rest"
FRONT_DOOR_HTTP = "apigw-http"
FRONT_DOOR_FUNCTION_URL = "function-url"  # no charge on Lambda; a load balancer for servers
FRONT_DOOR_ALB = "alb"  # the same load balancer in front of either
FRONT_DOORS = (
    FRONT_DOOR_NONE,
    FRONT_DOOR_REST,
    FRONT_DOOR_HTTP,
    FRONT_DOOR_FUNCTION_URL,
    FRONT_DOOR_ALB,
)
API_GATEWAY_DOORS = (FRONT_DOOR_REST, FRONT_DOOR_HTTP)
ALB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"

SOURCE_METRICS = "metrics"
SOURCE_PLANNER = "planner"


@dataclass(frozen=True)
class WorkloadProfile:
    monthly_requests: float
    avg_duration_ms: float
    memory_mb: int
    arch: str = "x86_64"
    region: str = "us-east-1"
    name: str = ""
    p99_duration_ms: float | None = None
    max_duration_ms: float | None = None  # the longest run, observed or planned
    ephemeral_mb: int = 512
    peak_to_mean: float = 1.0  # busiest hour / mean hour, >= 1
    idle_hour_share: float = 0.0  # 0..1
    peak_concurrency: float | None = None  # observed instantaneous peak, if any
    invocation_types: frozenset[str] = frozenset()  # empty: unknown
    latency_requirement: str = LATENCY_MODERATE
    ops_budget: str = OPS_MEDIUM
    gpu: bool = False
    cpu_share: float = DEFAULT_CPU_SHARE  # 0 < share <= 1
    provisioned_concurrency: int = 0
    provisioned_utilization_peak: float | None = None  # 0..1
    front_door: str = FRONT_DOOR_NONE
    keep_api_gateway: bool = False  # API Gateway stays in front of containers and EC2 too
    # Cold starts, billed since 2025-08-01: the INIT phase's length and the share of invocations
    # that start cold. None: not known (a scan does not measure them); then INIT is left out.
    init_duration_ms: float | None = None
    cold_start_share: float | None = None  # 0..1
    cold_start_share_assumed: bool = False  # the planner's default share, not the user's
    window_hours: float | None = None  # None for a planned workload
    source: str = SOURCE_METRICS
    gaps: tuple[str, ...] = field(default=())  # what the profile could not be built from

    @property
    def longest_run_ms(self) -> float:
        return self.max_duration_ms if self.max_duration_ms is not None else self.avg_duration_ms

    @property
    def exceeds_lambda_limit(self) -> bool:
        return self.longest_run_ms > LAMBDA_MAX_DURATION_MS

    @property
    def mean_concurrency(self) -> float:
        """Executions in flight on average over the month (Little's law)."""
        seconds = HOURS_PER_MONTH * 3600
        return self.monthly_requests / seconds * (self.avg_duration_ms / 1000.0)

    @property
    def busy_concurrency(self) -> float:
        """Executions in flight on average during the busiest hour."""
        return self.mean_concurrency * max(1.0, self.peak_to_mean)

    @property
    def init_known(self) -> bool:
        return bool(self.init_duration_ms) and self.cold_start_share is not None

    @property
    def monthly_cold_starts(self) -> float:
        return self.monthly_requests * (self.cold_start_share or 0.0) if self.init_known else 0.0

    @property
    def is_synchronous(self) -> bool:
        return SYNC in self.invocation_types

    def at_volume(self, monthly_requests: float) -> WorkloadProfile:
        """The same workload shape (duration, memory, burstiness) at another volume."""
        scale = monthly_requests / self.monthly_requests if self.monthly_requests else None
        peak = self.peak_concurrency * scale if self.peak_concurrency and scale else None
        # dataclasses.replace without re-running __init__ (a curve and a crossover search call
        # this about a hundred times per function): the class has no __post_init__ to honour.
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        other.__dict__["monthly_requests"] = monthly_requests
        other.__dict__["peak_concurrency"] = peak
        return other


def profile_from_function(
    fn: Function,
    *,
    invocation_types: Iterable[str] | None = None,
    callers: Callers | None = None,
    latency_requirement: str | None = None,
    ops_budget: str = OPS_MEDIUM,
    cpu_share: float = DEFAULT_CPU_SHARE,
) -> WorkloadProfile:
    """The profile of a scanned function, from its configuration and metrics.

    ``callers`` (``RelationIndex.callers(fn)`` from :mod:`advisor.collect.relations`) gives the
    invocation types and the front door; ``invocation_types`` alone gives the types only;
    without either the type is unknown and there is no front door. The latency
    requirement defaults to ``moderate`` for a synchronously invoked function and ``relaxed``
    otherwise: a scan cannot know the caller's patience, the planner asks for it."""
    if callers is not None and invocation_types is None:
        invocation_types = callers.invocation_types
    types = frozenset(invocation_types or ())
    unknown = types - set(INVOCATION_TYPES)
    if unknown:
        raise ValueError(f"unknown invocation types {sorted(unknown)}; use {INVOCATION_TYPES}")
    if latency_requirement is None:
        latency_requirement = LATENCY_MODERATE if SYNC in types else LATENCY_RELAXED
    provisioned = sum(
        c.allocated if c.allocated is not None else c.requested for c in fn.provisioned_concurrency
    )
    base = WorkloadProfile(
        name=fn.name,
        region=fn.region,
        monthly_requests=0.0,
        avg_duration_ms=0.0,
        memory_mb=fn.memory_mb,
        arch=fn.arch,
        ephemeral_mb=fn.ephemeral_storage_mb,
        invocation_types=types,
        latency_requirement=latency_requirement,
        ops_budget=ops_budget,
        cpu_share=cpu_share,
        provisioned_concurrency=provisioned,
        front_door=front_door_of(callers) if callers is not None else FRONT_DOOR_NONE,
    )
    m = fn.metrics
    if m is None:
        return dataclasses.replace(base, window_hours=None, gaps=("no metrics",))

    gaps: list[str] = []
    hourly = hourly_totals(m.invocations) if m.invocations is not None else []
    window_hours = float(m.window_hours or len(hourly))
    total = m.invocations_total or (m.invocations.total() if m.invocations is not None else 0.0)
    if window_hours <= 0:
        return dataclasses.replace(base, gaps=("metrics window is empty",))
    monthly = total * HOURS_PER_MONTH / window_hours

    avg = m.duration_avg_ms
    if avg is None and m.duration_avg is not None and m.invocations is not None:
        avg = _weighted_average(m.duration_avg, m.invocations)
    if avg is None:
        avg = 0.0
        if total:
            gaps.append("no duration metrics")

    if hourly:
        peak_to_mean, idle_share = burstiness(hourly, window_hours)
    else:
        peak_to_mean, idle_share = 1.0, 0.0
        if total:
            gaps.append("no hourly invocations series")
    return dataclasses.replace(
        base,
        monthly_requests=monthly,
        avg_duration_ms=avg,
        p99_duration_ms=_first(m.duration_p99_ms, _peak(m.duration_p99)),
        max_duration_ms=_first(m.duration_max_ms, _peak(m.duration_max)),
        peak_to_mean=peak_to_mean,
        idle_hour_share=idle_share,
        peak_concurrency=_first(m.concurrency_peak, _peak(m.concurrent_max)),
        provisioned_utilization_peak=_peak(m.provisioned_utilization_max),
        window_hours=window_hours,
        gaps=tuple(gaps),
    )


def front_door_of(callers: Callers) -> str:
    """The front door of a scanned function (the dearest kind when it has several)."""
    kinds = {api.api_kind for api in callers.api_integrations}
    if "rest" in kinds:
        return FRONT_DOOR_REST
    if "http" in kinds:
        return FRONT_DOOR_HTTP
    if any(s.principal == ALB_PRINCIPAL for s in callers.push_sources):
        return FRONT_DOOR_ALB
    if callers.function_url is not None:
        return FRONT_DOOR_FUNCTION_URL
    return FRONT_DOOR_NONE


def hourly_totals(series: Series) -> list[float]:
    """A Sum series regrouped into hours (missing points count as zero activity)."""
    if series.period <= 0:
        raise ValueError("series period must be positive")
    if series.period == 3600:
        return [v or 0.0 for v in series.values]
    hours: dict[int, float] = {}
    for i, value in enumerate(series.values):
        hour = (i * series.period) // 3600
        hours[hour] = hours.get(hour, 0.0) + (value or 0.0)
    return [hours.get(h, 0.0) for h in range(max(hours) + 1)] if hours else []


def burstiness(hourly: list[float], window_hours: float | None = None) -> tuple[float, float]:
    """(peak-to-mean, idle share) of hourly invocation counts.

    Hours the series does not cover (a window longer than the series) count as idle. With no
    invocation at all the workload is flat by convention (1.0) and wholly idle (1.0)."""
    hours = max(len(hourly), int(window_hours or 0))
    if hours == 0:
        return 1.0, 1.0
    total = sum(hourly)
    idle = sum(1 for v in hourly if v <= 0) + (hours - len(hourly))
    idle_share = idle / hours
    if total <= 0:
        return 1.0, idle_share
    mean = total / hours
    return max(1.0, max(hourly) / mean), idle_share


def _weighted_average(values: Series, weights: Series) -> float | None:
    num = den = 0.0
    for v, w in zip(values.values, weights.values, strict=False):
        if v is not None and w:
            num += v * w
            den += w
    return num / den if den else None


def _peak(series: Series | None) -> float | None:
    return series.peak() if series is not None else None


def _first(*values: float | None) -> float | None:
    for v in values:
        if v is not None and not math.isnan(v):
            return v
    return None

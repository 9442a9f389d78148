"""14 days of hourly Lambda metrics shaped like real traffic, as PutMetricData items.

Deterministic: every function draws from its own ``random.Random`` seeded by its name, so two
seeds of the demo publish the same numbers. Per function and hour with invocations:
Invocations, Errors (Sum), Duration (a distribution: ``Values``/``Counts``, so Average, Maximum
and p99 come out as CloudWatch computes them), ConcurrentExecutions (Maximum); Throttles where
the function throttles; UrlRequestCount for a function URL (by ``Resource``); IteratorAge for
stream consumers; ProvisionedConcurrencyUtilization and
ProvisionedConcurrencySpilloverInvocations on the ``live`` alias; DeadLetterErrors and
DestinationDeliveryFailures where configured; AsyncEventsReceived, AsyncEventAge and
AsyncEventsDropped for functions an asynchronous source invokes (behind alias ``live``, for the
alias too, with the ``Resource`` dimension, as Lambda publishes them). Account level:
ConcurrentExecutions and UnreservedConcurrentExecutions without dimensions.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from advisor.demo.acme import Fn, Traffic

HOURS = 14 * 24
# Quantiles a published Duration distribution is drawn at, with the share of invocations each
# stands for (they sum to 1).
DURATION_QUANTILES = (
    (0.05, 0.10),
    (0.20, 0.20),
    (0.40, 0.20),
    (0.60, 0.20),
    (0.80, 0.15),
    (0.93, 0.10),
    (0.985, 0.04),
    (0.999, 0.01),
)


# Of an async function's failed events, the share that fails on every attempt (a bad payload):
# those exhaust the retries and leave the asynchronous queue as AsyncEventsDropped, going to the
# dead-letter queue or on-failure destination where there is one, and lost where there is none.
POISON_SHARE = 0.5


def is_async(fn: Fn) -> bool:
    """Invoked through Lambda's asynchronous queue: S3, SNS, EventBridge or Scheduler."""
    return bool(fn.s3_bucket or fn.sns_topic or fn.schedule or fn.event_pattern or fn.scheduler)


def dropped_events(fn: Fn, errors: int) -> int:
    """Events an hour with ``errors`` function errors drops after the retries: each poisoned event
    fails 1 + retries times (2 retries unless configured)."""
    retries = 2 if fn.async_retries is None else fn.async_retries
    return round(errors * POISON_SHARE / (1 + retries))


@dataclass
class FunctionSeries:
    """What one function contributed to the account-level series."""

    concurrency: list[float]


def rng_for(name: str) -> random.Random:
    return random.Random(zlib.crc32(name.encode()))


def hourly_invocations(traffic: Traffic, hours: list[datetime], rng: random.Random) -> list[int]:
    counts = []
    for moment in hours:
        hour = moment.hour
        weekend = moment.weekday() >= 5
        if traffic.kind == "diurnal":
            # Low at 04:00, high mid-afternoon; weekends at 60 %.
            shape = 0.08 + 0.92 * (0.5 - 0.5 * math.cos(2 * math.pi * (hour - 4) / 24)) ** 1.5
            value = traffic.peak_per_hour * shape * (0.6 if weekend else 1.0)
            value *= rng.uniform(0.88, 1.12)
        elif traffic.kind == "bursty":
            base = traffic.peak_per_hour * 0.03 * rng.uniform(0.5, 1.5)
            burst = rng.random() < 0.07
            value = base + (traffic.peak_per_hour * rng.uniform(0.5, 1.0) if burst else 0)
        elif traffic.kind == "steady":
            value = traffic.peak_per_hour * rng.uniform(0.95, 1.05)
        elif traffic.kind == "nightly":
            value = traffic.peak_per_hour if hour == 2 else 0
        else:  # sparse
            value = rng.choice((0, 0, 1, 1, 2)) * traffic.peak_per_hour / 2 + (
                traffic.peak_per_hour if rng.random() < 0.3 else 0
            )
        counts.append(max(0, round(value)))
    return counts


def duration_distribution(
    fn: Fn, traffic: Traffic, invocations: int, rng: random.Random, timed_out: int
) -> tuple[list[float], list[float]]:
    """Values and counts for one hour's Duration (ms), capped at the timeout."""
    timeout_ms = fn.timeout * 1000.0
    median = traffic.duration_ms * rng.uniform(0.9, 1.1)
    values, counts = [], []
    remaining = invocations - timed_out
    for quantile, share in DURATION_QUANTILES:
        count = round(remaining * share)
        if count <= 0:
            continue
        z = _normal_quantile(quantile)
        value = min(median * math.exp(traffic.duration_spread * z), timeout_ms * 0.97)
        values.append(round(value, 2))
        counts.append(float(count))
    if timed_out:
        values.append(timeout_ms)  # Lambda reports the timeout as the duration
        counts.append(float(timed_out))
    if not values:
        values, counts = [round(median, 2)], [float(max(1, invocations))]
    return values, counts


def function_metrics(
    fn: Fn, hours: list[datetime], *, dense: bool = True
) -> tuple[list[dict], FunctionSeries]:
    """PutMetricData items for one function, and its hourly peak concurrency."""
    traffic = fn.traffic
    rng = rng_for(fn.name)
    async_rng = rng_for(f"{fn.name}:async")  # its own draws: the other series stay as they were
    invocations = hourly_invocations(traffic, hours, rng)
    bad_day = hours[-1].date() - timedelta(days=3)
    by_name = [{"Name": "FunctionName", "Value": fn.name}]
    by_alias = [*by_name, {"Name": "Resource", "Value": f"{fn.name}:live"}]
    items: list[dict] = []
    concurrency_series: list[float] = []
    worst_backlog_day = hours[-1].date() - timedelta(days=5)
    for moment, count in zip(hours, invocations, strict=True):
        if fn.reserved == 0:
            count_throttled, count = count + rng.randint(0, 3), 0
        else:
            count_throttled = 0
        average_concurrency = count * traffic.duration_ms / 1000.0 / 3600.0
        peak = max(1.0, average_concurrency * rng.uniform(2.0, 3.5)) if count else 0.0
        if traffic.concurrency_peak and count > traffic.peak_per_hour * 0.4:
            peak = traffic.concurrency_peak * rng.uniform(0.85, 1.0)
        if traffic.throttle_above and peak > traffic.throttle_above:
            share = 1 - traffic.throttle_above / peak
            count_throttled = round(count * share * 0.5)
            peak = float(traffic.throttle_above)
        concurrency_series.append(peak)
        if count_throttled:
            items.append(_item("Throttles", by_name, moment, count_throttled, "Count"))
        if not count:
            continue
        rate = traffic.error_rate
        if traffic.bad_day_error_rate and moment.date() == bad_day:
            rate = traffic.bad_day_error_rate
        timed_out = 0
        if traffic.hit_timeout and rng.random() < 0.25:
            timed_out = max(1, round(count * 0.002))
        errors = min(count, round(count * rate * rng.uniform(0.6, 1.4)) + timed_out)
        values, counts = duration_distribution(fn, traffic, count, rng, timed_out)
        items.append(_item("Invocations", by_name, moment, count, "Count"))
        if fn.url_auth:
            # The URL is the unqualified function's: Lambda counts its requests by Resource
            # fn:$LATEST (lambda/latest/dg/urls-monitoring.html), which is how a scan finds it.
            by_url = [*by_name, {"Name": "Resource", "Value": f"{fn.name}:$LATEST"}]
            items.append(_item("UrlRequestCount", by_url, moment, count, "Count"))
        if fn.alias:
            # Lambda also counts an alias's invocations by Resource, and by ExecutedVersion
            # for the versions its routing sends them to.
            items.append(_item("Invocations", by_alias, moment, count, "Count"))
            if fn.canary:
                second = round(count * fn.canary)
                for version, share in (("1", count - second), ("2", second)):
                    executed = [*by_alias, {"Name": "ExecutedVersion", "Value": version}]
                    items.append(_item("Invocations", executed, moment, share, "Count"))
        items.append(_item("Errors", by_name, moment, errors, "Count"))
        items.append(
            {
                "MetricName": "Duration",
                "Dimensions": by_name,
                "Timestamp": moment,
                "Values": values,
                "Counts": counts,
                "Unit": "Milliseconds",
            }
        )
        if not dense:
            continue
        items.append(_item("ConcurrentExecutions", by_name, moment, round(peak), "Count"))
        if traffic.iterator_age_ms is not None:
            age = traffic.iterator_age_ms * rng.uniform(0.5, 2.0)
            if traffic.iterator_age_spike_ms and moment.date() == worst_backlog_day:
                age = traffic.iterator_age_spike_ms * rng.uniform(0.3, 1.0)
            items.append(_item("IteratorAge", by_name, moment, round(age), "Milliseconds"))
        if fn.provisioned and traffic.provisioned_use is not None:
            use = min(1.0, traffic.provisioned_use * rng.uniform(0.5, 1.3))
            items.append(_item("ProvisionedConcurrencyUtilization", by_alias, moment, use, "None"))
            spill = round(count * 0.01) if use > 0.95 else 0
            items.append(
                _item(
                    "ProvisionedConcurrencySpilloverInvocations", by_alias, moment, spill, "Count"
                )
            )
        dead = (1 if rng.random() < 0.05 else 0) if traffic.dead_letter_errors else 0
        failed = (1 if rng.random() < 0.03 else 0) if traffic.destination_failures else 0
        # Behind an alias every caller invokes the alias: Lambda publishes each series once for
        # the function (FunctionName) and once for the alias (FunctionName and Resource).
        invoked = (by_name, by_alias) if fn.alias else (by_name,)
        async_items: list[tuple[str, float, str]] = []
        if traffic.dead_letter_errors:
            async_items.append(("DeadLetterErrors", dead, "Count"))
        if traffic.destination_failures:
            async_items.append(("DestinationDeliveryFailures", failed, "Count"))
        if is_async(fn):
            async_items.append(("AsyncEventsReceived", count, "Count"))
            # Events wait in the queue for a free instance: longer in the hours that throttle.
            age = async_rng.uniform(15, 120) * (400 if count_throttled else 1)
            async_items.append(("AsyncEventAge", round(age), "Milliseconds"))
            # An event Lambda failed to hand to the DLQ or destination was dropped first.
            dropped = max(dropped_events(fn, errors), dead + failed)
            async_items.append(("AsyncEventsDropped", dropped, "Count"))
        for dimensions in invoked:
            for name, value, unit in async_items:
                items.append(_item(name, dimensions, moment, value, unit))
    return items, FunctionSeries(concurrency=concurrency_series)


def account_metrics(
    hours: list[datetime], series: list[tuple[Fn, FunctionSeries]], limit: int, reserved: int
) -> list[dict]:
    """Account-level ConcurrentExecutions and UnreservedConcurrentExecutions (no dimensions).
    The peaks of different functions rarely coincide: the account peak is taken as the largest
    function peak plus 60 % of the others'."""
    items = []
    for position, moment in enumerate(hours):
        peaks = sorted((s.concurrency[position] for _, s in series), reverse=True)
        unreserved_peaks = sorted(
            (s.concurrency[position] for fn, s in series if fn.reserved is None), reverse=True
        )
        total = (peaks[0] + 0.6 * sum(peaks[1:])) if peaks else 0
        unreserved = (
            (unreserved_peaks[0] + 0.6 * sum(unreserved_peaks[1:])) if unreserved_peaks else 0
        )
        items.append(_item("ConcurrentExecutions", [], moment, round(min(total, limit)), "Count"))
        items.append(
            _item(
                "UnreservedConcurrentExecutions",
                [],
                moment,
                round(min(unreserved, limit - reserved)),
                "Count",
            )
        )
    return items


def window(end: datetime, hours: int = HOURS) -> list[datetime]:
    """The ``hours`` whole hours before ``end`` (its minutes dropped), oldest first; each data
    point is stamped half past its hour, as CloudWatch's own would fall inside it."""
    end = end.replace(minute=0, second=0, microsecond=0)
    return [end - timedelta(hours=hours - n) + timedelta(minutes=30) for n in range(hours)]


def batches(items: list[dict], size: int = 1000) -> Iterator[list[dict]]:
    """PutMetricData takes at most 1,000 items per call."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _item(name: str, dimensions: list[dict], moment: datetime, value: float, unit: str) -> dict:
    return {
        "MetricName": name,
        "Dimensions": dimensions,
        "Timestamp": moment,
        "Value": float(value),
        "Unit": unit,
    }


def _normal_quantile(p: float) -> float:
    """Inverse of the standard normal CDF (Acklam's rational approximation)."""
    a = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
         -30.66479806614716, 2.506628277459239)  # fmt: skip
    b = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
         -13.28068155288572)  # fmt: skip
    c = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
         4.374664141464968, 2.938163982698783)  # fmt: skip
    d = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
    low = 0.02425
    if p < low:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    if p > 1 - low:
        return -_normal_quantile(1 - p)
    q = p - 0.5
    r = q * q
    return (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )

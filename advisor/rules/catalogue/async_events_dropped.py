from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_ASYNC_CONFIG,
    DATA_FUNCTIONS,
    DATA_METRICS,
    Function,
    FunctionMetrics,
    RegionInventory,
    Series,
)
from advisor.collect.relations import RelationIndex
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    failure_queue_remediation,
    gap_reason,
    lambda_cli,
    metrics_or_reason,
    not_evaluated,
    resource_gap,
    sam_function,
)

RULE = Rule(
    id="async-events-dropped",
    title="Asynchronous events dropped or not delivered to their failure path",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "Lambda counts, per function, the asynchronous events it dropped after the retries or "
        "the maximum event age (AsyncEventsDropped), the events it could not send to the "
        "dead-letter queue (DeadLetterErrors) and the records it could not send to a "
        "destination (DestinationDeliveryFailures). A dropped event goes to the dead-letter "
        "queue or on-failure destination when there is one; without one it is lost. A delivery "
        "error loses the event even though a failure path is configured: usually the "
        "function's role may not write to the target, the target is gone or is a FIFO queue or "
        "topic, or the record is too large. Any of these above zero in the window is reported, "
        "with the count per day; AsyncEventAge (the longest an event waited) is shown for "
        "context. The metrics are read with one GetMetricData query each, for the functions an "
        "asynchronous caller may invoke or that have a failure path."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#async-invocation-metrics",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS),
)

# Permission the function's role needs to deliver to each kind of target.
SEND_ACTION = {
    "sqs": "sqs:SendMessage",
    "sns": "sns:Publish",
    "lambda": "lambda:InvokeFunction",
    "events": "events:PutEvents",
    "s3": "s3:PutObject",
}


def per_day(series: Series | None) -> dict[str, float]:
    """The series summed per UTC day, days with a non-zero total only."""
    days: dict[str, float] = {}
    if series is None:
        return days
    for i, value in enumerate(series.values):
        if value:
            day = dt.datetime.fromtimestamp(series.start + i * series.period, dt.UTC).date()
            days[day.isoformat()] = days.get(day.isoformat(), 0.0) + value
    return days


def _total(series: Series | None) -> float:
    return series.total() if series is not None else 0.0


def _watched(fn: Function, index: RelationIndex) -> bool:
    """Could the function have these metrics: an async caller, a DLQ or an async config."""
    return bool(
        index.callers(fn).async_sources or fn.dead_letter_target or fn.async_config is not None
    )


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory, index = ctx.inventory, ctx.relations
    for fn in inventory.functions:
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            if _watched(fn, index):
                yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        dropped = _total(metrics.async_events_dropped)
        undelivered = _total(metrics.dead_letter_errors) + _total(
            metrics.destination_delivery_failures
        )
        if undelivered:
            yield _finding(inventory, fn, metrics, lost_because="delivery")
            continue
        if not dropped:
            continue
        on_failure = fn.async_config.on_failure if fn.async_config else None
        if fn.dead_letter_target or on_failure:
            continue  # dropped into the failure path, which delivered them
        gap = resource_gap(inventory, DATA_ASYNC_CONFIG, fn.arn) or inventory.missing(
            DATA_ASYNC_CONFIG
        )
        if gap is not None:
            yield not_evaluated(
                RULE,
                inventory,
                fn.arn,
                f"{dropped:.0f} events were dropped, but whether an on-failure destination "
                f"received them is not known: {gap_reason(gap)}",
            )
            continue
        yield _finding(inventory, fn, metrics, lost_because="no failure path")


def _finding(
    inventory: RegionInventory, fn: Function, metrics: FunctionMetrics, *, lost_because: str
) -> Result:
    dropped = _total(metrics.async_events_dropped)
    dead = _total(metrics.dead_letter_errors)
    failed = _total(metrics.destination_delivery_failures)
    age = metrics.async_event_age_max.peak() if metrics.async_event_age_max else None
    on_failure = fn.async_config.on_failure if fn.async_config else None
    days = metrics.window_hours // 24 or 14
    if lost_because == "delivery":
        parts = []
        if dead:
            parts.append(f"{dead:.0f} events could not be sent to its dead-letter queue")
        if failed:
            parts.append(f"{failed:.0f} records could not be sent to their destination")
        message = (
            f"{fn.name}: {' and '.join(parts)} in the last {days} days, although a failure "
            "path is configured: those events are lost."
        )
    else:
        message = (
            f"{fn.name} dropped {dropped:.0f} asynchronous events in the last {days} days and "
            "has neither a dead-letter queue nor an on-failure destination: they are lost."
        )
    if age is not None:
        message += f" The longest an event waited was {age / 1000:.1f} s."
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=message,
        evidence={
            "async_events_dropped": dropped,
            "dead_letter_errors": dead,
            "destination_delivery_failures": failed,
            "per_day": {
                "AsyncEventsDropped": per_day(metrics.async_events_dropped),
                "DeadLetterErrors": per_day(metrics.dead_letter_errors),
                "DestinationDeliveryFailures": per_day(metrics.destination_delivery_failures),
            },
            "async_event_age_max_ms": age,
            "dead_letter_target": fn.dead_letter_target,
            "on_failure_destination": on_failure,
            "window_hours": metrics.window_hours,
        },
        remediation=(
            _delivery_remediation(inventory, fn, metrics)
            if lost_because == "delivery"
            else failure_queue_remediation(inventory, fn)
        ),
    )


def _delivery_remediation(
    inventory: RegionInventory, fn: Function, metrics: FunctionMetrics
) -> Remediation:
    dead = _total(metrics.dead_letter_errors)
    on_failure = fn.async_config.on_failure if fn.async_config else None
    target = (fn.dead_letter_target if dead else on_failure) or fn.dead_letter_target or on_failure
    target = target or "TARGET_ARN"
    service = target.split(":")[2] if target.count(":") >= 2 else "sqs"
    action = SEND_ACTION.get(service, "sqs:SendMessage")
    return Remediation(
        # May the function's role write to the target? IAM's policy simulator says, and why not.
        cli=(
            lambda_cli(inventory, "get-function-configuration", fn, "--query Role --output text")
            + " | xargs -I{} aws iam simulate-principal-policy --policy-source-arn {} "
            f"--action-names {action} --resource-arns {target}"
        ),
        iac=sam_function(
            fn,
            {
                "Policies": [
                    {"Statement": [{"Effect": "Allow", "Action": action, "Resource": target}]}
                ]
            },
        ),
    )

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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
from advisor.collect.relations import Callers
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import async_config as qualifier_async_config
from advisor.rules.qualified import invoked_qualifier, serving
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
        "Lambda counts the asynchronous events it dropped after the retries or the maximum "
        "event age (AsyncEventsDropped), the events it could not send to the dead-letter queue "
        "(DeadLetterErrors) and the records it could not send to a destination "
        "(DestinationDeliveryFailures). A dropped event goes to the dead-letter queue or "
        "on-failure destination when there is one; without one it is lost. A delivery error "
        "loses the event even though a failure path is configured: usually the function's role "
        "may not write to the target, the target is gone or is a FIFO queue or topic, or the "
        "record is too large. Any of these above zero in the window is reported, with the count "
        "per day; AsyncEventAge (the longest an event waited) is shown for context. Each alias "
        "or version an asynchronous caller invokes (fn:live) is judged on its own series "
        "(CloudWatch's Resource dimension) and its own failure path: the dead-letter queue of "
        "the version behind it, or its own on-failure destination; the unqualified function on "
        "what remains of the function's series once those are taken out. The metrics are read "
        "with one GetMetricData query each, for what an asynchronous caller may invoke or what "
        "has a failure path."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#async-invocation-metrics",
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-view.html",
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
DELIVERY = "delivery"
NO_FAILURE_PATH = "no failure path"


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


def residual(aggregate: Series | None, parts: list[Series | None]) -> Series | None:
    """What the function's own (aggregate) Sum series counts beyond the qualifiers' series:
    hour by hour, never below zero. CloudWatch's ``FunctionName`` series covers every alias
    and version; what the listed qualifiers do not account for is the unqualified function's."""
    if aggregate is None:
        return None
    aligned = [
        p
        for p in parts
        if p is not None
        and p.start == aggregate.start
        and p.period == aggregate.period
        and len(p.values) == len(aggregate.values)
    ]
    if not aligned:
        return aggregate
    values: list[float | None] = []
    for i, value in enumerate(aggregate.values):
        if value is None:
            values.append(None)
            continue
        values.append(max(0.0, value - sum(p.values[i] or 0.0 for p in aligned)))
    return Series(start=aggregate.start, period=aggregate.period, values=values)


@dataclass(frozen=True)
class Path:
    """One failure path's series: the unqualified function's (qualifier None) or an alias's or
    version's."""

    qualifier: str | None
    dropped: Series | None
    dead: Series | None
    failed: Series | None
    age: Series | None


@dataclass(frozen=True)
class Loss:
    path: Path
    lost_because: str  # DELIVERY or NO_FAILURE_PATH
    version: str | None  # the versions behind the qualifier ("1, 2"); None: $LATEST
    dead_letter_target: str | None
    on_failure: str | None

    @property
    def who(self) -> str:
        return self.path.qualifier or "$LATEST"

    @property
    def lost(self) -> float:
        if self.lost_because == DELIVERY:
            return _total(self.path.dead) + _total(self.path.failed)
        return _total(self.path.dropped)


def paths(fn: Function, metrics: FunctionMetrics) -> list[Path]:
    """The unqualified function's path, then each qualifier whose series were read."""
    qualified = sorted(metrics.async_by_qualifier.items())
    own = Path(
        qualifier=None,
        dropped=residual(
            metrics.async_events_dropped, [q.async_events_dropped for _, q in qualified]
        ),
        dead=residual(metrics.dead_letter_errors, [q.dead_letter_errors for _, q in qualified]),
        failed=residual(
            metrics.destination_delivery_failures,
            [q.destination_delivery_failures for _, q in qualified],
        ),
        age=metrics.async_event_age_max,
    )
    return [own] + [
        Path(
            qualifier=name,
            dropped=q.async_events_dropped,
            dead=q.dead_letter_errors,
            failed=q.destination_delivery_failures,
            age=q.async_event_age_max,
        )
        for name, q in qualified
    ]


def _watched(fn: Function, callers: Callers) -> bool:
    """Could the function have these metrics: an async caller, a DLQ or an async config."""
    return bool(
        callers.async_sources
        or fn.dead_letter_target
        or fn.async_config is not None
        or any(q.async_config is not None for q in fn.qualifiers)
    )


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory, index = ctx.inventory, ctx.relations
    for fn in inventory.functions:
        callers = index.callers(fn)
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            if _watched(fn, callers):
                yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        # A qualifier an asynchronous caller invokes whose own series were not read (an older
        # inventory): its drops are in the function's series and cannot be told apart.
        invoked = {invoked_qualifier(s.function_arn) for s in callers.async_sources} - {None}
        unread = []
        for name in sorted(n for n in invoked if n not in metrics.async_by_qualifier):
            entry = fn.qualifier(name)
            if entry is None or entry.exists is not False:  # one that does not exist drops none
                unread.append(f"{fn.name}:{name}")
        losses: list[Loss] = []
        unknown = [f"the asynchronous metrics of {who} were not read" for who in unread]
        read = (
            metrics.async_events_dropped,
            metrics.dead_letter_errors,
            metrics.destination_delivery_failures,
        )
        for path in paths(fn, metrics) if metrics.async_by_qualifier or any(read) else ():
            judged = _judge(inventory, fn, path)
            if isinstance(judged, Loss) and path.qualifier is None and unread:
                judged = (
                    f"{fn.name}'s series show lost events, but they include those of "
                    f"{', '.join(unread)}, whose own were not read"
                )
            if isinstance(judged, str):
                unknown.append(judged)
            elif judged is not None:
                losses.append(judged)
        if losses:
            yield _finding(inventory, fn, metrics, losses)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))


def _judge(inventory: RegionInventory, fn: Function, path: Path) -> Loss | str | None:
    """None: nothing was lost on this path; a string: whether something was is not known."""
    dropped = _total(path.dropped)
    undelivered = _total(path.dead) + _total(path.failed)
    if not dropped and not undelivered:
        return None
    name = path.qualifier
    if name is None:
        on_failure = fn.async_config.on_failure if fn.async_config else None
        dead_letter, version = fn.dead_letter_target, None
        gap = resource_gap(inventory, DATA_ASYNC_CONFIG, fn.arn) or inventory.missing(
            DATA_ASYNC_CONFIG
        )
        config_unknown = gap_reason(gap) if gap is not None else None
    else:
        if fn.qualifier(name) is None:
            return f"{fn.name}:{name} lost events, but its configuration was not read"
        served = serving(fn, f"{fn.arn}:{name}")
        if isinstance(served, str):
            return f"{fn.name}:{name} lost events, but {served}"
        version = ", ".join(s.version for s in served)
        targets = [s.dead_letter_target for s in served]
        dead_letter = targets[0] if all(targets) else None
        config, config_read = qualifier_async_config(fn, name)
        on_failure = config.on_failure if config else None
        config_unknown = None if config_read else "its event invoke config was not read"
    if undelivered:
        return Loss(path, DELIVERY, version, dead_letter, on_failure)
    if dead_letter or on_failure:
        return None  # dropped into the failure path, which delivered them
    if config_unknown is not None:
        by = "" if name is None else f" by {fn.name}:{name}"
        return (
            f"{dropped:.0f} events were dropped{by}, but whether an on-failure "
            f"destination received them is not known: {config_unknown}"
        )
    return Loss(path, NO_FAILURE_PATH, version, dead_letter, on_failure)


def _sentence(fn: Function, loss: Loss, days: int) -> str:
    path = loss.path
    who = fn.name
    if path.qualifier is not None:
        who = f"{fn.name}:{path.qualifier}"
        if loss.version and loss.version != path.qualifier:
            who += f" (version {loss.version})"
    if loss.lost_because == DELIVERY:
        parts = []
        dead, failed = _total(path.dead), _total(path.failed)
        if dead:
            parts.append(f"{dead:.0f} events could not be sent to its dead-letter queue")
        if failed:
            parts.append(f"{failed:.0f} records could not be sent to their destination")
        return (
            f"{who}: {' and '.join(parts)} in the last {days} days, although a failure "
            "path is configured: those events are lost."
        )
    return (
        f"{who} dropped {_total(path.dropped):.0f} asynchronous events in the last {days} days "
        "and has neither a dead-letter queue nor an on-failure destination: they are lost."
    )


def _evidence(loss: Loss) -> dict[str, Any]:
    path = loss.path
    return {
        "qualifier": path.qualifier,
        "version": loss.version,
        "lost_because": loss.lost_because,
        "async_events_dropped": _total(path.dropped),
        "dead_letter_errors": _total(path.dead),
        "destination_delivery_failures": _total(path.failed),
        "per_day": {
            "AsyncEventsDropped": per_day(path.dropped),
            "DeadLetterErrors": per_day(path.dead),
            "DestinationDeliveryFailures": per_day(path.failed),
        },
        "async_event_age_max_ms": path.age.peak() if path.age else None,
        "dead_letter_target": loss.dead_letter_target,
        "on_failure_destination": loss.on_failure,
    }


def _finding(
    inventory: RegionInventory, fn: Function, metrics: FunctionMetrics, losses: list[Loss]
) -> Result:
    losses = sorted(losses, key=lambda loss: (-loss.lost, loss.path.qualifier or ""))
    days = metrics.window_hours // 24 or 14
    message = " ".join(_sentence(fn, loss, days) for loss in losses)
    each = [_evidence(loss) for loss in losses]
    ages = [e["async_event_age_max_ms"] for e in each if e["async_event_age_max_ms"] is not None]
    age = max(ages) if ages else None
    if age is not None:
        message += f" The longest an event waited was {age / 1000:.1f} s."
    combined: dict[str, dict[str, float]] = {}
    for entry in each:
        for metric, days_counts in entry["per_day"].items():
            into = combined.setdefault(metric, {})
            for day, count in days_counts.items():
                into[day] = into.get(day, 0.0) + count
    first = losses[0]
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=message,
        evidence={
            "async_events_dropped": sum(e["async_events_dropped"] for e in each),
            "dead_letter_errors": sum(e["dead_letter_errors"] for e in each),
            "destination_delivery_failures": sum(e["destination_delivery_failures"] for e in each),
            "per_day": {
                metric: dict(sorted(combined.get(metric, {}).items()))
                for metric in (
                    "AsyncEventsDropped",
                    "DeadLetterErrors",
                    "DestinationDeliveryFailures",
                )
            },
            "async_event_age_max_ms": age,
            "dead_letter_target": first.dead_letter_target,
            "on_failure_destination": first.on_failure,
            "qualifier": first.path.qualifier,
            "version": first.version,
            # Each alias, version or the unqualified function ($LATEST: qualifier None) that lost
            # events, worst first, with its own counts per day
            "losses": each,
            "window_hours": metrics.window_hours,
        },
        remediation=(
            _delivery_remediation(inventory, fn, first)
            if first.lost_because == DELIVERY
            else failure_queue_remediation(inventory, fn, first.path.qualifier)
        ),
    )


def _delivery_remediation(inventory: RegionInventory, fn: Function, loss: Loss) -> Remediation:
    dead = _total(loss.path.dead)
    target = (loss.dead_letter_target if dead else loss.on_failure) or (
        loss.dead_letter_target or loss.on_failure
    )
    target = target or "TARGET_ARN"
    service = target.split(":")[2] if target.count(":") >= 2 else "sqs"
    action = SEND_ACTION.get(service, "sqs:SendMessage")
    qualifier = [f"--qualifier {loss.path.qualifier}"] if loss.path.qualifier else []
    return Remediation(
        # May the function's role write to the target? IAM's policy simulator says, and why not.
        cli=(
            lambda_cli(
                inventory,
                "get-function-configuration",
                fn,
                *qualifier,
                "--query Role --output text",
            )
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

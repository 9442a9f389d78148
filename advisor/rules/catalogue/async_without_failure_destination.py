from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_ASYNC_CONFIG,
    DATA_EVENT_RULES,
    DATA_FUNCTIONS,
    DATA_POLICIES,
    DATA_QUALIFIERS,
    DATA_SCHEDULES,
    DATA_WORKFLOWS,
    AsyncInvokeConfig,
    Function,
    PushSource,
    RegionInventory,
)
from advisor.rules.base import Pillar, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import async_config as qualifier_async_config
from advisor.rules.qualified import invoked_qualifier, serving
from advisor.rules.support import (
    failure_queue_remediation,
    gap_reason,
    not_evaluated,
    resource_gap,
)

RULE = Rule(
    id="async-without-failure-destination",
    title="Asynchronously invoked function without a dead-letter queue or on-failure destination",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "For asynchronous invocations (S3, SNS, EventBridge, IoT, CloudWatch Logs, …) Lambda "
        "queues the event, retries a failed invocation twice and keeps an event for at most six "
        "hours; after that the event is discarded. Without a dead-letter queue or an on-failure "
        "destination (either one is enough) nobody learns which events were lost, and they "
        "cannot be replayed. Each caller is judged on the alias or version it invokes: the "
        "dead-letter queue of the version behind it, or that qualifier's own event invoke "
        "config (an alias's destination does not cover $LATEST, nor the other way round). "
        "EventBridge Scheduler invokes with an IAM role and needs no policy statement."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html",
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets.html",
    ),
    requires=(
        DATA_FUNCTIONS,
        DATA_POLICIES,
        DATA_ASYNC_CONFIG,
        DATA_QUALIFIERS,
        DATA_SCHEDULES,
        DATA_EVENT_RULES,
        DATA_WORKFLOWS,
    ),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    index = ctx.relations
    for fn in inventory.functions:
        sources = index.callers(fn).async_sources
        if not sources:
            # An unread policy, the function's or an invoked qualifier's, may hide a caller.
            policy_gap = resource_gap(inventory, DATA_POLICIES, fn.arn) or resource_gap(
                inventory, DATA_QUALIFIERS, fn.arn
            )
            if policy_gap is not None:
                yield not_evaluated(RULE, inventory, fn.arn, gap_reason(policy_gap))
            continue
        # Each caller reaches the qualifier it invokes: its failure path is that qualifier's
        # (the dead-letter queue of the versions behind it, or its own on-failure destination).
        by_qualifier: dict[str | None, list[PushSource]] = {}
        for source in sources:
            by_qualifier.setdefault(invoked_qualifier(source.function_arn), []).append(source)
        unprotected: list[tuple[str | None, str | None, AsyncInvokeConfig | None]] = []
        unknown: list[str] = []
        for name, callers in by_qualifier.items():
            status = _failure_path(inventory, fn, name, callers)
            if isinstance(status, str):
                unknown.append(status)
            elif status is not None:
                unprotected.append(status)
        if unprotected:
            yield _finding(inventory, fn, unprotected, by_qualifier)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))


def _failure_path(
    inventory: RegionInventory, fn: Function, name: str | None, callers: list[PushSource]
) -> tuple[str | None, str | None, AsyncInvokeConfig | None] | str | None:
    """None: events that fail have somewhere to go; a string: why that is not known;
    otherwise (qualifier, version, its event invoke config) with no failure path."""
    if name is None or fn.qualifier(name) is None:
        # The unqualified function ($LATEST); or a stored inventory without qualifier data,
        # judged as before by the function's own settings.
        if fn.dead_letter_target:
            return None
        config_gap = resource_gap(inventory, DATA_ASYNC_CONFIG, fn.arn)
        if config_gap is not None:
            return gap_reason(config_gap)
        if fn.async_config is not None and fn.async_config.on_failure:
            return None
        return name, None, fn.async_config
    served = serving(fn, f"{fn.arn}:{name}")
    if isinstance(served, str):
        return served
    if all(s.dead_letter_target for s in served):
        return None
    config, read = qualifier_async_config(fn, name)
    if not read:
        return f"the event invoke config of {fn.name}:{name} could not be read"
    if config is not None and config.on_failure:
        return None
    return name, ", ".join(s.version for s in served), config


def _finding(
    inventory: RegionInventory,
    fn: Function,
    unprotected: list[tuple[str | None, str | None, AsyncInvokeConfig | None]],
    by_qualifier: dict[str | None, list[PushSource]],
) -> Result:
    name, version, config = unprotected[0]
    sources = [s for q, _, _ in unprotected for s in by_qualifier[q]]
    who = fn.name if name is None else f"{fn.name}:{name}"
    if name is not None and version:
        who += f" (version {version})"
    described = ", ".join(
        f"{s.principal}" + (f" ({s.source_arn})" if s.source_arn else "") for s in sources
    )
    retries = config.maximum_retry_attempts if config else None
    max_age = config.maximum_event_age_seconds if config else None
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{who} is invoked asynchronously by {described} but has neither a "
            f"dead-letter queue nor an on-failure destination: events that still fail after "
            f"{2 if retries is None else retries} retries (or wait longer than "
            f"{21600 if max_age is None else max_age} s) are dropped without a trace."
        ),
        evidence={
            "async_sources": [
                {"principal": s.principal, "source_arn": s.source_arn} for s in sources
            ],
            # What each of them invokes, and how it is allowed to ("role": no policy needed)
            "invokes": [
                {"qualifier": invoked_qualifier(s.function_arn), "via": s.via} for s in sources
            ],
            "qualifier": name,
            "version": version,
            "qualifiers_without_failure_path": [q for q, _, _ in unprotected],
            "dead_letter_target": None,
            "on_failure_destination": None,
            "maximum_retry_attempts": retries,
            "maximum_event_age_seconds": max_age,
        },
        remediation=failure_queue_remediation(inventory, fn, name),
    )

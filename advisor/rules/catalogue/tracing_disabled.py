from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_QUALIFIERS, Function
from advisor.rules.base import Finding, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import Served, served_evidence, serving_each, sync_caller_arns
from advisor.rules.support import (
    api_gaps_not_evaluated,
    lambda_cli,
    not_evaluated,
    publish_and_move,
    sam_function,
    sync_callers_or_reason,
)

RULE = Rule(
    id="tracing-disabled",
    title="No active tracing on a synchronously invoked function",
    pillar=Pillar.OPERATIONS,
    severity=Severity.LOW,
    rationale=(
        "On a request path (API Gateway, function URL, load balancer) latency matters and the "
        "time goes somewhere: cold start, init, a downstream call. With X-Ray active tracing "
        "Lambda samples requests and records those segments, so a slow or failing request can "
        "be followed across services. In PassThrough mode the function is traced only when "
        "the caller already sampled the request. The tracing mode judged is that of the "
        "published version behind each synchronous caller's alias or version."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        "https://docs.aws.amazon.com/xray/latest/devguide/xray-services-lambda.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_QUALIFIERS),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    yield from api_gaps_not_evaluated(RULE, inventory)
    for fn in inventory.functions:
        callers = sync_callers_or_reason(ctx, fn)
        if isinstance(callers, str):
            yield not_evaluated(RULE, inventory, fn.arn, callers)
            continue
        arns = sync_caller_arns(fn, ctx.relations.callers(fn))
        if not callers and not arns:
            continue
        served, unknown = serving_each(fn, arns)
        untraced = [s for s in served if s.tracing_mode != "Active"]
        if untraced:
            yield _finding(ctx, fn, untraced, callers)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))


def _finding(
    ctx: RegionContext, fn: Function, untraced: list[Served], callers: list[str]
) -> Finding:
    inventory = ctx.inventory
    config = untraced[0]
    who = fn.name if config.qualifier is None else f"{fn.name}:{config.label}"
    message = (
        f"{who} is called synchronously by {', '.join(callers) or 'a function URL'} with "
        f"tracing mode {config.tracing_mode}: slow requests cannot be followed through it."
    )
    published = [s for s in untraced if s.qualifier is not None and not s.assumed]
    if published and fn.tracing_mode == "Active":
        message += (
            f" $LATEST has active tracing, but {config.label} was published before: publish "
            "a new version and move the alias."
        )
    cli = lambda_cli(inventory, "update-function-configuration", fn, "--tracing-config Mode=Active")
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=message,
        evidence={
            "tracing_mode": config.tracing_mode,
            "sync_callers": callers,
            "qualifier": config.qualifier,
            "version": None if config.assumed else config.version,
            "latest_tracing_mode": fn.tracing_mode,
            "in_use": served_evidence(untraced),
        },
        remediation=Remediation(
            cli=cli
            + publish_and_move(inventory, fn, published)
            + "  # the role also needs xray:PutTraceSegments (AWSXRayDaemonWriteAccess)",
            iac=sam_function(fn, {"Tracing": "Active"}),
        ),
    )

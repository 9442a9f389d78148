from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, Function
from advisor.rules.base import Finding, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    lambda_cli,
    on_sync_path,
    sam_function,
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
        "the caller already sampled the request."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        "https://docs.aws.amazon.com/xray/latest/devguide/xray-services-lambda.html",
    ),
    requires=(DATA_FUNCTIONS,),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    untraced = (fn for fn in ctx.inventory.functions if fn.tracing_mode != "Active")
    yield from on_sync_path(RULE, ctx, untraced, lambda fn, callers: _finding(ctx, fn, callers))


def _finding(ctx: RegionContext, fn: Function, callers: list[str]) -> Finding:
    inventory = ctx.inventory
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{fn.name} is called synchronously by {', '.join(callers)} with tracing mode "
            f"{fn.tracing_mode}: slow requests cannot be followed through it."
        ),
        evidence={"tracing_mode": fn.tracing_mode, "sync_callers": callers},
        remediation=Remediation(
            cli=lambda_cli(
                inventory, "update-function-configuration", fn, "--tracing-config Mode=Active"
            )
            + "  # the role also needs xray:PutTraceSegments (AWSXRayDaemonWriteAccess)",
            iac=sam_function(fn, {"Tracing": "Active"}),
        ),
    )

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_APIS, DATA_FUNCTIONS, DATA_METRICS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    api_gaps_not_evaluated,
    gap_reason,
    lambda_cli,
    resource_gap,
    sam_function,
)

RULE = Rule(
    id="apigw-timeout-exceeds-integration",
    title="Function timeout at or above its API Gateway integration timeout",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "API Gateway stops waiting for a Lambda integration after the integration timeout "
        "(REST APIs: 50 ms to 29 s, 29 s by default, raisable for regional and private APIs; HTTP "
        "APIs: at most 30 s) and answers 504, but the function keeps running until its own "
        "timeout and is billed for it. A function timeout at or above the integration's means "
        "slow requests fail for the caller while still doing (and paying for) the work, and any "
        "retry by the caller runs it twice. Critical when the observed maximum duration already "
        "exceeds the integration timeout: callers are getting 504s today."
    ),
    sources=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html",
        "https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_APIS),
    options={"headroom_s": 1},
    option_bounds={"headroom_s": (0, 29)},
    option_help={
        "headroom_s": (
            "Seconds below the integration timeout suggested for the new function timeout, so "
            "the function gives up (and can answer) before API Gateway does."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    yield from api_gaps_not_evaluated(RULE, inventory)
    index = ctx.relations
    for fn in inventory.functions:
        integrations = index.callers(fn).api_integrations
        timeout_ms = fn.timeout_s * 1000
        offending = [i for i in integrations if timeout_ms >= i.timeout_ms]
        if not offending:
            continue
        tightest = min(offending, key=lambda i: i.timeout_ms)
        observed_max = None
        if fn.metrics is not None and resource_gap(inventory, DATA_METRICS, fn.arn) is None:
            observed_max = fn.metrics.duration_max_ms
        already_504 = observed_max is not None and observed_max > tightest.timeout_ms
        suggested_s = max(1, tightest.timeout_ms // 1000 - options["headroom_s"])
        kind = "REST API" if tightest.api_kind == "rest" else "HTTP API"
        message = (
            f"{fn.name} has a {fn.timeout_s} s timeout ({timeout_ms} ms) but {kind} "
            f"{tightest.api_name} ({tightest.route}) stops waiting after {tightest.timeout_ms} ms: "
            "callers get a 504 while the function keeps running and billing."
        )
        if already_504:
            message += (
                f" Its observed maximum duration, {observed_max:.0f} ms, already exceeds the "
                "integration timeout."
            )
        metrics_note = None
        if observed_max is None:
            gap = resource_gap(inventory, DATA_METRICS, fn.arn)
            metrics_note = gap_reason(gap) if gap else "no duration metrics for this function"
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            severity=Severity.CRITICAL if already_504 else None,
            message=message,
            evidence={
                "function_timeout_ms": timeout_ms,
                "integration_timeout_ms": tightest.timeout_ms,
                "api_kind": tightest.api_kind,
                "api_id": tightest.api_id,
                "api_name": tightest.api_name,
                "route": tightest.route,
                "observed_max_duration_ms": observed_max,
                "observed_max_note": metrics_note,
                "integrations": [
                    {
                        "api_id": i.api_id,
                        "api_name": i.api_name,
                        "api_kind": i.api_kind,
                        "route": i.route,
                        "timeout_ms": i.timeout_ms,
                    }
                    for i in offending
                ],
                "suggested_timeout_s": suggested_s,
            },
            remediation=Remediation(
                cli=lambda_cli(
                    inventory, "update-function-configuration", fn, f"--timeout {suggested_s}"
                ),
                iac=sam_function(fn, {"Timeout": suggested_s}),
            ),
        )

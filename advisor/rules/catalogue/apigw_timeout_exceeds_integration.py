from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect import relations
from advisor.collect.inventory import (
    DATA_APIS,
    DATA_FUNCTIONS,
    DATA_METRICS,
    DATA_QUALIFIERS,
    ApiIntegration,
    Function,
    RegionInventory,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import Served, serving, unpublished_change
from advisor.rules.support import (
    api_gaps_not_evaluated,
    gap_reason,
    lambda_cli,
    not_evaluated,
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
        "exceeds the integration timeout: callers are getting 504s today. The timeout judged "
        "is that of the published version behind the alias or version the integration "
        "invokes; a longer timeout only on an unpublished $LATEST is reported as info."
    ),
    sources=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html",
        "https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/aws-api-gateway-stage-variables-reference.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_APIS, DATA_QUALIFIERS),
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
        if not integrations:
            continue
        # Each integration against the published versions behind the qualifier it invokes
        # ($LATEST only for an unqualified integration).
        offending: list[tuple[ApiIntegration, Served]] = []
        latest_only: list[ApiIntegration] = []
        unknown: list[str] = []  # integrations whose serving configuration is not known
        for integration in integrations:
            where = f"{integration.api_name} ({integration.route})"
            if integration.unresolved:
                unknown.append(f"{where}: {integration.unresolved}")
                continue
            served = serving(fn, integration.function_arn)
            if isinstance(served, str):
                unknown.append(f"{where}: {served}")
                continue
            over = [s for s in served if s.timeout_s * 1000 >= integration.timeout_ms]
            offending.extend((integration, s) for s in over)
            if (
                not over
                and fn.timeout_s * 1000 >= integration.timeout_ms
                and unpublished_change(fn, served)
            ):
                latest_only.append(integration)
        if offending:
            yield _finding(inventory, fn, offending, options, unknown)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
        elif latest_only:
            yield _unpublished(inventory, fn, latest_only, options)


def _finding(
    inventory: RegionInventory,
    fn: Function,
    offending: list[tuple[ApiIntegration, Served]],
    options: Mapping[str, Any],
    unknown: list[str],
) -> Result:
    tightest, served = min(offending, key=lambda pair: (pair[0].timeout_ms, -pair[1].timeout_s))
    timeout_ms = served.timeout_s * 1000
    observed_max = None
    if fn.metrics is not None and resource_gap(inventory, DATA_METRICS, fn.arn) is None:
        observed_max = fn.metrics.duration_max_ms
    already_504 = observed_max is not None and observed_max > tightest.timeout_ms
    suggested_s = max(1, tightest.timeout_ms // 1000 - options["headroom_s"])
    kind = "REST API" if tightest.api_kind == "rest" else "HTTP API"
    who = fn.name if served.qualifier is None else f"{fn.name}:{served.label}"
    message = (
        f"{who} has a {served.timeout_s} s timeout ({timeout_ms} ms) but {kind} "
        f"{tightest.api_name} ({tightest.route}) stops waiting after {tightest.timeout_ms} ms: "
        "callers get a 504 while the function keeps running and billing."
    )
    if served.qualifier is not None and not served.assumed and fn.timeout_s != served.timeout_s:
        message += f" ($LATEST says {fn.timeout_s} s, but the API invokes {served.label}.)"
    if already_504:
        message += (
            f" Its observed maximum duration, {observed_max:.0f} ms, already exceeds the "
            "integration timeout."
        )
    metrics_note = None
    if observed_max is None:
        gap = resource_gap(inventory, DATA_METRICS, fn.arn)
        metrics_note = gap_reason(gap) if gap else "no duration metrics for this function"
    cli = lambda_cli(inventory, "update-function-configuration", fn, f"--timeout {suggested_s}")
    if served.qualifier is not None and served.qualifier != served.version:
        # A version is immutable: change $LATEST, publish it, move the alias.
        cli += (
            " && "
            + lambda_cli(inventory, "publish-version", fn)
            + " && "
            + lambda_cli(
                inventory,
                "update-alias",
                fn,
                f"--name {served.qualifier} --function-version <the version just published>",
            )
        )
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=Severity.CRITICAL if already_504 else None,
        message=message,
        evidence={
            "function_timeout_ms": timeout_ms,
            "integration_timeout_ms": tightest.timeout_ms,
            "qualifier": served.qualifier,
            "version": None if served.assumed else served.version,
            "latest_timeout_ms": fn.timeout_s * 1000,
            "api_kind": tightest.api_kind,
            "api_id": tightest.api_id,
            "api_name": tightest.api_name,
            "route": tightest.route,
            "stage": tightest.stage,
            "observed_max_duration_ms": observed_max,
            "observed_max_note": metrics_note,
            "integrations": [
                {
                    "api_id": i.api_id,
                    "api_name": i.api_name,
                    "api_kind": i.api_kind,
                    "route": i.route,
                    "timeout_ms": i.timeout_ms,
                    "qualifier": s.qualifier,
                    "version": None if s.assumed else s.version,
                    "function_timeout_ms": s.timeout_s * 1000,
                }
                for i, s in offending
            ],
            "suggested_timeout_s": suggested_s,
            "not_evaluated_integrations": unknown,
        },
        remediation=Remediation(cli=cli, iac=sam_function(fn, {"Timeout": suggested_s})),
    )


def _unpublished(
    inventory: RegionInventory,
    fn: Function,
    integrations: list[ApiIntegration],
    options: Mapping[str, Any],
) -> Result:
    """$LATEST's timeout would exceed an integration, but no caller runs $LATEST yet."""
    tightest = min(integrations, key=lambda i: i.timeout_ms)
    suggested_s = max(1, tightest.timeout_ms // 1000 - options["headroom_s"])
    kind = "REST API" if tightest.api_kind == "rest" else "HTTP API"
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=Severity.INFO,
        message=(
            f"Not live yet: {fn.name}'s unpublished $LATEST has a {fn.timeout_s} s timeout, at "
            f"or above the {tightest.timeout_ms} ms of {kind} {tightest.api_name} "
            f"({tightest.route}). The version the API invokes is fine; publishing $LATEST as it "
            "is would make callers get 504s."
        ),
        evidence={
            "function_timeout_ms": fn.timeout_s * 1000,
            "integration_timeout_ms": tightest.timeout_ms,
            "qualifier": relations.qualifier(tightest.function_arn),
            "version": "$LATEST",
            "unpublished": True,
            "api_kind": tightest.api_kind,
            "api_id": tightest.api_id,
            "api_name": tightest.api_name,
            "route": tightest.route,
            "suggested_timeout_s": suggested_s,
        },
        remediation=Remediation(
            cli=lambda_cli(
                inventory, "update-function-configuration", fn, f"--timeout {suggested_s}"
            ),
            iac=sam_function(fn, {"Timeout": suggested_s}),
        ),
    )

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_METRICS, DATA_QUALIFIERS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import caller_arns, in_use, served_evidence
from advisor.rules.support import (
    lambda_cli,
    metrics_or_reason,
    not_evaluated,
    publish_and_move,
    sam_function,
)

LAMBDA_MAX_TIMEOUT_S = 900

RULE = Rule(
    id="timeouts-observed",
    title="Maximum duration at or near the configured timeout",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "When an invocation reaches the function's timeout Lambda stops it mid-work and counts "
        "an error: the caller gets an error, asynchronous events are retried, and whatever the "
        "function had half done stays half done. A maximum duration at the timeout means "
        "invocations are being cut off (high); close to it, they soon will be (medium). The "
        "timeout judged is the longest among the configurations in use (the published "
        "versions behind the aliases and versions callers invoke or that had traffic, and "
        "$LATEST when invoked unqualified): the function's duration metric covers them all, "
        "and only that configuration can run that long."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS, DATA_QUALIFIERS),
    options={"near_timeout_share": 0.9, "suggested_headroom": 1.5},
    option_bounds={"suggested_headroom": (1, 10)},
    option_help={
        "near_timeout_share": (
            "Maximum duration, as a share of the timeout, at or above which the function is "
            "reported (at 100 % it is high)."
        ),
        "suggested_headroom": "The suggested timeout is the maximum duration times this.",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        observed = metrics.duration_max_ms
        if observed is None:
            continue  # never invoked in the window
        # The duration is the function's, over every configuration in use; the longest
        # timeout among them is the one a duration that long can come from.
        served, unknown = in_use(fn, caller_arns(fn, ctx.relations.callers(fn)))
        if unknown and not served:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
            continue
        config = max(served, key=lambda s: s.timeout_s)
        timeout_ms = config.timeout_s * 1000
        share = observed / timeout_ms
        if share < options["near_timeout_share"]:
            if unknown:
                yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
            continue
        timed_out = observed >= timeout_ms
        suggested = min(
            LAMBDA_MAX_TIMEOUT_S,
            max(config.timeout_s + 1, math.ceil(observed * options["suggested_headroom"] / 1000)),
        )
        what = "invocations are being cut off" if timed_out else "invocations come close"
        who = fn.name if config.qualifier is None else f"{fn.name}:{config.label}"
        published = [s for s in served if s.qualifier is not None and not s.assumed]
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            severity=Severity.HIGH if timed_out else None,
            message=(
                f"{who} ran for up to {observed:.0f} ms against a {timeout_ms} ms timeout "
                f"({share:.0%}): {what}. Find the slow path (p99 "
                f"{_ms(metrics.duration_p99_ms)}, average {_ms(metrics.duration_avg_ms)}) or "
                f"raise the timeout to {suggested} s."
            ),
            evidence={
                "duration_max_ms": observed,
                "timeout_ms": timeout_ms,
                "share_of_timeout": round(share, 4),
                "near_timeout_share": options["near_timeout_share"],
                "duration_p99_ms": metrics.duration_p99_ms,
                "duration_avg_ms": metrics.duration_avg_ms,
                "suggested_timeout_s": suggested,
                "qualifier": config.qualifier,
                "version": None if config.assumed else config.version,
                "latest_timeout_ms": fn.timeout_s * 1000,
                "in_use": [
                    {**e, "timeout_ms": c.timeout_s * 1000}
                    for c, e in zip(served, served_evidence(served), strict=True)
                ],
            },
            remediation=Remediation(
                cli=lambda_cli(
                    inventory, "update-function-configuration", fn, f"--timeout {suggested}"
                )
                + publish_and_move(inventory, fn, published),
                iac=sam_function(fn, {"Timeout": suggested}),
            ),
        )


def _ms(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f} ms"

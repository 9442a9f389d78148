from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_METRICS, Function, RegionInventory
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import lambda_cli, metrics_or_reason, not_evaluated, sam_function

RULE = Rule(
    id="function-throttled",
    title="Function throttled",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "A throttled invocation never runs: synchronous callers receive a 429 "
        "(TooManyRequestsException), asynchronous events and stream or queue batches are "
        "retried later, adding delay. Throttles mean the function hit its reserved concurrency, "
        "the account's unreserved pool ran dry, or the scaling rate was exceeded. High when the "
        "throttle rate passes the configured share of requests."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS),
    options={"min_throttles": 1, "high_throttle_rate": 0.01},
    option_bounds={"min_throttles": (1, 1_000_000)},
    option_help={
        "min_throttles": "Throttles in the window needed to report the function.",
        "high_throttle_rate": (
            "Throttles / (invocations + throttles) at or above which the finding is high."
        ),
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
        throttles = metrics.throttles_total
        if throttles < options["min_throttles"]:
            continue
        # The Invocations metric leaves throttled requests out, so they are added back.
        requests = metrics.invocations_total + throttles
        rate = throttles / requests if requests else 1.0
        severity = Severity.HIGH if rate >= options["high_throttle_rate"] else None
        reserved = fn.reserved_concurrency
        peak = metrics.concurrency_peak
        if reserved == 0:
            severity = Severity.LOW
            cause = "its reserved concurrency is 0, so every invocation is throttled"
        elif reserved is not None:
            cause = f"it is capped by its reserved concurrency of {reserved}"
        else:
            cause = "it has no reservation, so the account's unreserved pool ran out"
        suggested = max(
            (reserved or 0) * 2, math.ceil((peak or 0) * 1.5), 10 if reserved is None else 1
        )
        peak_text = "unknown" if peak is None else f"{peak:.0f}"
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            severity=severity,
            message=(
                f"{fn.name} was throttled {throttles:.0f} times in {metrics.window_hours} h "
                f"({rate:.2%} of {requests:.0f} requests); {cause}. Peak concurrency: "
                f"{peak_text}."
            ),
            evidence={
                "throttles": throttles,
                "invocations": metrics.invocations_total,
                "throttle_rate": round(rate, 6),
                "high_throttle_rate": options["high_throttle_rate"],
                "reserved_concurrency": reserved,
                "concurrency_peak": peak,
                "account_concurrency_limit": inventory.account.concurrency_limit,
                "account_unreserved_concurrency": inventory.account.unreserved_concurrency,
                "window_hours": metrics.window_hours,
                # None when the fix is to remove a reservation of 0, not to set one.
                "suggested_reservation": None if reserved == 0 else suggested,
            },
            remediation=_remediation(inventory, fn, suggested),
        )


def _remediation(inventory: RegionInventory, fn: Function, suggested: int) -> Remediation:
    if fn.reserved_concurrency == 0:
        return Remediation(
            cli=lambda_cli(inventory, "delete-function-concurrency", fn),
            iac=sam_function(fn, {"ReservedConcurrentExecutions": "!Ref AWS::NoValue"}),
        )
    return Remediation(
        cli=lambda_cli(
            inventory,
            "put-function-concurrency",
            fn,
            f"--reserved-concurrent-executions {suggested}",
        ),
        iac=sam_function(fn, {"ReservedConcurrentExecutions": suggested}),
    )

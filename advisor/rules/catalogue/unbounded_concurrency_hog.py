from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_ACCOUNT_SETTINGS,
    DATA_FUNCTION_DETAILS,
    DATA_FUNCTIONS,
    DATA_METRICS,
)
from advisor.rules.base import NotEvaluated, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    gap_reason,
    lambda_cli,
    metrics_or_reason,
    not_evaluated,
    resource_gap,
    sam_function,
)

AWS_UNRESERVED_FLOOR = 100

RULE = Rule(
    id="unbounded-concurrency-hog",
    title="Function without reserved concurrency reaching a large share of the account limit",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "A function without reserved concurrency can scale until the account's regional limit "
        "is used up, and then every other function without a reservation is throttled. One "
        "that has already peaked at a large share of the limit can starve the rest during its "
        "next burst. Reserved concurrency caps it (and guarantees it that much)."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_FUNCTION_DETAILS, DATA_ACCOUNT_SETTINGS, DATA_METRICS),
    options={"max_share_of_limit": 0.5},
    option_help={
        "max_share_of_limit": (
            "Peak concurrency, as a share of the account limit, at or above which an "
            "unreserved function is reported."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    limit = inventory.account.concurrency_limit
    if limit is None:
        yield NotEvaluated(RULE.id, inventory.region, "no account concurrency limit in settings")
        return
    threshold = limit * options["max_share_of_limit"]
    unreserved = inventory.account.unreserved_concurrency
    floor = min(AWS_UNRESERVED_FLOOR, limit)
    for fn in inventory.functions:
        details_gap = resource_gap(inventory, DATA_FUNCTION_DETAILS, fn.arn)
        if details_gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(details_gap))
            continue
        if fn.reserved_concurrency is not None:
            continue
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        peak = metrics.concurrency_peak
        if peak is None or peak < threshold:
            continue
        # Reserve what it has needed, but never more than the pool can give while keeping
        # AWS's unreserved floor.
        suggested = math.ceil(peak)
        if unreserved is not None:
            suggested = min(suggested, max(1, unreserved - floor))
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} has no reserved concurrency and peaked at {peak:.0f} concurrent "
                f"executions, {peak / limit:.0%} of the account's limit of {limit} (threshold "
                f"{options['max_share_of_limit']:.0%}): a burst can throttle every other "
                "unreserved function in the region."
            ),
            evidence={
                "concurrency_peak": peak,
                "concurrency_limit": limit,
                "share_of_limit": round(peak / limit, 4),
                "max_share_of_limit": options["max_share_of_limit"],
                "reserved_concurrency": None,
                "unreserved_concurrency": unreserved,
                "suggested_reservation": suggested,
            },
            remediation=Remediation(
                cli=lambda_cli(
                    inventory,
                    "put-function-concurrency",
                    fn,
                    f"--reserved-concurrent-executions {suggested}",
                ),
                iac=sam_function(fn, {"ReservedConcurrentExecutions": suggested}),
            ),
        )

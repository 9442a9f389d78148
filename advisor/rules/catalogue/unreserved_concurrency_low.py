from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_ACCOUNT_SETTINGS,
    DATA_FUNCTION_DETAILS,
    DATA_FUNCTIONS,
)
from advisor.rules.base import (
    NotEvaluated,
    Pillar,
    Remediation,
    Result,
    Rule,
    Severity,
    account_resource_arn,
)
from advisor.rules.context import RegionContext
from advisor.rules.support import lambda_cli, resource_gap, sam_function

AWS_UNRESERVED_FLOOR = 100

RULE = Rule(
    id="unreserved-concurrency-low",
    title="Reserved concurrency leaves the unreserved pool at or near its floor",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "Every function without reserved concurrency shares the account's unreserved pool in "
        "the region. Lambda keeps at least min(100, limit) unreserved and refuses reservations "
        "beyond that; when reservations bring the pool to (or near) that floor, a burst on any "
        "unreserved function throttles all the others, and no function can be given a new "
        "reservation. High at or near the floor, medium when the pool is merely below the "
        "configured share of the limit."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_AccountLimit.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_ACCOUNT_SETTINGS),
    options={"near_floor_margin": 0.1, "min_unreserved_share": 0.2, "top_reservations": 5},
    option_bounds={"top_reservations": (1, 100)},
    option_help={
        "near_floor_margin": (
            "How far above the floor still counts as 'at the floor' (0.1: within 10 % of it)."
        ),
        "min_unreserved_share": (
            "Share of the concurrency limit the unreserved pool should keep; below it the "
            "finding is medium."
        ),
        "top_reservations": "How many of the largest reservations the evidence lists.",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    account = inventory.account
    arn = account_resource_arn(inventory)
    if account.concurrency_limit is None or account.unreserved_concurrency is None:
        yield NotEvaluated(
            rule_id=RULE.id,
            region=inventory.region,
            reason="GetAccountSettings returned no concurrency limit or unreserved pool",
            resource_arn=arn,
        )
        return
    limit = account.concurrency_limit
    unreserved = account.unreserved_concurrency
    floor = min(AWS_UNRESERVED_FLOOR, limit)
    reserved_total = limit - unreserved
    if reserved_total <= 0:
        return  # nothing is reserved: the pool is the whole limit
    near_floor = unreserved <= floor * (1 + options["near_floor_margin"])
    share_floor = limit * options["min_unreserved_share"]
    if not near_floor and unreserved >= share_floor:
        return
    reservations = sorted(
        (fn for fn in inventory.functions if fn.reserved_concurrency),
        key=lambda fn: fn.reserved_concurrency or 0,
        reverse=True,
    )
    if inventory.missing(DATA_FUNCTION_DETAILS) is not None:
        unknown = len(inventory.functions)
    else:
        unknown = sum(
            1
            for fn in inventory.functions
            if resource_gap(inventory, DATA_FUNCTION_DETAILS, fn.arn) is not None
        )
    top = reservations[: options["top_reservations"]]
    if near_floor:
        state = f"at or near its floor of {floor}"
    else:
        state = f"below {options['min_unreserved_share']:.0%} of the limit ({share_floor:.0f})"
    message = (
        f"{reserved_total} of the account's {limit} concurrent executions in "
        f"{inventory.region} are reserved, leaving {unreserved} unreserved: {state}. Every "
        "function without a reservation shares those."
    )
    if top:
        message += " Largest reservations: " + ", ".join(
            f"{fn.name} ({fn.reserved_concurrency})" for fn in top
        )
        message += "."
    if top:
        biggest = top[0]
        reserved = biggest.reserved_concurrency or 0
        lowered = max(1, reserved // 2)
        if biggest.metrics is not None and biggest.metrics.concurrency_peak is not None:
            lowered = max(1, min(reserved, round(biggest.metrics.concurrency_peak * 1.2)))
        remediation = Remediation(
            cli=(
                lambda_cli(
                    inventory,
                    "put-function-concurrency",
                    biggest,
                    f"--reserved-concurrent-executions {lowered}",
                )
                + f"  # or raise the limit: aws service-quotas request-service-quota-increase "
                f"--region {inventory.region} --service-code lambda --quota-code L-B99A9384 "
                f"--desired-value {limit * 2}"
            ),
            iac=sam_function(biggest, {"ReservedConcurrentExecutions": lowered}),
        )
    else:
        remediation = Remediation(
            cli=(
                f"aws service-quotas request-service-quota-increase --region {inventory.region} "
                f"--service-code lambda --quota-code L-B99A9384 --desired-value {limit * 2}"
            ),
            iac="# Reservations are set per function with ReservedConcurrentExecutions.",
        )
    yield RULE.finding(
        inventory=inventory,
        resource_arn=arn,
        severity=None if near_floor else Severity.MEDIUM,
        message=message,
        evidence={
            "concurrency_limit": limit,
            "unreserved_concurrency": unreserved,
            "unreserved_floor": floor,
            "near_floor_threshold": round(floor * (1 + options["near_floor_margin"]), 1),
            "min_unreserved": round(share_floor, 1),
            "reserved_total": reserved_total,
            "largest_reservations": [
                {"function": fn.name, "arn": fn.arn, "reserved": fn.reserved_concurrency}
                for fn in top
            ],
            "functions_with_unknown_reservation": unknown,
        },
        remediation=remediation,
    )

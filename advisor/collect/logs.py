"""Log group retention: one paginated DescribeLogGroups over ``/aws/lambda/``, plus one call per
distinct custom log group (LoggingConfig.LogGroup outside that prefix)."""

from __future__ import annotations

from collections.abc import Iterable

from advisor.collect.context import ScanContext
from advisor.collect.inventory import DATA_LOG_GROUPS, Function

LAMBDA_PREFIX = "/aws/lambda/"


def collect_log_groups(ctx: ScanContext, functions: Iterable[Function]) -> None:
    retention = ctx.inventory.log_group_retention
    logs = ctx.client("logs")

    def describe(prefix: str) -> None:
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
            for group in page.get("logGroups") or []:
                retention[group["logGroupName"]] = group.get("retentionInDays")

    ctx.attempt(
        lambda: describe(LAMBDA_PREFIX),
        service="logs",
        operation="DescribeLogGroups",
        hides=DATA_LOG_GROUPS,
    )
    custom = sorted(
        {
            fn.log_group
            for fn in functions
            if fn.log_group and not fn.log_group.startswith(LAMBDA_PREFIX)
        }
    )
    for name in custom:
        ctx.attempt(
            lambda name=name: describe(name),
            service="logs",
            operation="DescribeLogGroups",
            hides=DATA_LOG_GROUPS,
            resource_arn=name,
        )

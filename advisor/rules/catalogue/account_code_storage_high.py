from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_ACCOUNT_SETTINGS, DATA_FUNCTIONS
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
from advisor.rules.support import GB, logical_id, mb

RULE = Rule(
    id="account-code-storage-high",
    title="Account code storage near its regional limit",
    pillar=Pillar.PERFORMANCE,
    severity=Severity.MEDIUM,
    rationale=(
        "Every published function version and layer version keeps its .zip package in the "
        "region's code storage, which has a quota (read from GetAccountSettings, "
        "AccountLimit.TotalCodeSize: 75 GB by default for years, 300 GB by default since "
        "2026). Deployments that publish a version each time fill it silently; once it is full, "
        "every deploy in the region fails until old versions are deleted or the quota is raised."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_ACCOUNT_SETTINGS),
    options={"near_share": 0.8, "high_share": 0.95, "top_functions": 5},
    option_order=(("near_share", "high_share"),),
    option_bounds={"top_functions": (1, 100)},
    option_help={
        "near_share": "Share of the code storage limit at or above which a finding opens.",
        "high_share": "Share at or above which the finding is high.",
        "top_functions": "How many of the largest packages the evidence lists.",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    used = inventory.account.total_code_size
    limit = inventory.account.code_size_limit
    arn = account_resource_arn(inventory)
    if used is None or not limit:
        yield NotEvaluated(
            RULE.id, inventory.region, "GetAccountSettings returned no code storage figures", arn
        )
        return
    share = used / limit
    if share < options["near_share"]:
        return
    largest = sorted(inventory.functions, key=lambda fn: fn.code_size, reverse=True)
    largest = [fn for fn in largest if fn.code_size][: options["top_functions"]]
    example = largest[0].name if largest else "FUNCTION_NAME"
    desired_gb = math.ceil(limit * 2 / GB)
    yield RULE.finding(
        inventory=inventory,
        resource_arn=arn,
        severity=Severity.HIGH if share >= options["high_share"] else None,
        message=(
            f"Lambda code storage in {inventory.region} holds {used / GB:.1f} GB of its "
            f"{limit / GB:.1f} GB limit ({share:.0%}): when it is full, every deploy in the "
            "region fails. Delete unused function and layer versions or raise the quota."
        ),
        evidence={
            "total_code_size_bytes": used,
            "code_size_limit_bytes": limit,
            "share": round(share, 4),
            "near_share": options["near_share"],
            "largest_packages": [
                {"function": fn.name, "arn": fn.arn, "code_size_mb": mb(fn.code_size)}
                for fn in largest
            ],
        },
        remediation=Remediation(
            cli=(
                f"aws lambda list-versions-by-function --region {inventory.region} "
                f"--function-name {example} --query 'Versions[].[Version,CodeSize,LastModified]' "
                f"--output table  # then: aws lambda delete-function --region {inventory.region} "
                f"--function-name {example} --qualifier VERSION; or raise the quota: aws "
                f"service-quotas request-service-quota-increase --region {inventory.region} "
                f"--service-code lambda --quota-code L-2ACBD22F --desired-value {desired_gb}"
            ),
            iac=(
                "# AutoPublishAlias publishes (and stores) a version on every deploy: keep it\n"
                "# only where an alias or SnapStart needs versions, and prune old versions.\n"
                f"{logical_id(example)}:\n  Type: AWS::Serverless::Function\n  Properties:\n"
                "    AutoPublishAlias: !Ref AWS::NoValue"
            ),
        ),
    )

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_LOG_GROUPS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import gap_reason, logical_id, not_evaluated, resource_gap, yaml

RULE = Rule(
    id="log-retention-unset",
    title="Function log group keeps logs forever",
    pillar=Pillar.OPERATIONS,
    severity=Severity.LOW,
    rationale=(
        "Lambda creates its log group on first use with retention 'Never expire'. Logs then "
        "accumulate for as long as the function exists, billed per GB stored each month, and "
        "personal data in them is kept longer than most policies allow. Set a retention that "
        "matches what the team needs to debug and audit. A log group that does not exist yet "
        "(the function never logged) is not reported."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html",
        "https://aws.amazon.com/cloudwatch/pricing/",
    ),
    requires=(DATA_FUNCTIONS, DATA_LOG_GROUPS),
    options={"suggested_retention_days": 30},
    option_bounds={"suggested_retention_days": (1, 3653)},
    option_help={
        "suggested_retention_days": (
            "Retention proposed in the remediation (must be a value CloudWatch Logs accepts)."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    days = options["suggested_retention_days"]
    for fn in inventory.functions:
        group = fn.log_group or f"/aws/lambda/{fn.name}"
        gap = resource_gap(inventory, DATA_LOG_GROUPS, fn.arn) or resource_gap(
            inventory, DATA_LOG_GROUPS, group
        )
        if gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(gap))
            continue
        if group not in inventory.log_group_retention:
            continue
        if inventory.log_group_retention[group] is not None:
            continue
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} logs to {group}, which never expires: logs are stored (and billed) "
                f"forever. Suggested retention: {days} days."
            ),
            evidence={"log_group": group, "retention_days": None, "suggested_days": days},
            remediation=Remediation(
                cli=(
                    f"aws logs put-retention-policy --region {inventory.region} "
                    f"--log-group-name {group} --retention-in-days {days}"
                ),
                iac=yaml(
                    {
                        logical_id(f"{fn.name}-log-group"): {
                            "Type": "AWS::Logs::LogGroup",
                            "Properties": {"LogGroupName": group, "RetentionInDays": days},
                        }
                    }
                ),
                iac_format="CloudFormation",
            ),
        )

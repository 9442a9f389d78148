from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import lambda_cli, sam_function

RULE = Rule(
    id="vpc-single-subnet",
    title="VPC function attached to a single subnet",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "A function connected to a VPC runs only in the Availability Zones of its subnets. "
        "With one subnet it depends on one zone: an outage there, or that subnet running out "
        "of IP addresses, stops the function. AWS recommends at least two subnets in "
        "different Availability Zones for high availability."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/security-resilience.html",
    ),
    requires=(DATA_FUNCTIONS,),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        if len(fn.vpc_subnet_ids) != 1:
            continue
        subnet = fn.vpc_subnet_ids[0]
        groups = ",".join(fn.vpc_security_group_ids) or "SECURITY_GROUP_ID"
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} is attached to one subnet ({subnet}): it runs in a single "
                "Availability Zone and stops with it."
            ),
            evidence={
                "subnet_ids": list(fn.vpc_subnet_ids),
                "subnet_count": 1,
                "security_group_ids": list(fn.vpc_security_group_ids),
            },
            remediation=Remediation(
                cli=lambda_cli(
                    inventory,
                    "update-function-configuration",
                    fn,
                    f"--vpc-config SubnetIds={subnet},SUBNET_IN_ANOTHER_AZ,"
                    f"SecurityGroupIds={groups}",
                ),
                iac=sam_function(
                    fn,
                    {
                        "VpcConfig": {
                            "SubnetIds": [subnet, "!Ref SubnetInAnotherAz"],
                            "SecurityGroupIds": list(fn.vpc_security_group_ids)
                            or ["!Ref SecurityGroup"],
                        }
                    },
                ),
            ),
        )

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_SUBNETS, Function, RegionInventory
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import gap_reason, lambda_cli, not_evaluated, sam_function

# The id predates the zone count: it stays, so findings keep their identity across scans.
RULE = Rule(
    id="vpc-single-subnet",
    title="VPC function attached to subnets in a single Availability Zone",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "A function connected to a VPC runs only in the Availability Zones of its subnets. "
        "When all of them are in one zone (one subnet, or several in the same zone) the "
        "function depends on that zone: an outage there stops it. AWS recommends subnets in "
        "at least two Availability Zones for high availability. The zone of each subnet is "
        "read with one DescribeSubnets for the region (permission ec2:DescribeSubnets); a "
        "function with two or more subnets whose zones could not be read is not evaluated."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/security-resilience.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html",
    ),
    requires=(DATA_FUNCTIONS,),
)


def subnet_zones(inventory: RegionInventory, fn: Function) -> dict[str, str | None]:
    """Each of the function's subnets with its Availability Zone (None: not known)."""
    return {subnet: inventory.subnet_zones.get(subnet) for subnet in fn.vpc_subnet_ids}


def _why_zones_unknown(inventory: RegionInventory, unknown: list[str]) -> str:
    gap = inventory.missing(DATA_SUBNETS)
    if gap is not None:
        return f"{gap_reason(gap)}: the zones of {', '.join(unknown)} are not known"
    return f"DescribeSubnets did not return {', '.join(unknown)}: its zone is not known"


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        if not fn.vpc_subnet_ids:
            continue
        zones = subnet_zones(inventory, fn)
        known = {zone for zone in zones.values() if zone is not None}
        unknown = [subnet for subnet, zone in zones.items() if zone is None]
        if len(zones) > 1 and unknown and len(known) < 2:
            yield not_evaluated(RULE, inventory, fn.arn, _why_zones_unknown(inventory, unknown))
            continue
        if len(zones) > 1 and len(known) >= 2:
            continue
        yield _finding(inventory, fn, zones)


def _finding(inventory: RegionInventory, fn: Function, zones: dict[str, str | None]) -> Result:
    subnets = list(fn.vpc_subnet_ids)
    zone = next((z for z in zones.values() if z is not None), None)
    where = f"Availability Zone {zone}" if zone else "a single Availability Zone"
    if len(subnets) == 1:
        attached = f"one subnet ({subnets[0]})"
    else:
        attached = f"{len(subnets)} subnets ({', '.join(subnets)}), all in {zone}"
    groups = ",".join(fn.vpc_security_group_ids) or "SECURITY_GROUP_ID"
    other_zone = "SUBNET_IN_ANOTHER_AZ"
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{fn.name} is attached to {attached}: it runs only in {where} and stops with it."
        ),
        evidence={
            "subnet_ids": subnets,
            "subnet_count": len(subnets),
            "availability_zones": dict(zones),
            "zone_count": len({z for z in zones.values() if z is not None}) or 1,
            "security_group_ids": list(fn.vpc_security_group_ids),
        },
        remediation=Remediation(
            cli=lambda_cli(
                inventory,
                "update-function-configuration",
                fn,
                f"--vpc-config SubnetIds={','.join(subnets)},{other_zone},"
                f"SecurityGroupIds={groups}",
            ),
            iac=sam_function(
                fn,
                {
                    "VpcConfig": {
                        "SubnetIds": [*subnets, "!Ref SubnetInAnotherAz"],
                        "SecurityGroupIds": list(fn.vpc_security_group_ids)
                        or ["!Ref SecurityGroup"],
                    }
                },
            ),
        ),
    )

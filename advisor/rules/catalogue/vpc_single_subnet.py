from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_SUBNETS, Function, RegionInventory
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import Served, caller_arns, in_use, not_published
from advisor.rules.support import (
    gap_reason,
    lambda_cli,
    not_evaluated,
    publish_and_move,
    sam_function,
)

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
        "function with two or more subnets whose zones could not be read is not evaluated. "
        "A published version keeps the VpcConfig it was published with: the versions that "
        "take traffic (behind the aliases and versions in use) are judged, and $LATEST when "
        "it is invoked unqualified or nothing is published; a single zone only on unpublished "
        "$LATEST is not live yet (info)."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/security-resilience.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html",
    ),
    requires=(DATA_FUNCTIONS,),
)


def subnet_zones(inventory: RegionInventory, subnets: list[str]) -> dict[str, str | None]:
    """Each subnet with its Availability Zone (None: not known)."""
    return {subnet: inventory.subnet_zones.get(subnet) for subnet in subnets}


def _why_zones_unknown(inventory: RegionInventory, unknown: list[str]) -> str:
    gap = inventory.missing(DATA_SUBNETS)
    if gap is not None:
        return f"{gap_reason(gap)}: the zones of {', '.join(unknown)} are not known"
    return f"DescribeSubnets did not return {', '.join(unknown)}: its zone is not known"


def _single_zone(inventory: RegionInventory, subnets: list[str]) -> bool | str:
    """True when ``subnets`` are all in one zone; why it cannot tell."""
    zones = subnet_zones(inventory, subnets)
    known = {zone for zone in zones.values() if zone is not None}
    unknown = [subnet for subnet, zone in zones.items() if zone is None]
    if len(zones) > 1 and unknown and len(known) < 2:
        return _why_zones_unknown(inventory, unknown)
    return not (len(zones) > 1 and len(known) >= 2)


def _subnets(fn: Function, config: Served) -> tuple[list[str], list[str]]:
    """The subnets and security groups of a configuration that serves callers."""
    version = None if config.qualifier is None or config.assumed else fn.version(config.version)
    if version is None or version.vpc_subnet_ids is None:
        # $LATEST, or a version stored before versions' VPC configs were kept
        return list(fn.vpc_subnet_ids), list(fn.vpc_security_group_ids)
    return list(version.vpc_subnet_ids), list(version.vpc_security_group_ids)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        if not fn.vpc_subnet_ids and not any(v.vpc_subnet_ids for v in fn.versions):
            continue
        served, unknown = in_use(fn, caller_arns(fn, ctx.relations.callers(fn)))
        single: list[tuple[Served, list[str], list[str]]] = []
        for config in served:
            subnets, groups = _subnets(fn, config)
            if not subnets:
                continue
            judged = _single_zone(inventory, subnets)
            if isinstance(judged, str):
                unknown.append(judged)
            elif judged:
                single.append((config, subnets, groups))
        if single:
            yield _finding(inventory, fn, single, served)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
        elif (
            fn.vpc_subnet_ids
            and not_published(fn, served)
            and _single_zone(inventory, list(fn.vpc_subnet_ids)) is True
        ):
            yield _unpublished(inventory, fn)


def _finding(
    inventory: RegionInventory,
    fn: Function,
    single: list[tuple[Served, list[str], list[str]]],
    served: list[Served],
) -> Result:
    config, subnets, groups = single[0]
    zones = subnet_zones(inventory, subnets)
    zone = next((z for z in zones.values() if z is not None), None)
    where = f"Availability Zone {zone}" if zone else "a single Availability Zone"
    if len(subnets) == 1:
        attached = f"one subnet ({subnets[0]})"
    else:
        attached = f"{len(subnets)} subnets ({', '.join(subnets)}), all in {zone}"
    who = fn.name if config.qualifier is None else f"{fn.name}:{config.label}"
    others = [c.label for c, _, _ in single[1:]]
    also = f" ({', '.join(others)} too)" if others else ""
    published = config.qualifier is not None and not config.assumed
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{who} is attached to {attached}{also}: it runs only in {where} and stops with it."
        ),
        evidence={
            "subnet_ids": subnets,
            "subnet_count": len(subnets),
            "availability_zones": dict(zones),
            "zone_count": len({z for z in zones.values() if z is not None}) or 1,
            "security_group_ids": groups,
            "qualifier": config.qualifier if published else None,
            "version": config.version if published else None,
            "in_use": [c.label for c, _, _ in single],
        },
        remediation=_remediation(inventory, fn, subnets, groups, served if published else []),
    )


def _unpublished(inventory: RegionInventory, fn: Function) -> Result:
    subnets = list(fn.vpc_subnet_ids)
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=Severity.INFO,
        message=(
            f"Not live yet: {fn.name}'s $LATEST is attached to subnets in a single "
            "Availability Zone, but the versions callers invoke are not; publishing it and "
            "moving an alias to it would make the function depend on that zone."
        ),
        evidence={
            "subnet_ids": subnets,
            "subnet_count": len(subnets),
            "availability_zones": subnet_zones(inventory, subnets),
            "zone_count": 1,
            "security_group_ids": list(fn.vpc_security_group_ids),
            "unpublished": True,
        },
        remediation=_remediation(inventory, fn, subnets, list(fn.vpc_security_group_ids), []),
    )


def _remediation(
    inventory: RegionInventory,
    fn: Function,
    subnets: list[str],
    groups: list[str],
    served: list[Served],
) -> Remediation:
    group_list = ",".join(groups) or "SECURITY_GROUP_ID"
    other_zone = "SUBNET_IN_ANOTHER_AZ"
    cli = lambda_cli(
        inventory,
        "update-function-configuration",
        fn,
        f"--vpc-config SubnetIds={','.join(subnets)},{other_zone},SecurityGroupIds={group_list}",
    )
    then = publish_and_move(inventory, fn, served)
    return Remediation(
        cli=f"{cli} && {then}" if then else cli,
        iac=sam_function(
            fn,
            {
                "VpcConfig": {
                    "SubnetIds": [*subnets, "!Ref SubnetInAnotherAz"],
                    "SecurityGroupIds": groups or ["!Ref SecurityGroup"],
                }
            },
        ),
    )

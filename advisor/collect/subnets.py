"""The Availability Zone of every subnet a VPC function is attached to, from EC2.

Budget (per account and region): one DescribeSubnets for all the subnets of the region's
functions (a ``subnet-id`` filter of 200 ids a request, paginated: a region needs a second
request only past 200 distinct subnets), nothing when no function is attached to a VPC; once
the versions in use are read, one more for the subnets only a published version is attached to
(a version keeps the VpcConfig it was published with), none when they have no other subnet. A
filter, not ``SubnetIds``: a subnet id AWS no longer knows is then simply missing from the
answer instead of failing the whole request with InvalidSubnetID.NotFound
(ec2/latest/APIReference/API_DescribeSubnets.html).
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor.collect.context import ScanContext
from advisor.collect.inventory import DATA_SUBNETS, Function

FILTER_VALUES_PER_CALL = 200  # subnet ids per request: keeps each filter small


def subnet_ids(functions: Iterable[Function]) -> list[str]:
    return sorted({subnet for fn in functions for subnet in fn.vpc_subnet_ids})


def version_subnet_ids(functions: Iterable[Function]) -> list[str]:
    """The subnets of the published versions read that no function's $LATEST is attached to
    (those were asked for already)."""
    functions = list(functions)
    on_versions = {
        subnet for fn in functions for v in fn.versions for subnet in v.vpc_subnet_ids or ()
    }
    return sorted(on_versions - set(subnet_ids(functions)))


def read_subnet_zones(
    ctx: ScanContext, functions: Iterable[Function], wanted: list[str] | None = None
) -> None:
    """Fills ``inventory.subnet_zones`` for the functions' subnets (or ``wanted``); a refused
    call is a region-wide gap on DATA_SUBNETS."""
    wanted = subnet_ids(functions) if wanted is None else wanted
    for start in range(0, len(wanted), FILTER_VALUES_PER_CALL):
        chunk = wanted[start : start + FILTER_VALUES_PER_CALL]

        def call(chunk: list[str] = chunk) -> dict[str, str]:
            zones: dict[str, str] = {}
            paginator = ctx.client("ec2").get_paginator("describe_subnets")
            for page in paginator.paginate(Filters=[{"Name": "subnet-id", "Values": chunk}]):
                for subnet in page.get("Subnets") or []:
                    zones[subnet["SubnetId"]] = subnet["AvailabilityZone"]
            return zones

        zones = ctx.attempt(call, service="ec2", operation="DescribeSubnets", hides=DATA_SUBNETS)
        if zones is not None:
            ctx.inventory.subnet_zones.update(zones)

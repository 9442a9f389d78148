"""The Availability Zones of VPC functions' subnets: one DescribeSubnets for the region against
the emulator, none without VPC functions, and a refused call as a gap the rule reports."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import DATA_SUBNETS, RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding, NotEvaluated
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws
from tests.fixtures.aws_state import refuse

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)


def scan(state: Aws) -> RegionInventory:
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )


@pytest.fixture
def state(aws: str) -> tuple[Aws, dict[str, str]]:
    state = Aws.connect(aws)
    ec2 = state.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = {}
    for name, cidr, zone in (
        ("a1", "10.30.1.0/24", "us-east-1a"),
        ("a2", "10.30.2.0/24", "us-east-1a"),
        ("b1", "10.30.3.0/24", "us-east-1b"),
    ):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)
        subnets[name] = subnet["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]

    def in_vpc(name: str, *keys: str) -> None:
        config = {"SubnetIds": [subnets[k] for k in keys], "SecurityGroupIds": [group]}
        state.function(name, VpcConfig=config)

    in_vpc("one-zone-twice", "a1", "a2")
    in_vpc("two-zones", "a1", "b1")
    in_vpc("one-subnet", "b1")
    state.function("no-vpc")
    return state, subnets


def results_by_function(inventory: RegionInventory) -> dict[str, type]:
    rule = rules_by_id()["vpc-single-subnet"]
    results = rule.evaluate(RegionContext.build(inventory), {})
    return {r.resource_arn.rsplit(":", 1)[-1]: type(r) for r in results}


def test_zones_of_every_vpc_subnet_come_from_one_describe_subnets(state):
    aws, subnets = state
    inventory = scan(aws)

    assert inventory.subnet_zones == {
        subnets["a1"]: "us-east-1a",
        subnets["a2"]: "us-east-1a",
        subnets["b1"]: "us-east-1b",
    }
    assert inventory.api_calls["ec2.DescribeSubnets"] == 1
    assert inventory.coverage_gaps == []
    assert results_by_function(inventory) == {"one-zone-twice": Finding, "one-subnet": Finding}


def test_no_vpc_function_means_no_ec2_call(aws):
    state = Aws.connect(aws)
    state.function("no-vpc")
    inventory = scan(state)
    assert "ec2.DescribeSubnets" not in inventory.api_calls
    assert inventory.subnet_zones == {}


def test_refused_describe_subnets_is_a_gap_and_several_subnets_are_not_evaluated(state):
    aws, _ = state
    refuse(aws.session, "ec2.DescribeSubnets", "UnauthorizedOperation", status=403)
    inventory = scan(aws)

    [gap] = inventory.coverage_gaps
    assert (gap.service, gap.operation, gap.hides, gap.resource_arn) == (
        "ec2",
        "DescribeSubnets",
        DATA_SUBNETS,
        None,
    )
    assert results_by_function(inventory) == {
        "one-zone-twice": NotEvaluated,
        "two-zones": NotEvaluated,
        "one-subnet": Finding,  # one subnet is one zone, whatever its name
    }

"""A published version keeps the Environment and VpcConfig it was published with: GetFunction
with a Qualifier answers the version's own, which the scan keeps (names and whether each looks
secret, never a value) and the secrets and VPC rules judge. Read from the emulator over HTTP."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)
SECRET = "sk_live_51H8xQ2eZvKYlo2C0a9b8c7d6e5f4g3h2"  # a Stripe-shaped key


@pytest.fixture
def scanned(aws: str) -> tuple[RegionInventory, dict[str, str]]:
    """checkout: version 1 (a secret in its environment, one subnet in us-east-1a) behind live;
    $LATEST then loses the secret and moves to two zones, unpublished."""
    state = Aws.connect(aws)
    ec2 = state.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        name: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for name, cidr, zone in (
            ("old", "10.40.1.0/24", "us-east-1a"),
            ("a", "10.40.2.0/24", "us-east-1a"),
            ("b", "10.40.3.0/24", "us-east-1b"),
        )
    }
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    lam = state.client("lambda")
    created = state.function(
        "checkout",
        Environment={"Variables": {"STRIPE_API_KEY": SECRET, "STAGE": "prod"}},
        VpcConfig={"SubnetIds": [subnets["old"]], "SecurityGroupIds": [group]},
    )
    lam.publish_version(FunctionName="checkout")
    lam.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
    lam.update_function_configuration(
        FunctionName="checkout",
        Environment={"Variables": {"STAGE": "prod"}},
        VpcConfig={"SubnetIds": [subnets["a"], subnets["b"]], "SecurityGroupIds": [group]},
    )
    state.rest_api("shop", f"{created['FunctionArn']}:live")
    inventory = collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )
    return inventory, subnets


def test_the_version_keeps_its_own_environment_and_subnets(scanned):
    inventory, subnets = scanned
    [fn] = inventory.functions
    assert [(v.name, v.looks_secret) for v in fn.environment] == [("STAGE", False)]
    version = fn.version("1")
    assert version is not None
    assert [(v.name, v.looks_secret) for v in version.environment or []] == [
        ("STAGE", False),
        ("STRIPE_API_KEY", True),
    ]
    assert version.vpc_subnet_ids == [subnets["old"]]
    assert sorted(fn.vpc_subnet_ids) == sorted([subnets["a"], subnets["b"]])
    # the subnet only the version uses has its zone too (a second DescribeSubnets)
    assert inventory.subnet_zones[subnets["old"]] == "us-east-1a"
    assert inventory.api_calls["ec2.DescribeSubnets"] == 2
    assert SECRET not in str(inventory.to_dict())


def evaluate(inventory: RegionInventory, rule_id: str) -> list[Finding]:
    results = rules_by_id()[rule_id].evaluate(RegionContext.build(inventory), {})
    return [r for r in results if isinstance(r, Finding)]


def test_the_secret_kept_by_the_served_version_is_found(scanned):
    inventory, _ = scanned
    [finding] = evaluate(inventory, "secrets-in-environment")
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "1")
    assert finding.evidence["variables"] == ["STRIPE_API_KEY"]
    assert SECRET not in str(finding.evidence) + finding.message


def test_the_served_version_s_single_zone_is_found_though_latest_spans_two(scanned):
    inventory, subnets = scanned
    [finding] = evaluate(inventory, "vpc-single-subnet")
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "1")
    assert finding.evidence["availability_zones"] == {subnets["old"]: "us-east-1a"}

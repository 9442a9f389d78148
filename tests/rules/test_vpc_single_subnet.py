from advisor.collect.inventory import DATA_SUBNETS, FunctionVersion, Qualifier
from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    api_integration,
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "vpc-single-subnet"
ZONES = {"subnet-0a1": "us-east-1a", "subnet-0c3": "us-east-1b", "subnet-0d4": "us-east-1a"}


def vpc_inventory(*subnets, zones=ZONES):
    fn = make_function(vpc_subnet_ids=list(subnets), vpc_security_group_ids=["sg-0b2"])
    return make_inventory(fn, subnet_zones=dict(zones))


@fails(RULE_ID)
def test_one_subnet_fails():
    results = run(RULE_ID, vpc_inventory("subnet-0a1"))
    finding = only_finding(results)
    assert finding.evidence["subnet_ids"] == ["subnet-0a1"]
    assert finding.evidence["availability_zones"] == {"subnet-0a1": "us-east-1a"}
    assert "SubnetIds=subnet-0a1,SUBNET_IN_ANOTHER_AZ,SecurityGroupIds=sg-0b2" in (
        finding.remediation.cli
    )
    return results


@fails(RULE_ID)
def test_two_subnets_in_the_same_zone_fail():
    results = run(RULE_ID, vpc_inventory("subnet-0a1", "subnet-0d4"))
    finding = only_finding(results)
    assert finding.evidence["zone_count"] == 1
    assert finding.evidence["subnet_count"] == 2
    assert "2 subnets (subnet-0a1, subnet-0d4), all in us-east-1a" in finding.message
    return results


@passes(RULE_ID)
def test_two_subnets_pass():
    return run(RULE_ID, vpc_inventory("subnet-0a1", "subnet-0c3"))


@passes(RULE_ID)
def test_two_zones_known_pass_though_a_third_subnet_is_unknown():
    return run(RULE_ID, vpc_inventory("subnet-0a1", "subnet-0c3", "subnet-gone"))


@passes(RULE_ID)
def test_function_outside_a_vpc_passes():
    return run(RULE_ID, make_inventory(make_function()))


def test_one_subnet_fails_even_when_zones_could_not_be_read():
    inventory = vpc_inventory("subnet-0a1", zones={})
    inventory.coverage_gaps.append(gap(DATA_SUBNETS))
    finding = only_finding(run(RULE_ID, inventory))
    assert "a single Availability Zone" in finding.message


def test_several_subnets_of_unknown_zones_are_not_evaluated_with_the_gap():
    inventory = vpc_inventory("subnet-0a1", "subnet-0c3", zones={})
    inventory.coverage_gaps.append(gap(DATA_SUBNETS))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.reason.startswith("lambda:GetSomething AccessDeniedException hides subnets")
    assert "subnet-0a1, subnet-0c3" in result.reason


def test_a_subnet_describe_subnets_did_not_return_is_not_evaluated():
    inventory = vpc_inventory("subnet-0a1", "subnet-gone")
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.reason == "DescribeSubnets did not return subnet-gone: its zone is not known"


# --- the versions in use --------------------------------------------------------------------


def behind_live(latest_subnets, version_subnets, **live):
    """orders: live -> version 3 attached to ``version_subnets``, invoked by an API; $LATEST
    attached to ``latest_subnets``."""
    alias = Qualifier(name="live", kind="alias", exists=True, version="3", named_by=["api"])
    for key, value in live.items():
        setattr(alias, key, value)
    fn = make_function(
        vpc_subnet_ids=list(latest_subnets),
        vpc_security_group_ids=["sg-0b2"],
        qualifiers=[alias],
        versions=[
            FunctionVersion(
                version="3",
                vpc_subnet_ids=None if version_subnets is None else list(version_subnets),
                vpc_security_group_ids=["sg-0b2"],
            )
        ],
    )
    return make_inventory(
        fn, subnet_zones=dict(ZONES), api_integrations=[api_integration(fn, qualifier="live")]
    )


@fails(RULE_ID)
def test_the_served_version_in_one_zone_fails_though_latest_spans_two():
    results = run(RULE_ID, behind_live(["subnet-0a1", "subnet-0c3"], ["subnet-0d4"]))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "3")
    assert finding.evidence["subnet_ids"] == ["subnet-0d4"]
    assert finding.message.startswith("orders:live (version 3) is attached to one subnet")
    assert "publish-version" in finding.remediation.cli
    assert "update-alias" in finding.remediation.cli and "--name live" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_the_served_version_in_two_zones_passes():
    return run(RULE_ID, behind_live(["subnet-0a1", "subnet-0c3"], ["subnet-0a1", "subnet-0c3"]))


@fails(RULE_ID)
def test_a_single_zone_only_on_unpublished_latest_is_info():
    results = run(RULE_ID, behind_live(["subnet-0a1"], ["subnet-0a1", "subnet-0c3"]))
    finding = only_finding(results)
    assert finding.severity is Severity.INFO
    assert finding.evidence["unpublished"] is True
    assert finding.message.startswith("Not live yet")
    return results


@fails(RULE_ID)
def test_a_version_stored_before_vpc_configs_were_kept_is_judged_by_latest():
    results = run(RULE_ID, behind_live(["subnet-0a1"], None))
    assert only_finding(results).evidence["subnet_ids"] == ["subnet-0a1"]
    return results


def test_a_served_version_whose_subnet_zone_is_unknown_is_not_evaluated():
    inventory = behind_live(["subnet-0a1", "subnet-0c3"], ["subnet-0a1", "subnet-0e5"])
    (reason,) = not_evaluated(run(RULE_ID, inventory))
    assert "subnet-0e5" in reason.reason


def test_a_served_version_that_could_not_be_read_is_not_evaluated():
    inventory = behind_live(["subnet-0a1", "subnet-0c3"], None, exists=None, version=None)
    inventory.functions[0].versions.clear()
    (reason,) = not_evaluated(run(RULE_ID, inventory))
    assert "orders:live could not be read" in reason.reason

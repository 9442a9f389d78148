from tests.rules.cases import fails, passes
from tests.rules.factories import make_function, make_inventory, only_finding, run

RULE_ID = "vpc-single-subnet"


@fails(RULE_ID)
def test_one_subnet_fails():
    fn = make_function(vpc_subnet_ids=["subnet-0a1"], vpc_security_group_ids=["sg-0b2"])
    results = run(RULE_ID, make_inventory(fn))
    finding = only_finding(results)
    assert finding.evidence["subnet_ids"] == ["subnet-0a1"]
    assert "SubnetIds=subnet-0a1,SUBNET_IN_ANOTHER_AZ,SecurityGroupIds=sg-0b2" in (
        finding.remediation.cli
    )
    return results


@passes(RULE_ID)
def test_two_subnets_pass():
    fn = make_function(vpc_subnet_ids=["subnet-0a1", "subnet-0c3"])
    return run(RULE_ID, make_inventory(fn))


@passes(RULE_ID)
def test_function_outside_a_vpc_passes():
    return run(RULE_ID, make_inventory(make_function()))

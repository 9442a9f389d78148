import pytest

from advisor.collect.inventory import DATA_POLICIES, PolicyCondition, PolicyStatement
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "resource-policy-public"


def with_statement(**fields):
    statement = PolicyStatement(
        sid="open", effect="Allow", principal="*", action="lambda:InvokeFunction", **fields
    )
    return make_inventory(make_function(policy_statements=[statement]))


@fails(RULE_ID)
def test_any_principal_without_condition_fails():
    results = run(RULE_ID, with_statement())
    finding = only_finding(results)
    assert finding.evidence["statements"][0]["sid"] == "open"
    assert "remove-permission --region us-east-1 --function-name orders --statement-id open" in (
        finding.remediation.cli
    )
    assert "SourceAccount: '111122223333'" in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_any_principal_restricted_by_source_account_passes():
    return run(RULE_ID, with_statement(source_account="111122223333", has_condition=True))


@passes(RULE_ID)
def test_function_url_permission_is_left_to_the_url_rule_and_passes():
    return run(RULE_ID, with_statement(has_condition=True, function_url_auth_type="NONE"))


@passes(RULE_ID)
def test_service_principal_passes():
    statement = PolicyStatement(
        sid="s3", effect="Allow", principal="s3.amazonaws.com", action="lambda:InvokeFunction"
    )
    return run(RULE_ID, make_inventory(make_function(policy_statements=[statement])))


def test_unreadable_policy_is_not_evaluated():
    inventory = with_statement()
    inventory.coverage_gaps.append(gap(DATA_POLICIES, inventory.functions[0].arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1


def with_conditions(*conditions):
    return with_statement(
        has_condition=True,
        conditions=[PolicyCondition(op, key, list(values)) for op, key, values in conditions],
    )


@fails(RULE_ID)
def test_secure_transport_time_and_ip_conditions_do_not_make_any_principal_private():
    results = run(
        RULE_ID,
        with_conditions(
            ("Bool", "aws:SecureTransport", ["true"]),
            ("DateLessThan", "aws:CurrentTime", ["2030-01-01T00:00:00Z"]),
            ("IpAddress", "aws:SourceIp", ["203.0.113.0/24"]),
        ),
    )
    finding = only_finding(results)
    assert "aws:CurrentTime, aws:SecureTransport, aws:SourceIp" in finding.message
    verdicts = finding.evidence["statements"][0]["conditions"]
    assert [v["restricts"] for v in verdicts] == [False, False, False]
    assert verdicts[0]["why"] == "aws:SecureTransport does not say who the caller is"
    return results


@pytest.mark.parametrize(
    ("condition", "why"),
    [
        (("StringLike", "aws:SourceAccount", ["*"]), "holds a wildcard"),
        (("ArnLike", "AWS:SourceArn", ["arn:aws:sns:us-east-1:*:alerts"]), "holds a wildcard"),
        (("StringEquals", "aws:PrincipalAccount", ["${aws:username}"]), "policy variable"),
        (("StringNotEquals", "aws:SourceAccount", ["210987654321"]), "does not require"),
        (("StringEqualsIfExists", "aws:SourceAccount", ["210987654321"]), "key is absent"),
        (("ForAllValues:StringEquals", "aws:PrincipalOrgPaths", ["o-1/r-2/"]), "no value"),
        (("Null", "aws:SourceAccount", ["false"]), "does not require"),
    ],
)
def test_a_caller_key_restricts_only_with_a_matching_operator_and_fixed_values(condition, why):
    finding = only_finding(run(RULE_ID, with_conditions(condition)))
    [verdict] = finding.evidence["statements"][0]["conditions"]
    assert verdict["restricts"] is False and why in verdict["why"]


@pytest.mark.parametrize(
    "condition",
    [
        ("StringEquals", "AWS:SourceAccount", ["210987654321"]),
        ("ArnLike", "AWS:SourceArn", ["arn:aws:sns:us-east-1:210987654321:alerts"]),
        ("StringEquals", "aws:SourceOwner", ["210987654321"]),
        ("StringEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5"]),
        ("StringEquals", "aws:PrincipalAccount", ["210987654321"]),
        ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", ["o-a1b2c3d4e5/r-ab12/ou-ab12-1"]),
    ],
)
def test_a_fixed_caller_condition_makes_any_principal_private(condition):
    assert run(RULE_ID, with_conditions(condition)) == []


@passes(RULE_ID)
def test_org_condition_beside_secure_transport_passes():
    return run(
        RULE_ID,
        with_conditions(
            ("Bool", "aws:SecureTransport", ["true"]),
            ("StringEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5"]),
        ),
    )


@passes(RULE_ID)
def test_url_permission_requiring_iam_auth_passes():
    return run(
        RULE_ID,
        with_conditions(("StringEquals", "lambda:FunctionUrlAuthType", ["AWS_IAM"])),
    )


def test_a_stored_statement_without_recorded_conditions_keeps_its_old_judgement():
    # inventories stored before conditions were kept: any condition counted as restricting
    assert run(RULE_ID, with_statement(has_condition=True)) == []

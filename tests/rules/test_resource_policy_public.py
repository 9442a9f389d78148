from advisor.collect.inventory import DATA_POLICIES, PolicyStatement
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

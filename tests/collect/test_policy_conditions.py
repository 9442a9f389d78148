"""Resource-policy conditions read back from the emulator over HTTP, each judged for whether it
pins the caller (the resource-policy-public rule's input)."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding
from advisor.rules.context import RegionContext
from advisor.rules.policy import restricts_caller
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)
ORG = "o-a1b2c3d4e5"


@pytest.fixture
def inventory(aws: str) -> RegionInventory:
    state = Aws.connect(aws)
    lam = state.client("lambda")

    def grant(name: str, **permission: str) -> None:
        state.function(name)
        lam.add_permission(
            FunctionName=name,
            StatementId=f"{name}-invoke",
            Action=permission.pop("Action", "lambda:InvokeFunction"),
            Principal=permission.pop("Principal", "*"),
            **permission,
        )

    grant("open")
    grant("org", PrincipalOrgID=ORG)
    grant("partner-account", SourceAccount="210987654321")
    grant("any-topic", SourceArn="arn:aws:sns:us-east-1:*:alerts")
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws,
        options=OPTIONS,
    )


def statement(inventory: RegionInventory, name: str):
    fn = next(fn for fn in inventory.functions if fn.name == name)
    [only] = fn.policy_statements
    return only


def test_conditions_are_read_with_operator_key_and_values(inventory):
    [org] = statement(inventory, "org").conditions
    assert (org.operator, org.key.lower(), org.values) == (
        "StringEquals",
        "aws:principalorgid",
        [ORG],
    )
    [arn] = statement(inventory, "any-topic").conditions
    assert (arn.operator, arn.key.lower()) == ("ArnLike", "aws:sourcearn")
    assert statement(inventory, "open").conditions == []
    assert inventory.coverage_gaps == []


def test_only_fixed_caller_conditions_restrict(inventory):
    verdicts = {
        name: restricts_caller(statement(inventory, name))
        for name in ("open", "org", "partner-account", "any-topic")
    }
    assert verdicts == {
        "open": False,
        "org": True,
        "partner-account": True,
        "any-topic": False,  # a wildcard in the account of the source ARN pins nobody
    }


def test_the_rule_reports_the_grants_no_condition_pins(inventory):
    rule = rules_by_id()["resource-policy-public"]
    flagged = {
        r.resource_arn.rsplit(":", 1)[-1]
        for r in rule.evaluate(RegionContext.build(inventory), {})
        if isinstance(r, Finding)
    }
    assert flagged == {"open", "any-topic"}

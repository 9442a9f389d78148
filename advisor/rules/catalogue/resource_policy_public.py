from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_FUNCTIONS,
    DATA_POLICIES,
    PolicyStatement,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    gap_reason,
    lambda_cli,
    logical_id,
    not_evaluated,
    resource_gap,
    yaml,
)

RULE = Rule(
    id="resource-policy-public",
    title="Resource policy lets any principal invoke the function",
    pillar=Pillar.SECURITY,
    severity=Severity.CRITICAL,
    rationale=(
        'A resource-based policy statement that allows Principal "*" with no condition '
        "(no SourceArn, SourceAccount, PrincipalOrgID or similar) lets any AWS account invoke "
        "the function: it runs attacker-chosen input with the function's role and bills this "
        "account. Grant the specific account or service instead, and when granting a service, "
        "restrict it to the source resource (SourceArn) and account. Statements that only make "
        "a function URL public are reported by function-url-public."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/permissions-granting-access.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_POLICIES),
)


def is_public(statement: PolicyStatement) -> bool:
    if statement.effect != "Allow" or statement.principal != "*":
        return False
    if statement.function_url_auth_type is not None:
        return False  # a function URL permission: judged by function-url-public
    return not (statement.has_condition or statement.source_arn or statement.source_account)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        gap = resource_gap(inventory, DATA_POLICIES, fn.arn)
        if gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(gap))
            continue
        public = [s for s in fn.policy_statements if is_public(s)]
        if not public:
            continue
        first = public[0]
        sid = first.sid or "STATEMENT_ID"
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name}'s resource policy allows any principal to {first.action} without a "
                f"condition ({len(public)} statement(s): "
                f"{', '.join(s.sid or '(no sid)' for s in public)})."
            ),
            evidence={
                "statements": [
                    {
                        "sid": s.sid,
                        "effect": s.effect,
                        "principal": s.principal,
                        "action": s.action,
                        "has_condition": s.has_condition,
                    }
                    for s in public
                ],
            },
            remediation=Remediation(
                cli=(
                    lambda_cli(inventory, "remove-permission", fn, f"--statement-id {sid}")
                    + " && "
                    + lambda_cli(
                        inventory,
                        "add-permission",
                        fn,
                        f"--statement-id {sid}-scoped --action lambda:InvokeFunction "
                        f"--principal {inventory.account_id}",
                    )
                ),
                iac=yaml(
                    {
                        logical_id(f"{fn.name}-invoke-permission"): {
                            "Type": "AWS::Lambda::Permission",
                            "Properties": {
                                "FunctionName": fn.name,
                                "Action": "lambda:InvokeFunction",
                                "Principal": inventory.account_id,
                                "SourceAccount": inventory.account_id,
                            },
                        }
                    }
                ),
                iac_format="CloudFormation",
            ),
        )

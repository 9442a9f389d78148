from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_FUNCTIONS,
    DATA_POLICIES,
    DATA_QUALIFIERS,
    Function,
    PolicyStatement,
    RegionInventory,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.policy import (
    is_wildcard_principal,
    judged_conditions,
    restricts_caller,
)
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
        'A resource-based policy statement that allows Principal "*" lets any AWS account '
        "invoke the function unless a condition pins the caller: it runs attacker-chosen "
        "input with the function's role and bills this account. As in Security Hub's Lambda.1 "
        "control, a condition pins the caller only when it names the calling account, "
        "organisation, principal or source resource (aws:SourceAccount, aws:SourceArn, "
        "aws:SourceOwner, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, a VPC "
        "endpoint) or requires IAM authentication of a function URL "
        "(lambda:FunctionUrlAuthType AWS_IAM), with a matching operator (not a negation, not "
        "...IfExists) and fixed values: no wildcard, no policy variable. aws:SecureTransport, "
        "time and source-IP conditions say nothing about who calls and leave the statement "
        "public. Statements that only make a function URL public are reported by "
        "function-url-public. Each alias and version in use has its own resource policy, read "
        "and judged the same way; the finding names the qualifier of each public statement."
    ),
    sources=(
        "https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1",
        "https://docs.aws.amazon.com/config/latest/developerguide/lambda-function-public-access-prohibited.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/permissions-granting-access.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_POLICIES, DATA_QUALIFIERS),
)


def is_public(statement: PolicyStatement) -> bool:
    """Allows any principal, and no condition pins the caller."""
    if statement.effect != "Allow" or not is_wildcard_principal(statement.principal):
        return False
    if statement.function_url_auth_type is not None:
        return False  # a function URL permission: NONE is function-url-public's, AWS_IAM pins
    return not restricts_caller(statement)


def statement_evidence(statement: PolicyStatement) -> dict[str, Any]:
    return {
        "sid": statement.sid,
        "effect": statement.effect,
        "principal": statement.principal,
        "action": statement.action,
        "has_condition": statement.has_condition,
        "conditions": [v.as_evidence() for v in judged_conditions(statement)],
    }


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        gap = resource_gap(inventory, DATA_POLICIES, fn.arn)
        if gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(gap))
            continue
        # The function's own policy, then each alias's or version's: a qualifier's policy is
        # its own, and a statement on it lets anyone invoke that qualifier.
        public: list[tuple[str | None, PolicyStatement]] = [
            (None, s) for s in fn.policy_statements if is_public(s)
        ]
        unread: list[str] = []
        for entry in fn.qualifiers:
            if entry.exists is False:
                continue
            if not entry.policy_read:
                unread.append(entry.name)
                continue
            public += [(entry.name, s) for s in entry.policy_statements if is_public(s)]
        if public:
            yield _public_finding(inventory, fn, public)
        elif unread:
            qualifier_gap = resource_gap(inventory, DATA_QUALIFIERS, fn.arn)
            why = gap_reason(qualifier_gap) if qualifier_gap else "it was not read"
            yield not_evaluated(
                RULE,
                inventory,
                fn.arn,
                f"the resource policy of {', '.join(f'{fn.name}:{q}' for q in unread)}: {why}",
            )


def _public_finding(
    inventory: RegionInventory, fn: Function, public: list[tuple[str | None, PolicyStatement]]
) -> Result:
    qualifier, first = public[0]
    sid = first.sid or "STATEMENT_ID"
    statements = [s for _, s in public]
    ignored = sorted({c.key for s in statements for c in s.conditions})
    why = (
        f"its conditions ({', '.join(ignored)}) do not pin the caller"
        if ignored
        else "without a condition"
    )
    where = {q for q, _ in public}
    if where == {None}:
        whose = f"{fn.name}'s resource policy"
    else:
        names = ", ".join(f"{fn.name}:{q}" if q else fn.name for q in sorted(where, key=str))
        whose = f"The resource policy of {names}"
    on_qualifier = [f"--qualifier {qualifier}"] if qualifier else []
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{whose} allows any principal to {first.action} {why} "
            f"({len(public)} statement(s): "
            f"{', '.join(_named(q, s) for q, s in public)})."
        ),
        evidence={
            "statements": [{**statement_evidence(s), "qualifier": q} for q, s in public],
            "qualifiers": sorted({q for q, _ in public if q}),
        },
        remediation=Remediation(
            cli=(
                lambda_cli(
                    inventory, "remove-permission", fn, f"--statement-id {sid}", *on_qualifier
                )
                + " && "
                + lambda_cli(
                    inventory,
                    "add-permission",
                    fn,
                    f"--statement-id {sid}-scoped --action lambda:InvokeFunction "
                    f"--principal {inventory.account_id}",
                    *on_qualifier,
                )
            ),
            iac=yaml(
                {
                    logical_id(f"{fn.name}-invoke-permission"): {
                        "Type": "AWS::Lambda::Permission",
                        "Properties": {
                            "FunctionName": f"{fn.name}:{qualifier}" if qualifier else fn.name,
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


def _named(qualifier: str | None, statement: PolicyStatement) -> str:
    sid = statement.sid or "(no sid)"
    return f"{sid} on {qualifier}" if qualifier else sid

"""Whether a resource-policy statement's conditions restrict who may call, judged the way AWS
Security Hub's Lambda.1 control (AWS Config's lambda-function-public-access-prohibited) does:
a statement is private only when a condition pins the caller to fixed values.

A condition pins the caller when it names the calling account, organisation, principal or
resource (aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:PrincipalOrgID,
aws:PrincipalAccount, aws:PrincipalArn, ...), or the VPC endpoint the request must come through
(which belongs to one account), or requires IAM authentication of a function URL
(lambda:FunctionUrlAuthType = AWS_IAM) -- with an operator that must match (StringEquals,
ArnLike, ...; not a negation, not ``...IfExists``, which passes when the key is absent) and
values with no wildcard and no policy variable. Conditions on the transport
(aws:SecureTransport), the time, or the source IP do not say who the caller is: a statement
with only those is as public as one without conditions.

Pure: no Django, no boto3.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.collect.inventory import PolicyCondition, PolicyStatement

# Condition keys (lower case: IAM compares keys case-insensitively) that identify the caller.
PINNING_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "lambda:eventsourcetoken",  # Alexa: the skill that may call
    }
)
URL_AUTH_KEY = "lambda:functionurlauthtype"
# Operators that hold only when the request's value matches one of the condition's values.
MATCHING_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)
SET_PREFIXES = ("forallvalues:", "foranyvalue:")


@dataclass(frozen=True)
class ConditionVerdict:
    condition: PolicyCondition
    restricts: bool
    why: str  # why it does or does not pin the caller

    def as_evidence(self) -> dict[str, object]:
        return {
            "operator": self.condition.operator,
            "key": self.condition.key,
            "values": list(self.condition.values),
            "restricts": self.restricts,
            "why": self.why,
        }


def judge_condition(condition: PolicyCondition) -> ConditionVerdict:
    operator = condition.operator.lower()
    key = condition.key.lower()

    def verdict(restricts: bool, why: str) -> ConditionVerdict:
        return ConditionVerdict(condition, restricts, why)

    if key not in PINNING_KEYS and key != URL_AUTH_KEY:
        return verdict(False, f"{condition.key} does not say who the caller is")
    if operator.startswith("forallvalues:"):
        return verdict(False, "ForAllValues holds when the request has no value for the key")
    operator = operator.removeprefix("foranyvalue:")
    if operator.endswith("ifexists"):
        return verdict(False, f"{condition.operator} holds when the key is absent")
    if operator not in MATCHING_OPERATORS:
        return verdict(False, f"{condition.operator} does not require a matching value")
    if not condition.values:
        return verdict(False, "the condition lists no value")
    for value in condition.values:
        if "*" in value or "?" in value:
            return verdict(False, f"{value!r} holds a wildcard")
        if "${" in value:
            return verdict(False, f"{value!r} holds a policy variable")
    if key == URL_AUTH_KEY:
        if all(value.upper() == "AWS_IAM" for value in condition.values):
            return verdict(True, "function URL callers must sign with IAM credentials")
        return verdict(False, "the function URL takes unauthenticated requests")
    return verdict(True, f"{condition.key} pins the caller to fixed values")


def judged_conditions(statement: PolicyStatement) -> list[ConditionVerdict]:
    """Every condition of the statement with its verdict."""
    return [judge_condition(condition) for condition in statement.conditions]


def restricts_caller(statement: PolicyStatement) -> bool:
    """Does some condition of the statement pin who may call?

    An inventory stored before conditions were kept lists none: its source fields and
    ``has_condition`` are all there is, and a condition of unknown kind is taken to restrict
    (the judgement of the time)."""
    if statement.conditions:
        return any(v.restricts for v in judged_conditions(statement))
    return statement.has_condition or bool(statement.source_arn or statement.source_account)


def is_wildcard_principal(principal: str) -> bool:
    return principal.strip() in ("*", "")

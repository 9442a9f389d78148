"""Resource policies reduced to (principal, action, source, condition) statements."""

from __future__ import annotations

from advisor.collect.inventory import Function, PolicyCondition, PolicyStatement
from advisor.collect.lambda_ import is_async_principal, policy_statements
from advisor.collect.triggers import push_sources

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_aws_policy_shapes_are_reduced():
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "events",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": ARN,
                "Condition": {
                    "ArnLike": {
                        "AWS:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/nightly"
                    }
                },
            },
            {
                "Sid": "url",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "lambda:InvokeFunctionUrl",
                "Resource": ARN,
                "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
            },
            {
                "Sid": "partner",
                "Effect": "Allow",
                "Principal": {
                    "AWS": ["arn:aws:iam::210987654321:root", "arn:aws:iam::111122223333:role/x"]
                },
                "Action": ["lambda:InvokeFunction", "lambda:GetFunction"],
                "Resource": ARN,
            },
        ],
    }

    statements = list(policy_statements(policy))

    assert statements == [
        PolicyStatement(
            sid="events",
            effect="Allow",
            principal="events.amazonaws.com",
            action="lambda:InvokeFunction",
            source_arn="arn:aws:events:us-east-1:123456789012:rule/nightly",
            has_condition=True,
            conditions=[
                PolicyCondition(
                    "ArnLike",
                    "AWS:SourceArn",
                    ["arn:aws:events:us-east-1:123456789012:rule/nightly"],
                )
            ],
        ),
        PolicyStatement(
            sid="url",
            effect="Allow",
            principal="*",
            action="lambda:InvokeFunctionUrl",
            has_condition=True,
            function_url_auth_type="NONE",
            conditions=[PolicyCondition("StringEquals", "lambda:FunctionUrlAuthType", ["NONE"])],
        ),
        PolicyStatement("partner", "Allow", "210987654321", "lambda:InvokeFunction"),
        PolicyStatement("partner", "Allow", "210987654321", "lambda:GetFunction"),
        PolicyStatement(
            "partner", "Allow", "arn:aws:iam::111122223333:role/x", "lambda:InvokeFunction"
        ),
        PolicyStatement(
            "partner", "Allow", "arn:aws:iam::111122223333:role/x", "lambda:GetFunction"
        ),
    ]


def test_push_sources_are_classified_async_or_sync():
    fn = Function(
        arn=ARN,
        name="f",
        region="us-east-1",
        runtime="python3.12",
        handler="h",
        memory_mb=128,
        timeout_s=3,
    )
    fn.policy_statements = [
        PolicyStatement(
            "a", "Allow", "s3.amazonaws.com", "lambda:InvokeFunction", source_arn="arn:aws:s3:::b"
        ),
        PolicyStatement("b", "Allow", "apigateway.amazonaws.com", "lambda:InvokeFunction"),
        PolicyStatement("c", "Allow", "logs.eu-west-1.amazonaws.com", "lambda:InvokeFunction"),
        PolicyStatement("d", "Allow", "123456789012", "lambda:InvokeFunction"),
        PolicyStatement("e", "Deny", "sns.amazonaws.com", "lambda:InvokeFunction"),
    ]

    found = [(s.principal, s.invocation) for s in push_sources([fn])]

    assert found == [
        ("s3.amazonaws.com", "async"),
        ("apigateway.amazonaws.com", "sync"),
        ("logs.eu-west-1.amazonaws.com", "async"),
    ]
    assert is_async_principal("scheduler.amazonaws.com")
    assert not is_async_principal("elasticloadbalancing.amazonaws.com")


def test_every_condition_is_kept_with_its_operator_key_and_values():
    policy = {
        "Statement": {
            "Sid": "tls-only",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "lambda:InvokeFunction",
            "Condition": {
                "Bool": {"aws:SecureTransport": "true"},
                "StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5", "o-f6g7h8i9j0"]},
            },
        }
    }

    [statement] = policy_statements(policy)

    assert statement.principal == "*"
    assert statement.conditions == [
        PolicyCondition("Bool", "aws:SecureTransport", ["true"]),
        PolicyCondition("StringEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5", "o-f6g7h8i9j0"]),
    ]

"""The read-only IAM policy, trust policy and CloudFormation template shown to a user who connects
an account. Least privilege: only the read calls the collector makes."""

from __future__ import annotations

import json

from django.conf import settings

# Every action the collector calls, and nothing that writes.
READ_ONLY_ACTIONS = [
    "lambda:ListFunctions",
    "lambda:GetFunction",
    "lambda:GetPolicy",
    "lambda:GetAlias",
    "lambda:GetAccountSettings",
    "lambda:ListEventSourceMappings",
    "lambda:GetFunctionEventInvokeConfig",
    "lambda:ListFunctionEventInvokeConfigs",
    "lambda:GetFunctionUrlConfig",
    "lambda:ListFunctionUrlConfigs",
    "lambda:ListProvisionedConcurrencyConfigs",
    "lambda:GetLayerVersion",
    "ecr:DescribeImages",
    "ec2:DescribeSubnets",
    "apigateway:GET",
    "sqs:GetQueueAttributes",
    "sqs:ListQueues",
    "sns:ListSubscriptions",
    "logs:DescribeLogGroups",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "scheduler:ListSchedules",
    "events:ListEventBuses",
    "events:ListRules",
    "events:ListTargetsByRule",
    "states:ListStateMachines",
    "states:DescribeStateMachine",
    "pipes:ListPipes",
    "pipes:DescribePipe",
]


def read_only_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LambdaAdvisorReadOnly",
                "Effect": "Allow",
                "Action": READ_ONLY_ACTIONS,
                "Resource": "*",
            }
        ],
    }


def trust_policy(external_id: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{settings.ADVISOR_APP_ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }


def cloudformation_template(external_id: str, role_name: str = "LambdaAdvisorReadOnly") -> str:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Read-only role that Lambda Advisor assumes to scan Lambda functions.",
        "Resources": {
            "LambdaAdvisorRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": role_name,
                    "AssumeRolePolicyDocument": trust_policy(external_id),
                    "MaxSessionDuration": 3600,
                    "Policies": [
                        {
                            "PolicyName": "LambdaAdvisorReadOnly",
                            "PolicyDocument": read_only_policy(),
                        }
                    ],
                },
            }
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["LambdaAdvisorRole", "Arn"]}}},
    }
    return json.dumps(template, indent=2)


# settings.ADVISOR_APP_ACCOUNT_ID's default: a role trusting it trusts no real account, so the
# scanner could never assume it. The pages say so instead of showing a policy that cannot work.
PLACEHOLDER_APP_ACCOUNT_ID = "000000000000"


def app_account_is_placeholder() -> bool:
    return settings.ADVISOR_APP_ACCOUNT_ID == PLACEHOLDER_APP_ACCOUNT_ID


def setup_instructions(external_id: str) -> dict[str, object]:
    """What the account pages show for creating the role: the ExternalId, both policies, the
    template, and whether the trust policy's principal is still the placeholder."""
    return {
        "external_id": external_id,
        "app_account_id": settings.ADVISOR_APP_ACCOUNT_ID,
        "app_account_is_placeholder": app_account_is_placeholder(),
        "read_only_policy": json.dumps(read_only_policy(), indent=2),
        "trust_policy": json.dumps(trust_policy(external_id), indent=2),
        "cloudformation_template": cloudformation_template(external_id),
    }

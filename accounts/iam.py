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
    "lambda:GetFunctionUrlConfig",
    "lambda:ListProvisionedConcurrencyConfigs",
    "lambda:GetLayerVersion",
    "ecr:DescribeImages",
    "ec2:DescribeSubnets",
    "apigateway:GET",
    "sqs:GetQueueAttributes",
    "sqs:ListQueues",
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


SCAN_ROLE_NAME = "LambdaAdvisorReadOnly"
ORGANIZATION_READER_ROLE_NAME = "LambdaAdvisorOrganizationReader"

# What the organisation's reader role may do, in the management account or a delegated
# administrator: read the organisation and list its accounts (ListAccounts is callable only
# there: organizations/latest/APIReference/API_ListAccounts.html). Nothing that writes.
ORGANIZATION_READ_ACTIONS = [
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
]


def scan_role_template(external_id: str, role_name: str = SCAN_ROLE_NAME) -> dict:
    """The single-account template: the read-only scan role. The organisation's StackSet deploys
    this very template to every member (``stackset_template``), so the two cannot drift."""
    return {
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


def cloudformation_template(external_id: str, role_name: str = SCAN_ROLE_NAME) -> str:
    return json.dumps(scan_role_template(external_id, role_name), indent=2)


def organization_read_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LambdaAdvisorOrganizationRead",
                "Effect": "Allow",
                "Action": ORGANIZATION_READ_ACTIONS,
                "Resource": "*",
            }
        ],
    }


def organization_reader_template(
    external_id: str, role_name: str = ORGANIZATION_READER_ROLE_NAME
) -> str:
    """The role Lambda Advisor reads the organisation through, for the management account or a
    delegated administrator."""
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Read-only role that lets Lambda Advisor list the organisation's accounts.",
        "Resources": {
            "LambdaAdvisorOrganizationReader": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": role_name,
                    "AssumeRolePolicyDocument": trust_policy(external_id),
                    "MaxSessionDuration": 3600,
                    "Policies": [
                        {
                            "PolicyName": "LambdaAdvisorOrganizationRead",
                            "PolicyDocument": organization_read_policy(),
                        }
                    ],
                },
            }
        },
        "Outputs": {
            "RoleArn": {"Value": {"Fn::GetAtt": ["LambdaAdvisorOrganizationReader", "Arn"]}}
        },
    }
    return json.dumps(template, indent=2)


def stackset_template(external_id: str, role_name: str = SCAN_ROLE_NAME) -> str:
    """A StackSet with service-managed permissions that deploys the single-account template to
    every account of the given organisational units, and automatically to accounts that join
    them (AWS::CloudFormation::StackSet, AutoDeployment). IAM is global, so one Region: the one
    the stack is created in. StackSets never deploys to the management account itself
    (AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html): it takes the
    single-account template."""
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Puts Lambda Advisor's read-only scan role into every member account.",
        "Parameters": {
            "OrganizationalUnitIds": {
                "Type": "CommaDelimitedList",
                "Description": "The organisation's root id (r-...) for every account, or OU ids.",
            },
            "CallAs": {
                "Type": "String",
                "AllowedValues": ["SELF", "DELEGATED_ADMIN"],
                "Default": "SELF",
                "Description": "SELF in the management account; DELEGATED_ADMIN in a delegated "
                "administrator for CloudFormation StackSets.",
            },
        },
        "Resources": {
            "LambdaAdvisorScanRoles": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {
                    "StackSetName": "lambda-advisor-scan-role",
                    "Description": "Lambda Advisor's read-only scan role, in every member account.",
                    "PermissionModel": "SERVICE_MANAGED",
                    "CallAs": {"Ref": "CallAs"},
                    "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
                    "Capabilities": ["CAPABILITY_NAMED_IAM"],
                    "ManagedExecution": {"Active": True},
                    "OperationPreferences": {
                        "FailureTolerancePercentage": 100,
                        "MaxConcurrentPercentage": 100,
                    },
                    "StackInstancesGroup": [
                        {
                            "DeploymentTargets": {
                                "OrganizationalUnitIds": {"Ref": "OrganizationalUnitIds"}
                            },
                            "Regions": [{"Ref": "AWS::Region"}],
                        }
                    ],
                    "TemplateBody": cloudformation_template(external_id, role_name),
                },
            }
        },
    }
    return json.dumps(template, indent=2)


def organization_instructions(external_id: str, member_role_name: str = SCAN_ROLE_NAME) -> dict:
    """What the organisation pages show: the reader role, the StackSet for the members, and the
    single-account template for the management account and accounts outside the organisation."""
    return {
        "external_id": external_id,
        "app_account_id": settings.ADVISOR_APP_ACCOUNT_ID,
        "app_account_is_placeholder": app_account_is_placeholder(),
        "organization_read_policy": json.dumps(organization_read_policy(), indent=2),
        "organization_reader_template": organization_reader_template(external_id),
        "stackset_template": stackset_template(external_id, member_role_name),
        "cloudformation_template": cloudformation_template(external_id, member_role_name),
        "trust_policy": json.dumps(trust_policy(external_id), indent=2),
        "member_role_name": member_role_name,
    }


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

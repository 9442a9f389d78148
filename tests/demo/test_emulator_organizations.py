"""The emulator's AWS Organizations and multi-account STS, over HTTP, as the reference says."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.fixtures.aws_state import account_admin
from tests.fixtures.organizations import (
    MANAGEMENT_ACCOUNT,
    build_organization,
    client,
    member_admin,
)

EXTERNAL_ID = "org-external-id-123"


@pytest.fixture
def organization(aws):
    return build_organization(
        aws, external_id=EXTERNAL_ID, with_role={"alpha": []}, without_role=("beta",)
    )


def test_the_management_account_lists_every_account(aws, organization):
    listed = client(aws, "organizations").list_accounts()["Accounts"]
    assert {a["Id"] for a in listed} == {MANAGEMENT_ACCOUNT, *organization.members.values()}


def test_a_member_that_is_no_delegated_administrator_is_refused(aws, organization):
    member = member_admin(aws, organization.members["alpha"])
    with pytest.raises(ClientError) as refused:
        client(aws, "organizations", member).list_accounts()
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    # DescribeOrganization is open to every member (moto and AWS agree)
    described = client(aws, "organizations", member).describe_organization()["Organization"]
    assert described["MasterAccountId"] == MANAGEMENT_ACCOUNT


def test_a_delegated_administrator_lists_the_organisation(aws, organization):
    alpha = organization.members["alpha"]
    client(aws, "organizations").register_delegated_administrator(
        AccountId=alpha, ServicePrincipal="member.org.stacksets.cloudformation.amazonaws.com"
    )
    member = member_admin(aws, alpha)
    listed = client(aws, "organizations", member).list_accounts()["Accounts"]
    assert {a["Id"] for a in listed} == {MANAGEMENT_ACCOUNT, *organization.members.values()}


def test_an_account_outside_any_organisation_is_told_so(aws):
    outsider = account_admin(aws, "555566667777")  # an account no organisation created
    with pytest.raises(ClientError) as refused:
        client(aws, "organizations", outsider).list_accounts()
    assert refused.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_pages_hold_at_most_twenty_accounts(aws):
    organizations = client(aws, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    for n in range(24):
        organizations.create_account(AccountName=f"m{n}", Email=f"m{n}@example.com")
    first = organizations.list_accounts(MaxResults=50)
    assert len(first["Accounts"]) == 20 and first["NextToken"]
    rest = organizations.list_accounts(NextToken=first["NextToken"])
    assert len(rest["Accounts"]) == 5 and "NextToken" not in rest


def test_assumed_credentials_act_in_the_role_s_account(aws, organization):
    alpha = organization.members["alpha"]
    credentials = client(aws, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{alpha}:role/LambdaAdvisorReadOnly",
        RoleSessionName="probe",
        ExternalId=EXTERNAL_ID,
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    assert client(aws, "sts", session).get_caller_identity()["Account"] == alpha


def test_a_member_without_the_role_refuses_assume_role(aws, organization):
    # STS API reference, AssumeRole: a role that does not exist is AccessDenied; moto would
    # hand out credentials (advisor/demo/emulator_sts.py).
    with pytest.raises(ClientError) as refused:
        client(aws, "sts").assume_role(
            RoleArn=f"arn:aws:iam::{organization.members['beta']}:role/LambdaAdvisorReadOnly",
            RoleSessionName="probe",
            ExternalId=EXTERNAL_ID,
        )
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_a_wrong_external_id_on_a_member_is_refused(aws, organization):
    with pytest.raises(ClientError) as refused:
        client(aws, "sts").assume_role(
            RoleArn=f"arn:aws:iam::{organization.members['alpha']}:role/LambdaAdvisorReadOnly",
            RoleSessionName="probe",
            ExternalId="someone-else",
        )
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

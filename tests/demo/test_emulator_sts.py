"""The emulator's sts:AssumeRole for roles that do not exist, the role Organizations' CreateAccount
creates, and the setup endpoint for an admin role, over HTTP as the product calls them.

AWS refuses AssumeRole of a role that does not exist with AccessDenied
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, Errors); moto hands
out credentials for any role ARN."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from advisor.demo.emulator_sts import ADMIN_ROLE_PATH
from tests.fixtures.aws_state import ROOT_CREDENTIALS, account_admin, admin_role
from tests.fixtures.emulator import reset_emulator

REGION = "us-east-1"
FRESH_ACCOUNT = "111122223333"  # nothing was ever created in it


def client(endpoint: str, service: str, session: boto3.Session | None = None):
    if session is not None:
        return session.client(service, endpoint_url=endpoint, region_name=REGION)
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **ROOT_CREDENTIALS)


def assumed(endpoint: str, role_arn: str) -> boto3.Session:
    credentials = client(endpoint, "sts").assume_role(RoleArn=role_arn, RoleSessionName="test")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def post(endpoint: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the emulator's own URL)
        endpoint + ADMIN_ROLE_PATH,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_role_missing_in_a_fresh_account_is_refused(aws):
    role = f"arn:aws:iam::{FRESH_ACCOUNT}:role/OrganizationAccountAccessRole"
    for kwargs in ({}, {"ExternalId": "any"}):
        with pytest.raises(ClientError) as refused:
            client(aws, "sts").assume_role(RoleArn=role, RoleSessionName="probe", **kwargs)
        error = refused.value.response["Error"]
        assert error["Code"] == "AccessDenied"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert (
            f"is not authorized to perform: sts:AssumeRole on resource: {role}"
            in (error["Message"])
        )
        assert "the role does not exist" in error["Message"]


def test_a_role_missing_in_the_caller_s_own_account_is_refused(aws):
    # the dummy credentials' account, with no IAM role in it yet
    with pytest.raises(ClientError) as refused:
        client(aws, "sts").assume_role(
            RoleArn="arn:aws:iam::123456789012:role/Nobody", RoleSessionName="probe"
        )
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_create_account_creates_the_access_role_that_can_be_assumed(aws):
    organizations = client(aws, "organizations")
    management = organizations.create_organization(FeatureSet="ALL")["Organization"][
        "MasterAccountId"
    ]
    member = organizations.create_account(AccountName="m", Email="m@example.com")[
        "CreateAccountStatus"
    ]["AccountId"]

    session = assumed(aws, f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole")

    assert client(aws, "sts", session).get_caller_identity()["Account"] == member
    role = client(aws, "iam", session).get_role(RoleName="OrganizationAccountAccessRole")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{management}:root"}


def test_create_account_uses_the_role_name_given(aws):
    organizations = client(aws, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    member = organizations.create_account(
        AccountName="m", Email="m@example.com", RoleName="OrgAdmin"
    )["CreateAccountStatus"]["AccountId"]

    session = assumed(aws, f"arn:aws:iam::{member}:role/OrgAdmin")
    assert client(aws, "sts", session).get_caller_identity()["Account"] == member
    with pytest.raises(ClientError) as refused:
        assumed(aws, f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_the_setup_endpoint_creates_an_admin_role_that_can_be_assumed(aws):
    arn = admin_role(aws, FRESH_ACCOUNT)
    assert arn == f"arn:aws:iam::{FRESH_ACCOUNT}:role/OrganizationAccountAccessRole"

    session = account_admin(aws, FRESH_ACCOUNT)
    assert client(aws, "sts", session).get_caller_identity()["Account"] == FRESH_ACCOUNT
    iam = client(aws, "iam", session)
    trust = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"][
        "AssumeRolePolicyDocument"
    ]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    policy = iam.get_role_policy(
        RoleName="OrganizationAccountAccessRole", PolicyName="AdministratorAccess"
    )["PolicyDocument"]
    assert policy["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    # what is built with the session lives in that account
    created = iam.create_role(RoleName="built", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    assert created == f"arn:aws:iam::{FRESH_ACCOUNT}:role/built"


def test_the_setup_endpoint_is_idempotent_and_takes_a_name_and_a_trusted_account(aws):
    status, first = post(
        aws, {"account_id": FRESH_ACCOUNT, "role_name": "Admin", "trusted_account": "999988887777"}
    )
    assert status == 200 and first["Arn"] == f"arn:aws:iam::{FRESH_ACCOUNT}:role/Admin"
    assert post(aws, {"account_id": FRESH_ACCOUNT, "role_name": "Admin"}) == (200, first)

    session = account_admin(aws, "444455556666")
    roles = client(aws, "iam", session).list_roles()["Roles"]  # another account: untouched
    assert [r["RoleName"] for r in roles] == ["OrganizationAccountAccessRole"]
    trust = client(aws, "iam", assumed(aws, first["Arn"])).get_role(RoleName="Admin")["Role"][
        "AssumeRolePolicyDocument"
    ]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::999988887777:root"}


def test_the_setup_endpoint_refuses_a_bad_request_and_a_reset_removes_its_role(aws):
    assert post(aws, {})[0] == 400
    assert post(aws, {"account_id": "12"})[0] == 400
    assert post(aws, {"account_id": FRESH_ACCOUNT, "trusted_account": "x"})[0] == 400

    arn = admin_role(aws, FRESH_ACCOUNT)
    reset_emulator(aws)
    with pytest.raises(ClientError) as refused:
        assumed(aws, arn)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

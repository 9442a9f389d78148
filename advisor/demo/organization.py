"""The demo company's AWS Organization in the emulator, with boto3 only (no Django).

A management account (``MANAGEMENT_ACCOUNT_ID``) holds the organisation and the reader role the
product assumes to list it (``READER_ROLE``, trusting the product's account with the
ExternalId). Its members show the three states the product tells apart:

- ``acme-payments``: the scan role deployed (as the StackSet would) and a few functions with
  findings (deprecated runtimes, a function outliving its REST API's integration timeout);
- ``acme-sandbox``: no scan role (AssumeRole of the missing role is refused, as AWS refuses
  it): "role not deployed";
- ``acme-legacy``: closed, so SUSPENDED. moto's CloseAccount marks the account SUSPENDED in both
  Status and State at once; AWS passes through PENDING_CLOSURE first
  (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html, State), a
  state the product treats the same way (not scanned).

The management account is listed too, without a scan role (StackSets do not deploy to it).
moto gives created accounts random ids, so ``DemoOrganization.members`` says which is which.
Seeding an emulator that already holds the organisation keeps it and sets the roles' trust
policies to the ExternalId given.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from advisor.demo.seed import (
    EXECUTION_ROLE,
    PRODUCT_ACCOUNT_ID,
    READ_ONLY_ACTIONS,
    READ_ONLY_ROLE,
    put_role,
    root_client,
    trust_policy,
)

MANAGEMENT_ACCOUNT_ID = "310987654321"
READER_ROLE = "LambdaAdvisorOrganizationReader"
REGION = "us-east-1"
WITH_ROLE = "acme-payments"
WITHOUT_ROLE = "acme-sandbox"
SUSPENDED = "acme-legacy"
MEMBER_NAMES = (WITH_ROLE, WITHOUT_ROLE, SUSPENDED)
# acme-payments' functions: (name, runtime, timeout in seconds); the API fronts the last one.
PAYMENTS_FUNCTIONS = (
    ("payments-ledger-export", "python3.9", 300),
    ("payments-webhook-relay", "nodejs18.x", 30),
    ("payments-api", "python3.13", 60),
)
PAYMENTS_API = "payments-public-api"


@dataclass
class DemoOrganization:
    organization_id: str
    management_account_id: str
    reader_role_arn: str
    members: dict[str, str] = field(default_factory=dict)  # account name -> id


def seed_demo_organization(*, endpoint_url: str, external_id: str) -> DemoOrganization:
    """The organisation, its reader role and its members (see the module's docstring)."""
    _reader_role(endpoint_url, external_id)
    organizations = root_client(
        "organizations", endpoint_url=endpoint_url, account_id=MANAGEMENT_ACCOUNT_ID
    )
    built = DemoOrganization(
        organization_id="",
        management_account_id=MANAGEMENT_ACCOUNT_ID,
        reader_role_arn=f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/{READER_ROLE}",
    )
    try:
        built.organization_id = organizations.describe_organization()["Organization"]["Id"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "AWSOrganizationsNotInUseException":
            raise
        built.organization_id = organizations.create_organization(FeatureSet="ALL")["Organization"][
            "Id"
        ]
    listed = {
        account["Name"]: account["Id"]
        for page in organizations.get_paginator("list_accounts").paginate()
        for account in page["Accounts"]
    }
    for name in MEMBER_NAMES:
        if name in listed:
            built.members[name] = listed[name]
            if name != WITHOUT_ROLE:
                _scan_role(endpoint_url, listed[name], external_id)  # the ExternalId may differ
            continue
        created = organizations.create_account(AccountName=name, Email=f"{name}@example.com")
        account_id = created["CreateAccountStatus"]["AccountId"]
        built.members[name] = account_id
        _member_setup(endpoint_url, name, account_id, external_id)
    suspended = built.members[SUSPENDED]
    if listed.get(SUSPENDED) is None:
        organizations.close_account(AccountId=suspended)
    return built


def _reader_role(endpoint_url: str, external_id: str) -> None:
    """What the product assumes to list the organisation: DescribeOrganization and ListAccounts
    only, for the product's account with the ExternalId."""
    put_role(
        root_client("iam", endpoint_url=endpoint_url, account_id=MANAGEMENT_ACCOUNT_ID),
        READER_ROLE,
        trust=_product_trust(external_id),
        permissions={
            "Effect": "Allow",
            "Action": ["organizations:DescribeOrganization", "organizations:ListAccounts"],
            "Resource": "*",
        },
    )


def _product_trust(external_id: str) -> dict:
    return trust_policy(
        {"AWS": f"arn:aws:iam::{PRODUCT_ACCOUNT_ID}:root"},
        {"StringEquals": {"sts:ExternalId": external_id}},
    )


def _member_setup(endpoint_url: str, name: str, account_id: str, external_id: str) -> None:
    """A new member's IAM (every member has roles of its own) and, for acme-payments, its
    scan role and functions."""
    put_role(
        root_client("iam", endpoint_url=endpoint_url, account_id=account_id),
        EXECUTION_ROLE,
        trust=trust_policy({"Service": "lambda.amazonaws.com"}),
        permissions={
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        },
    )
    if name == WITHOUT_ROLE:
        return
    _scan_role(endpoint_url, account_id, external_id)
    if name == WITH_ROLE:
        _payments_estate(endpoint_url, account_id)


def _scan_role(endpoint_url: str, account_id: str, external_id: str) -> None:
    """The role the StackSet deploys in every member: the scan's reads, nothing else."""
    put_role(
        root_client("iam", endpoint_url=endpoint_url, account_id=account_id),
        READ_ONLY_ROLE,
        trust=_product_trust(external_id),
        permissions={"Effect": "Allow", "Action": READ_ONLY_ACTIONS, "Resource": "*"},
    )


def _payments_estate(endpoint_url: str, account_id: str) -> None:
    lam = root_client("lambda", endpoint_url=endpoint_url, account_id=account_id, region=REGION)
    role = f"arn:aws:iam::{account_id}:role/{EXECUTION_ROLE}"
    code = _zip()
    arns = {}
    for name, runtime, timeout in PAYMENTS_FUNCTIONS:
        arns[name] = lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler="index.handler" if runtime.startswith("nodejs") else "handler.handler",
            Code={"ZipFile": code},
            Timeout=timeout,
            MemorySize=512,
        )["FunctionArn"]
    # payments-api answers a REST API whose integration gives up at the default 29 s.
    apigw = root_client(
        "apigateway", endpoint_url=endpoint_url, account_id=account_id, region=REGION
    )
    api_id = apigw.create_rest_api(
        name=PAYMENTS_API, endpointConfiguration={"types": ["REGIONAL"]}
    )["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="charges")["id"]
    apigw.put_method(
        restApiId=api_id, resourceId=resource, httpMethod="POST", authorizationType="NONE"
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=(
            f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
            f"{arns['payments-api']}/invocations"
        ),
    )
    lam.add_permission(
        FunctionName="payments-api",
        StatementId="apigateway-post-charges",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{account_id}:{api_id}/*/POST/charges",
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
        archive.writestr("index.js", "exports.handler = async () => ({});\n")
    return buffer.getvalue()

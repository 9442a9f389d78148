"""AWS Organizations, read-only: who the members of an organisation are, and whether the scan
role can be assumed in one of them. Called with the credentials of the management account or
of a delegated administrator (a connected organisation's reader role, or the caller's own
credentials for ``manage.py scan --organization``); pure of Django.

Two actions only: organizations:DescribeOrganization and organizations:ListAccounts
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html: callable
"only from the organization's management account or by a member account that is a delegated
administrator")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from advisor.collect.errors import AwsAccessError
from advisor.collect.session import SESSION_NAME, STS_CONFIG, aws_client

# Organizations is a global service with its endpoint in us-east-1 (in the aws partition).
ORGANIZATIONS_REGION = "us-east-1"
# ListAccounts answers at most 20 accounts a page; Organizations throttles its API per account,
# so the listing backs off adaptively rather than failing the sync.
ORGANIZATIONS_CONFIG = Config(
    connect_timeout=5, read_timeout=20, retries={"max_attempts": 8, "mode": "adaptive"}
)
PAGE_SIZE = 20
# AssumeRole's answer when the role does not exist or does not trust us: to the caller the two
# are the same (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, Errors).
ROLE_MISSING_CODES = {"AccessDenied", "AccessDeniedException"}


@dataclass(frozen=True)
class MemberAccount:
    account_id: str
    name: str
    email: str
    # Account.State (PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED); read from
    # the older Status where State is absent (API_Account.html: Status is being retired).
    state: str
    joined_at: dt.datetime | None
    joined_method: str  # INVITED or CREATED


@dataclass(frozen=True)
class OrganizationListing:
    organization_id: str
    management_account_id: str
    partition: str  # of the organisation's ARN (aws, aws-cn, aws-us-gov): its roles' too
    accounts: list[MemberAccount]
    api_calls: int


def read_organization(
    session: boto3.Session | None, *, endpoint_url: str | None = None
) -> OrganizationListing:
    """The organisation and every member account, or AwsAccessError saying why not (the
    account is in no organisation, or is neither its management account nor a delegated
    administrator, or the credentials do not work)."""
    client = aws_client(
        "organizations",
        session=session,
        region=ORGANIZATIONS_REGION,
        endpoint_url=endpoint_url,
        config=ORGANIZATIONS_CONFIG,
    )
    calls = 1
    try:
        organization = client.describe_organization()["Organization"]
        accounts: list[MemberAccount] = []
        token = None
        while True:
            page = client.list_accounts(
                MaxResults=PAGE_SIZE, **({"NextToken": token} if token else {})
            )
            calls += 1
            accounts.extend(_member(raw) for raw in page.get("Accounts", []))
            token = page.get("NextToken")
            if not token:
                break
    except ClientError as error:
        raise AwsAccessError(_organizations_error(error)) from error
    except BotoCoreError as error:
        raise AwsAccessError(f"AWS Organizations could not be read: {error}") from error
    return OrganizationListing(
        organization_id=organization.get("Id", ""),
        management_account_id=organization.get("MasterAccountId", ""),
        partition=[*organization.get("Arn", "").split(":"), "", ""][1] or "aws",
        accounts=sorted(accounts, key=lambda a: a.account_id),
        api_calls=calls,
    )


def _member(raw: dict) -> MemberAccount:
    joined = raw.get("JoinedTimestamp")
    return MemberAccount(
        account_id=raw["Id"],
        name=raw.get("Name", ""),
        email=raw.get("Email", ""),
        state=raw.get("State") or raw.get("Status") or "ACTIVE",
        joined_at=joined if isinstance(joined, dt.datetime) else None,
        joined_method=raw.get("JoinedMethod", ""),
    )


def _organizations_error(error: ClientError) -> str:
    code = error.response.get("Error", {}).get("Code", "Unknown")
    message = error.response.get("Error", {}).get("Message", str(error))
    if code == "AWSOrganizationsNotInUseException":
        return f"the account is not in an organisation ({code}: {message})"
    if code in ("AccessDeniedException", "AccessDenied"):
        return (
            "the role may not list the organisation's accounts: it must be in the management "
            "account or a delegated administrator, with organizations:DescribeOrganization and "
            f"organizations:ListAccounts ({code}: {message})"
        )
    return f"AWS Organizations answered {code}: {message}"


@dataclass(frozen=True)
class RoleCheck:
    """Whether a member's scan role could be assumed. ``deployed`` None: unknown (a throttle,
    a network error): the previous answer stands."""

    deployed: bool | None
    error_code: str
    message: str


def role_check(
    *, role_arn: str, external_id: str, region: str, endpoint_url: str | None = None
) -> RoleCheck:
    """AssumeRole once with the app's credentials; the credentials it returns are dropped."""
    sts = aws_client("sts", region=region, endpoint_url=endpoint_url, config=STS_CONFIG)
    kwargs = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
    if external_id:
        kwargs["ExternalId"] = external_id
    try:
        sts.assume_role(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        message = error.response.get("Error", {}).get("Message", str(error))
        deployed = False if code in ROLE_MISSING_CODES else None
        return RoleCheck(deployed, code, f"{code}: {message}")
    except BotoCoreError as error:
        return RoleCheck(None, type(error).__name__, str(error))
    return RoleCheck(True, "", "")

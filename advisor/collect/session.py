"""Sessions and clients for a connected account: the app's own credentials (boto3's default
chain) assume the account's read-only role with its ExternalId. No AWS keys are stored by the app.

This module is also the one place that decides where requests may go. Every boto3 client the app
makes (outside the demo's emulator tooling) is created by ``aws_client``, and it sends to an
endpoint URL only one that ``allowed_endpoint`` let through (an ``AllowedEndpoint``); any other
URL is refused before a request is made. Whether endpoint URLs are allowed at all is the
deployment's decision (ADVISOR_ALLOW_ENDPOINT_URL, off in production): the caller reads it and
hands it to ``allowed_endpoint`` (``advisor.services.endpoints``), so the collector itself reads
no settings. The first request of a scan or a connection test is AssumeRole, signed with the
app's own credentials: sent to an endpoint a tenant chose, it would hand that endpoint the app's
access key id, its session token and a signature over them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from advisor.collect.errors import AwsAccessError

SESSION_NAME = "lambda-advisor-scan"
STS_CONFIG = Config(
    connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"}
)


class EndpointNotAllowed(AwsAccessError):
    """An endpoint URL where this server sends requests to AWS's own endpoints only."""

    def __init__(self, endpoint_url: str) -> None:
        super().__init__(
            f"This server sends requests only to AWS itself (ADVISOR_ALLOW_ENDPOINT_URL is off), "
            f"not to the endpoint URL {endpoint_url}; nothing was sent there."
        )
        self.endpoint_url = endpoint_url


class AllowedEndpoint(str):
    """An endpoint URL that ``allowed_endpoint`` let through: the only kind of URL the clients
    of this module send requests to. It travels through the collector as the string it is."""

    __slots__ = ()


def allowed_endpoint(endpoint_url: str | None, *, allow: bool = False) -> AllowedEndpoint | None:
    """The endpoint URL to use (None: AWS's own), or EndpointNotAllowed. ``allow`` is the
    deployment's decision on endpoint URLs (ADVISOR_ALLOW_ENDPOINT_URL), read by the caller; a
    URL this function already let through passes again."""
    if not endpoint_url:
        return None
    if isinstance(endpoint_url, AllowedEndpoint):
        return endpoint_url
    if not allow:
        raise EndpointNotAllowed(endpoint_url)
    return AllowedEndpoint(endpoint_url)


def aws_client(
    service: str,
    *,
    session: boto3.Session | None = None,
    region: str,
    endpoint_url: str | None = None,
    config: Config | None = None,
) -> Any:
    """A boto3 client of ``session`` (None: the app's own credentials). ``endpoint_url`` must be
    one ``allowed_endpoint`` let through; any other is refused (EndpointNotAllowed)."""
    make = session.client if session is not None else boto3.client
    return make(
        service, region_name=region, endpoint_url=allowed_endpoint(endpoint_url), config=config
    )


def role_account(role_arn: str) -> str:
    """The 12-digit account of an IAM role ARN (``arn:aws:iam::<account>:role/<name>``), or ""
    when the ARN does not name one."""
    parts = role_arn.split(":")
    account = parts[4] if len(parts) >= 6 and parts[2] == "iam" else ""
    return account if len(account) == 12 and account.isdigit() else ""


# Credentials a scan keeps using are assumed again when they have less than this left: a region
# collected with them must not meet their expiry half-way (AssumeRole's default duration is one
# hour: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, DurationSeconds).
REUSE_MARGIN = dt.timedelta(minutes=20)


@dataclass(frozen=True)
class AssumedRole:
    """A role's temporary credentials. They sign requests in every region: session tokens from
    a Regional STS endpoint are valid in all Regions
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html),
    so one AssumeRole serves every region of a scan while the credentials last."""

    role_arn: str
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: dt.datetime

    def lasts(self, now: dt.datetime | None = None) -> bool:
        """Whether the credentials still have ``REUSE_MARGIN`` ahead of them."""
        return self.expires_at - (now or dt.datetime.now(dt.UTC)) > REUSE_MARGIN

    def session(self, region: str) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=region,
        )


def assume_role(
    *,
    role_arn: str,
    external_id: str | None,
    region: str,
    endpoint_url: str | None = None,
    session: boto3.Session | None = None,
) -> AssumedRole:
    """The role's temporary credentials, or AwsAccessError saying why not (EndpointNotAllowed,
    before anything is sent, for an endpoint URL this server refuses). ``external_id`` None: a
    role of the caller's own organisation that asks for none (the CLI's ``--organization``
    without ``--external-id``). ``session``: the caller's own credentials' session that asks
    (None: boto3's default session, which a caller on several threads must not share: boto3
    sessions are not thread-safe)."""
    sts = aws_client(
        "sts", session=session, region=region, endpoint_url=endpoint_url, config=STS_CONFIG
    )
    extra = {"ExternalId": external_id} if external_id else {}
    try:
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME, **extra)[
            "Credentials"
        ]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        text = error.response.get("Error", {}).get("Message", str(error))
        raise AwsAccessError(f"Could not assume {role_arn}: {code}: {text}") from error
    except BotoCoreError as error:
        raise AwsAccessError(f"Could not assume {role_arn}: {error}") from error
    expires_at = credentials["Expiration"]
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    return AssumedRole(
        role_arn=role_arn,
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
        expires_at=expires_at,
    )


def assume_role_session(
    *,
    role_arn: str,
    external_id: str | None,
    region: str,
    endpoint_url: str | None = None,
    session: boto3.Session | None = None,
) -> boto3.Session:
    """A session in ``region`` holding the role's temporary credentials (see ``assume_role``)."""
    return assume_role(
        role_arn=role_arn,
        external_id=external_id,
        region=region,
        endpoint_url=endpoint_url,
        session=session,
    ).session(region)

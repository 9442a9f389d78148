"""Accounts on the emulator with a history of scans, for report tests."""

from __future__ import annotations

import boto3

from accounts.models import AwsAccount
from advisor.models import Scan
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role


def connected_account(aws: str, *, name: str = "acme-prod", members: dict | None = None):
    """An account on the emulator whose role trusts its ExternalId; returns (account, session)."""
    workspace = make_workspace(members=members or {make_user(): "owner"})
    account = make_account(workspace, name=name, endpoint_url=aws, account_id="444455556666")
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    return account, session


def estate_v1(session: boto3.Session, aws: str) -> None:
    """Two functions on deprecated runtimes, one current."""
    create_function(session, aws, name="legacy-billing", runtime="python3.8")
    create_function(session, aws, name="legacy-etl", runtime="nodejs16.x")
    create_function(session, aws, name="orders-api", runtime="python3.13")


def estate_v2(session: boto3.Session, aws: str) -> None:
    """legacy-billing upgraded (its finding resolves), a new function on an old runtime."""
    lam = session.client("lambda", endpoint_url=aws, region_name="us-east-1")
    lam.update_function_configuration(FunctionName="legacy-billing", Runtime="python3.13")
    create_function(session, aws, name="reports-cron", runtime="python3.9")


def scan_inline(account: AwsAccount, trigger: str = Scan.Trigger.MANUAL) -> Scan:
    scan = run_scan_inline(scan_create(account=account, trigger=trigger))
    assert scan.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL), scan.error
    return scan


def name_of(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]

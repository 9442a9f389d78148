"""An ad hoc scan (``manage.py scan --regions``): the stored scan's pipeline without the
database. Each region is collected by ``collect_part``, the whole by ``analyse``, the status by
``scan_status`` and the rows by the code that stores them, and the document is built from those
rows as a stored scan's is: the two kinds of scan cannot drift apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from django.db import DatabaseError

from accounts.models import AwsAccount
from advisor.analysis import analyse
from advisor.collect.errors import AwsAccessError
from advisor.collect.inventory import Inventory
from advisor.collect.options import CollectOptions
from advisor.collect.session import AssumedRole, assume_role, aws_client, role_account
from advisor.models import Scan
from advisor.reports.scan_document import scan_document
from advisor.rules.registry import region_contexts
from advisor.services.findings import unsaved_findings
from advisor.services.prices import stored_prices_install
from advisor.services.scan_run import collect_part, function_records, summarise

Progress = Callable[[str], None]


def scan_ad_hoc(
    *,
    regions: list[str],
    endpoint_url: str | None,
    options: CollectOptions,
    role_arn: str | None = None,
    external_id: str | None = None,
    progress: Progress = lambda text: None,
    caller_session: boto3.Session | None = None,
    assumed: AssumedRole | None = None,
    prices_installed: bool = False,
) -> dict[str, Any]:
    """Scan ``regions`` with the default credential chain (or ``role_arn``) and return the
    scan's JSON document; nothing is stored. Workspace thresholds do not apply: the rules'
    defaults do. ``caller_session``: the session of the caller's own credentials that assumes
    ``role_arn`` (None: a new one), for a caller scanning accounts on several threads, each with
    its own. ``assumed``: ``role_arn``'s credentials the caller already holds (an organisation's
    member, whose role was tried first). ``prices_installed``: the caller already ran
    ``install_prices``.

    With a role, one AssumeRole serves every region while its credentials last (assumed again
    when they run short), and the account is the role's: no GetCallerIdentity."""
    caller = caller_session or boto3.Session()

    def session_for(region: str) -> boto3.Session:
        nonlocal assumed
        if not role_arn:
            return boto3.Session(region_name=region)
        if assumed is None or not assumed.lasts():
            assumed = assume_role(
                role_arn=role_arn,
                external_id=external_id,
                region=region,
                endpoint_url=endpoint_url,
                session=caller,
            )
        return assumed.session(region)

    # The role's account where its ARN names one; otherwise GetCallerIdentity says.
    inventory = Inventory(account_id=role_account(role_arn) if role_arn else "")

    def account_id(session: boto3.Session) -> str:
        if not inventory.account_id:
            inventory.account_id = caller_account(session, endpoint_url)
        return inventory.account_id

    started = dt.datetime.now(dt.UTC)
    errors: list[str] = []
    for region in regions:
        progress(f"{region}: starting")
        part = collect_part(
            region=region,
            session_for=session_for,
            account_id=account_id,
            endpoint_url=endpoint_url,
            options=options,
            progress=lambda stage, done, total, r=region: progress(f"{r}: {stage} {done}/{total}"),
        )
        if part.inventory is None:
            errors.append(f"{region}: {part.error}")
            progress(f"{region}: failed: {part.error}")
            continue
        inventory.regions.append(part.inventory)
        progress(
            f"{region}: {len(part.inventory.functions)} functions, "
            f"{sum(part.inventory.api_calls.values())} API calls"
        )
    if not prices_installed:
        install_prices(progress)
    contexts = region_contexts(inventory)
    analysis = analyse(contexts, cards=False)  # the document has no decision card
    scan = Scan(
        account=AwsAccount(account_id=inventory.account_id),
        regions=regions,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
    )
    summarise(scan, inventory=inventory, analysis=analysis, errors=errors)
    return scan_document(
        scan=scan,
        functions=function_records(scan, contexts, analysis.decisions),
        findings=unsaved_findings(analysis.results),
    )


def install_prices(progress: Progress) -> None:
    """The refreshed prices for the cost model, where the app's database has them."""
    try:
        stored_prices_install()
    except DatabaseError as exc:  # an ad hoc scan may run without the app's database
        progress(f"refreshed prices not read ({exc}): the shipped prices apply")


def caller_account(session: boto3.Session, endpoint_url: str | None) -> str:
    """The account the credentials belong to (STS GetCallerIdentity)."""
    try:
        sts = aws_client(
            "sts", session=session, region=session.region_name, endpoint_url=endpoint_url
        )
        return sts.get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as error:
        raise AwsAccessError(f"credentials not usable: {error}") from error

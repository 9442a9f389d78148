"""``manage.py scan --organization``: every active member of the caller's organisation scanned
ad hoc, one document for all. The caller's own credentials (the management account or a
delegated administrator) list the accounts; in each member the command assumes
``arn:<partition>:iam::<id>:role/<role name>`` and runs the ad hoc scan through it. A member
whose role cannot be assumed is skipped with STS's answer, and the others still run.

Members are scanned side by side on a bounded thread pool (``parallel`` at a time): Lambda's
quotas are per account and region, so accounts do not share a budget. boto3 sessions are not
thread-safe, so each member's work builds its own session of the caller's credentials and every
client it makes comes from that session or the role's sessions built from it. A member whose
scan raises is entered as failed with the error; the others are not lost. The document's order
is the builder's (by account id), whatever order the scans finish in."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from advisor.collect.errors import AwsAccessError
from advisor.collect.options import CollectOptions
from advisor.collect.organizations import MemberAccount, read_organization
from advisor.collect.session import assume_role
from advisor.reports.scan_document import account_entry, organization_document
from advisor.services.scan_adhoc import install_prices, scan_ad_hoc

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
# Members scanned at a time by default: each member's scan already runs its per-function calls
# on its own pool (CollectOptions.max_workers), so a few accounts at once keep a small machine
# busy without flooding it.
DEFAULT_PARALLEL = 4


def scan_organization_ad_hoc(
    *,
    regions: list[str],
    role_name: str,
    external_id: str | None,
    endpoint_url: str | None,
    options: CollectOptions,
    parallel: int = DEFAULT_PARALLEL,
    progress: Progress = lambda text: None,
) -> dict[str, Any]:
    """The organisation's document; AwsAccessError when the organisation cannot be listed."""
    if parallel < 1:
        raise ValueError(f"parallel must be 1 or more, not {parallel}")
    progress = _one_line_at_a_time(progress)
    listing = read_organization(boto3.Session(), endpoint_url=endpoint_url)
    progress(
        f"organisation {listing.organization_id}: {len(listing.accounts)} accounts "
        f"({sum(a.state == 'ACTIVE' for a in listing.accounts)} active)"
    )
    install_prices(progress)  # once, here: the members' scans read no database

    def scan(member: MemberAccount) -> dict[str, Any]:
        role_arn = f"arn:{listing.partition}:iam::{member.account_id}:role/{role_name}"
        say: Progress = lambda text: progress(f"{member.account_id}: {text}")  # noqa: E731
        try:
            return _scan_member(
                member,
                role_arn=role_arn,
                regions=regions,
                external_id=external_id,
                endpoint_url=endpoint_url,
                options=options,
                progress=say,
            )
        except Exception as error:  # one member's bug must not lose the others' scans
            logger.exception("the scan of member %s failed", member.account_id)
            reason = f"Internal error while scanning: {type(error).__name__}: {error}"
            say(f"failed: {reason}")
            return account_entry(member.account_id, status="failed", reason=reason)

    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="org-scan") as pool:
        entries = list(pool.map(scan, listing.accounts))
    return organization_document(entries)


def _scan_member(
    member: MemberAccount,
    *,
    role_arn: str,
    regions: list[str],
    external_id: str | None,
    endpoint_url: str | None,
    options: CollectOptions,
    progress: Progress,
) -> dict[str, Any]:
    if member.state != "ACTIVE":
        reason = f"the account is {member.state} in the organisation; it is not scanned"
        progress(f"skipped: {reason}")
        return account_entry(member.account_id, status="skipped", reason=reason)
    caller = boto3.Session()  # this member's own: sessions are not shared between threads
    try:
        assumed = assume_role(
            role_arn=role_arn,
            external_id=external_id,
            region=regions[0],
            endpoint_url=endpoint_url,
            session=caller,
        )
    except AwsAccessError as refusal:
        progress(f"skipped: {refusal}")
        return account_entry(member.account_id, status="skipped", reason=str(refusal))
    progress(f"scanning as {role_arn}")
    document = scan_ad_hoc(
        regions=regions,
        endpoint_url=endpoint_url,
        options=options,
        role_arn=role_arn,
        external_id=external_id,
        progress=progress,
        caller_session=caller,
        assumed=assumed,  # the role just tried scans the member: no second AssumeRole
        prices_installed=True,
    )
    progress(f"done: {document['scan']['status']}")
    return account_entry(member.account_id, document=document)


def _one_line_at_a_time(progress: Progress) -> Progress:
    """``progress`` behind a lock: lines from members' threads never interleave mid-line."""
    lock = threading.Lock()

    def locked(text: str) -> None:
        with lock:
            progress(text)

    return locked

"""``manage.py scan --organization``: every active member of the caller's organisation scanned
ad hoc, one document for all. The caller's own credentials (the management account or a
delegated administrator) list the accounts; in each member the command assumes
``arn:<partition>:iam::<id>:role/<role name>`` and runs the ad hoc scan through it. A member
whose role cannot be assumed is skipped with STS's answer, and the others still run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.collect.errors import AwsAccessError
from advisor.collect.options import CollectOptions
from advisor.collect.organizations import read_organization
from advisor.collect.session import assume_role_session
from advisor.reports.scan_document import account_entry, organization_document
from advisor.services.scan_adhoc import scan_ad_hoc

Progress = Callable[[str], None]


def scan_organization_ad_hoc(
    *,
    regions: list[str],
    role_name: str,
    external_id: str | None,
    endpoint_url: str | None,
    options: CollectOptions,
    progress: Progress = lambda text: None,
) -> dict[str, Any]:
    """The organisation's document; AwsAccessError when the organisation cannot be listed."""
    listing = read_organization(None, endpoint_url=endpoint_url)
    progress(
        f"organisation {listing.organization_id}: {len(listing.accounts)} accounts "
        f"({sum(a.state == 'ACTIVE' for a in listing.accounts)} active)"
    )
    entries = []
    for member in listing.accounts:
        if member.state != "ACTIVE":
            reason = f"the account is {member.state} in the organisation; it is not scanned"
            progress(f"{member.account_id}: skipped: {reason}")
            entries.append(account_entry(member.account_id, status="skipped", reason=reason))
            continue
        role_arn = f"arn:{listing.partition}:iam::{member.account_id}:role/{role_name}"
        try:
            assume_role_session(
                role_arn=role_arn,
                external_id=external_id,
                region=regions[0],
                endpoint_url=endpoint_url,
            )
        except AwsAccessError as refusal:
            progress(f"{member.account_id}: skipped: {refusal}")
            entries.append(account_entry(member.account_id, status="skipped", reason=str(refusal)))
            continue
        progress(f"{member.account_id}: scanning as {role_arn}")
        document = scan_ad_hoc(
            regions=regions,
            endpoint_url=endpoint_url,
            options=options,
            role_arn=role_arn,
            external_id=external_id,
            progress=lambda text, a=member.account_id: progress(f"{a}: {text}"),
        )
        entries.append(account_entry(member.account_id, document=document))
    return organization_document(entries)

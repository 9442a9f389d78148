"""What several pages read: which accounts a user sees, and each account's latest scan with
results (succeeded or partial), the scan whose functions and findings the lists show."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Subquery

from accounts.models import AwsAccount
from accounts.selectors import accounts_for
from advisor.models import Finding, FindingFunction, FunctionRecord, Scan
from advisor.rules.resources import function_name


def latest_scan_ids_with_results(user: AbstractBaseUser) -> list[int]:
    """The id of each of the user's accounts' latest scan with results (one query).

    Lists read these ids first and filter by the literal list: PostgreSQL then walks the
    (scan, name) index instead of evaluating a correlated subquery once per function row.
    """
    latest = (
        Scan.objects.filter(account=OuterRef("pk"), status__in=Scan.WITH_RESULTS)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        accounts_for(user)
        .select_related(None)
        .annotate(latest_scan=Subquery(latest))
        .filter(latest_scan__isnull=False)
        .order_by("pk")
        .values_list("latest_scan", flat=True)
    )


def latest_scan_with_results(account: AwsAccount) -> Scan | None:
    """The account's latest succeeded or partial scan, if any."""
    return account.scans.filter(status__in=Scan.WITH_RESULTS).order_by("-created_at", "-pk").first()


def visible_account_ids(user: AbstractBaseUser) -> list[int]:
    """The ids of the accounts the user may see (one query), for lists that filter by them."""
    return list(accounts_for(user).select_related(None).order_by("pk").values_list("pk", flat=True))


def attach_function_links(findings: list[Finding]) -> list[Finding]:
    """Set ``function_links`` on each finding of a page: the functions it concerns, each with
    its newest record of a scan with results (``[{"pk", "name", "arn"}]``, by name), so a list
    (the findings page, the overview) links each finding to the pages of its functions. One
    query for the page."""
    if not findings:
        return findings
    newest = (
        FunctionRecord.objects.filter(
            account_id=OuterRef("finding__account_id"),
            arn=OuterRef("function_arn"),
            scan__status__in=Scan.WITH_RESULTS,
        )
        .order_by("-scan__created_at", "-pk")
        .values("pk")[:1]
    )
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for finding_id, arn, record in (
        FindingFunction.objects.filter(finding_id__in=[f.pk for f in findings])
        .annotate(record=Subquery(newest))
        .values_list("finding_id", "function_arn", "record")
    ):
        if record is not None:
            links[finding_id].append({"pk": record, "name": function_name(arn), "arn": arn})
    for finding in findings:
        finding.function_links = sorted(links.get(finding.pk, ()), key=lambda x: x["name"])
    return findings

"""What several pages read: which accounts a user sees, and each account's latest scan with
results (succeeded or partial), the scan whose functions and findings the lists show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, OuterRef, Subquery

from accounts.models import AwsAccount
from accounts.selectors import accounts_for
from advisor.links import url_for_pk
from advisor.models import Finding, FindingFunction, FunctionRecord, Scan
from advisor.rules.resources import function_name


def related_only(relation: str, model: type[Model], *keep: str) -> list[str]:
    """The ``defer()`` arguments that leave only ``keep`` (and the key) of a ``select_related``
    relation: lists name an account, they do not need its role, organisation or error columns,
    and a column added to the model later stays out of them too."""
    return [
        f"{relation}__{field.name}"
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in keep
    ]


def latest_with_results() -> Subquery:
    """The id of ``OuterRef("pk")``'s (an account's) latest scan with results."""
    return Subquery(
        Scan.objects.filter(account=OuterRef("pk"), status__in=Scan.WITH_RESULTS)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )


def latest_scan_ids_with_results(user: AbstractBaseUser) -> list[int]:
    """The id of each of the user's accounts' latest scan with results (one query).

    Lists read these ids first and filter by the literal list: PostgreSQL then walks the
    (scan, name) index instead of evaluating a correlated subquery once per function row.
    """
    return list(
        accounts_for(user)
        .select_related(None)
        .annotate(latest_scan=latest_with_results())
        .filter(latest_scan__isnull=False)
        .order_by("pk")
        .values_list("latest_scan", flat=True)
    )


def latest_scan_with_results(account: AwsAccount) -> Scan | None:
    """The account's latest succeeded or partial scan, if any."""
    return account.scans.filter(status__in=Scan.WITH_RESULTS).order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class VisibleAccounts:
    """The accounts a user may see, read once for a list: their ids to filter by, the menu of
    them (pk and name), and each one's latest scan with results (for function links)."""

    accounts: list[AwsAccount]
    latest_scan_ids: list[int]

    @property
    def ids(self) -> list[int]:
        return sorted(a.pk for a in self.accounts)


def visible_accounts(user: AbstractBaseUser) -> VisibleAccounts:
    """The user's accounts with their latest scans with results: one query."""
    accounts = list(
        accounts_for(user)
        .select_related(None)
        .only("pk", "name")
        .annotate(latest_scan=latest_with_results())
    )
    return VisibleAccounts(
        accounts=accounts,
        latest_scan_ids=sorted(a.latest_scan for a in accounts if a.latest_scan is not None),
    )


def attach_function_links(
    findings: list[Finding], *, latest_scan_ids: Iterable[int] | None = None
) -> list[Finding]:
    """Set ``function_links`` on each finding of a page: the functions it concerns, each with
    its record in its account's latest scan with results (``[{"pk", "name", "arn"}]``, by
    name), so a list (the findings page, the overview) links each finding to the pages of its
    functions. One query for the page, filtered by ``latest_scan_ids`` when the list has read
    them already (a subquery finds them otherwise)."""
    if not findings:
        return findings
    if latest_scan_ids is None:
        scans = (
            AwsAccount.objects.filter(pk__in={f.account_id for f in findings})
            .annotate(latest_scan=latest_with_results())
            .values("latest_scan")
        )
    else:
        scans = list(latest_scan_ids)
    newest = FunctionRecord.objects.filter(
        scan_id__in=scans,
        account_id=OuterRef("finding__account_id"),
        arn=OuterRef("function_arn"),
    ).values("pk")[:1]
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    function_url = url_for_pk("advisor:function-detail")
    for finding_id, arn, record in (
        FindingFunction.objects.filter(finding_id__in=[f.pk for f in findings])
        .annotate(record=Subquery(newest))
        .values_list("finding_id", "function_arn", "record")
    ):
        if record is not None:
            links[finding_id].append(
                {"pk": record, "name": function_name(arn), "arn": arn, "url": function_url(record)}
            )
    for finding in findings:
        finding.function_links = sorted(links.get(finding.pk, ()), key=lambda x: x["name"])
        # The one function the finding is filed under: its name links to that function's page.
        own = finding.function_links
        finding.own_function_url = (
            own[0]["url"] if len(own) == 1 and own[0]["arn"] == finding.resource_arn else None
        )
    return findings

"""Reads for the overview (``advisor.views.overview``): each account's latest scan and open
findings by severity and pillar, the same added up per workspace, and the findings trend."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Membership
from accounts.selectors import accounts_for
from advisor.models import SEVERITY_ORDER, AccountFindingSummary, Finding, Scan
from advisor.rules.base import Pillar
from advisor.selectors.common import latest_with_results

MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)
PILLARS = [str(p) for p in Pillar]


def overview_rows(
    user: AbstractBaseUser, *, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Per account: latest scan, whether the user may manage it, open findings by severity and
    by pillar, with the id of its latest scan with results (what its findings link to); its
    worst findings are attached to the page's rows only (``attach_worst_findings``).

    The counts are the account's stored ``AccountFindingSummary`` (read with the accounts), so
    the workspace totals do not count every finding of every account; an account whose stored
    counts no longer hold (missing, of an older scan, a suppression in force expired since) is
    counted here, those accounts only, and left for the fleet page or the next scan to store.
    Three queries however many accounts and findings there are (two when every count holds)."""
    now = now or timezone.now()
    latest = Scan.objects.filter(account=OuterRef("pk")).order_by("-created_at", "-pk")
    role = Membership.objects.filter(user=user, workspace_id=OuterRef("workspace_id"))
    stored = AccountFindingSummary.objects.filter(account=OuterRef("pk"))
    accounts = list(
        accounts_for(user).annotate(
            latest_scan_id=Subquery(latest.values("pk")[:1]),
            results_scan_id=latest_with_results(),
            role=Subquery(role.values("role")[:1]),
            stored_severity=Subquery(stored.values("severity")[:1]),
            stored_pillar=Subquery(stored.values("pillar")[:1]),
            stored_scan_id=Subquery(stored.values("scan_id")[:1]),
            stored_until=Subquery(stored.values("valid_until")[:1]),
        )
    )
    # What the cards and totals show of each latest scan, not its stored inventories' kin.
    scans = Scan.objects.only(
        "pk", "account_id", "status", "created_at", "function_count", "error", "coverage_gaps"
    ).in_bulk([a.latest_scan_id for a in accounts if a.latest_scan_id])
    by_severity: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_pillar: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    stale = []
    for account in accounts:
        if _stored_counts_hold(account, now):
            by_severity[account.pk].update(account.stored_severity)
            by_pillar[account.pk].update(account.stored_pillar)
        else:
            stale.append(account.pk)
    if stale:
        for account_id, severity, pillar, n in (
            Finding.objects.for_accounts(stale)
            .open_unsuppressed(now)
            .order_by()
            .values_list("account_id", "severity", "pillar")
            .annotate(n=Count("pk"))
        ):
            by_severity[account_id][severity] += n
            by_pillar[account_id][pillar] += n
    return [
        {
            "account": account,
            "can_manage": account.role in MANAGER_ROLES,
            "scan": scans.get(account.latest_scan_id),
            "results_scan_id": account.results_scan_id,
            "severity_counts": [(s, by_severity[account.pk].get(s, 0)) for s in SEVERITY_ORDER],
            "pillar_counts": [(p, by_pillar[account.pk].get(p, 0)) for p in PILLARS],
            "findings": [],
            "finding_total": sum(by_severity[account.pk].values()),
        }
        for account in accounts
    ]


def _stored_counts_hold(account: Any, now: dt.datetime) -> bool:
    """Whether the account's stored counts (``overview_rows``' annotations) are its counts now:
    stored, of its latest scan with results, and no suppression they hide has expired since."""
    return account.stored_severity is not None and AccountFindingSummary.counts_hold(
        counted_for=account.stored_scan_id,
        valid_until=account.stored_until,
        latest=account.results_scan_id,
        now=now,
    )


def attach_worst_findings(rows: list[dict[str, Any]], *, top: int = 10) -> None:
    """Give each of these rows (a page of ``overview_rows``) the ``top`` worst open findings of
    its account (one query)."""
    by_id = {row["account"].pk: row for row in rows}
    if not by_id:
        return
    open_findings = Finding.objects.for_accounts(list(by_id)).open_unsuppressed()
    for finding in _worst_per_account(open_findings, list(by_id), top):
        by_id[finding.account_id]["findings"].append(finding)


def workspace_summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overview's rows added up per workspace: accounts, open findings by severity and
    pillar, accounts with coverage gaps in their latest scan (pure: no queries)."""
    summaries: dict[int, dict[str, Any]] = {}
    for row in rows:
        workspace = row["account"].workspace
        summary = summaries.setdefault(
            workspace.pk,
            {
                "workspace": workspace,
                "accounts": 0,
                "never_scanned": 0,
                "with_gaps": 0,
                "finding_total": 0,
                "severity": defaultdict(int),
                "pillar": defaultdict(int),
            },
        )
        summary["accounts"] += 1
        summary["never_scanned"] += row["scan"] is None
        summary["with_gaps"] += bool(row["scan"] and row["scan"].coverage_gaps)
        summary["finding_total"] += row["finding_total"]
        for severity, n in row["severity_counts"]:
            summary["severity"][severity] += n
        for pillar, n in row["pillar_counts"]:
            summary["pillar"][pillar] += n
    return [
        {
            **summary,
            "severity_counts": [(s, summary["severity"][s]) for s in SEVERITY_ORDER],
            "pillar_counts": [(p, summary["pillar"][p]) for p in PILLARS],
        }
        for summary in sorted(summaries.values(), key=lambda s: s["workspace"].name.lower())
    ]


def _worst_per_account(open_findings: QuerySet[Finding], ids: list[int], top: int):
    """The ``top`` worst findings of each account, in one query. Where the database can order
    and limit inside a UNION (PostgreSQL), each account's are read along the finding_worst_first
    index; elsewhere a window ranks them all."""
    order = ("severity_order", "rule_id", "resource_arn")
    merges = connections[open_findings.db].features.supports_slicing_ordering_in_compound
    if len(ids) <= 1 or merges:
        parts = [open_findings.filter(account_id=pk).order_by(*order)[:top] for pk in ids]
        if len(parts) <= 1:
            return parts[0] if parts else []
        return parts[0].union(*parts[1:], all=True).order_by("account_id", *order)
    return (
        open_findings.annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("account_id")],
                order_by=[F(field).asc() for field in order],
            )
        )
        .filter(place__lte=top)
        .order_by("account_id", "place")
    )


def findings_trend_rows(user: AbstractBaseUser, *, per_account: int = 20) -> list[dict[str, Any]]:
    """Findings seen by each of the last ``per_account`` scans with results of each account, oldest
    first: ``{"account", "when", "open"}``."""
    scans = (
        Scan.objects.filter(account__in=accounts_for(user), status__in=Scan.WITH_RESULTS)
        .order_by("-created_at", "-pk")
        .values("account__name", "finished_at", "created_at", "finding_count")[:500]
    )
    kept: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for scan in scans:
        rows = kept[scan["account__name"]]
        if len(rows) < per_account:
            rows.append(
                {
                    "account": scan["account__name"],
                    "when": scan["finished_at"] or scan["created_at"],
                    "open": scan["finding_count"],
                }
            )
    return [row for rows in kept.values() for row in reversed(rows)]

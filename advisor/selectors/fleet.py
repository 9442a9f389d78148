"""Reads for the fleet overview (``advisor.views.fleet``): one workspace's accounts side by side.

Every read is keyed by the workspace's account ids (read once, after the membership check), so
another workspace's rows are never read. The page costs the same number of queries for 3 accounts
or 200: each account's latest scan with results is read once for its functions, gaps and stored
cost opportunities; the trend is one read of the window's scan summaries. The open findings are
not read per request: each account's counts by severity and pillar, and each function's, are stored
when they change (``AccountFindingSummary``, ``FunctionFindingSummary``); the view has the stale
ones counted again before it reads them.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    Field,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import AwsAccount, Workspace
from accounts.selectors import workspaces_for
from advisor.merged_list import MergedOrderedList
from advisor.models import (
    SEVERITY_ORDER,
    AccountFindingSummary,
    FunctionFindingSummary,
    FunctionRecord,
    Scan,
)
from advisor.rules.resources import function_name
from advisor.selectors import findings as finding_lists
from advisor.selectors import functions as function_lists
from advisor.selectors.overview import PILLARS

TOP = 10
TREND_DAYS = 30


def fleet_workspaces(user: AbstractBaseUser) -> list[Workspace]:
    """The workspaces the user belongs to, by name (the page's workspace menu)."""
    return list(workspaces_for(user).order_by("name", "pk"))


def fleet_workspace(workspaces: list[Workspace], pk: int | None) -> Workspace | None:
    """The workspace asked for among the user's (``fleet_workspaces``), the first by default;
    404 for one the user does not belong to, never 403."""
    if pk is None:
        return workspaces[0] if workspaces else None
    for workspace in workspaces:
        if workspace.pk == pk:
            return workspace
    raise Http404("No such workspace.")


@dataclass(frozen=True, slots=True)
class AccountRow:
    """What the page shows of an account (read as plain values, not a model instance)."""

    pk: int
    name: str
    account_id: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class ScanRow:
    """What the page shows of an account's latest scan."""

    pk: int
    status: str
    created_at: dt.datetime

    @property
    def status_label(self) -> str:
        return Scan.Status(self.status).label


@dataclass
class FleetAccount:
    """One account's row of the matrix."""

    account: AccountRow
    scan: ScanRow | None  # the latest scan, whatever its outcome
    # The latest scan with results: its pk, functions, whether it has coverage gaps and what
    # its stored cost opportunities add up to (``fleet_accounts``), not the stored lists.
    results: dict[str, Any] | None
    severity: dict[str, int] = field(default_factory=dict)
    pillar: dict[str, int] = field(default_factory=dict)
    # The stored counts are missing, of an older scan, or a suppression has expired since:
    # count again (``advisor.services.finding_summaries``) and ``attach_summaries``.
    stale: bool = True

    @property
    def results_scan_id(self) -> int | None:
        return self.results["pk"] if self.results else None

    @property
    def severity_counts(self) -> list[tuple[str, int]]:
        return [(s, self.severity.get(s, 0)) for s in SEVERITY_ORDER]

    @property
    def pillar_counts(self) -> list[tuple[str, int]]:
        return [(p, self.pillar.get(p, 0)) for p in PILLARS]

    @property
    def finding_total(self) -> int:
        return sum(self.severity.values())

    @property
    def functions(self) -> int:
        return self.results["function_count"] if self.results else 0

    @property
    def saving(self) -> float | None:
        return self.results["total_saving"] if self.results else None

    @property
    def rank(self) -> tuple:
        """Worst first: most critical, then most high, ... then most findings in all."""
        return tuple(-self.severity.get(s, 0) for s in SEVERITY_ORDER)


def _number(key: str, output_field: Field) -> Cast:
    """A number stored under ``key`` of the scan's cost opportunities, as a column (no JSON to
    decode per row)."""
    return Cast(KeyTextTransform(key, "cost_opportunities"), output_field)


# What the page reads of a scan's stored JSON: single keys, as numbers where they are numbers,
# not the stored lists (each latest scan's ten opportunities are read only for the accounts that
# can hold the fleet's largest).
_SCAN_KEYS = {
    "has_gaps": ExpressionWrapper(Q(coverage_gaps__0__isnull=False), output_field=BooleanField()),
    "total_saving": _number("total_saving", FloatField()),
    "opportunity_count": _number("count", IntegerField()),
    "saving_functions": _number("functions", IntegerField()),
    "no_prices": KeyTransform("no_prices", "cost_opportunities"),
    # Stored largest first (``sort_opportunities``): the account's largest saving.
    "top_saving": Cast(
        KeyTextTransform(
            "saving", KeyTransform("0", KeyTransform("opportunities", "cost_opportunities"))
        ),
        FloatField(),
    ),
    "worked_out": Case(
        When(cost_opportunities__isnull=True, then=False),
        default=True,
        output_field=BooleanField(),
    ),
}


def fleet_accounts(workspace: Workspace) -> list[FleetAccount]:
    """Every account of the workspace, by name, with its latest scan, its latest scan with
    results and its open findings by severity and pillar (three queries, read as plain values:
    at 200 accounts model instances cost more than the queries)."""
    latest = Scan.objects.filter(account=OuterRef("pk")).order_by("-created_at", "-pk")
    with_results = latest.filter(status__in=Scan.WITH_RESULTS)
    accounts = list(
        AwsAccount.objects.filter(workspace=workspace)
        .annotate(
            latest_scan_id=Subquery(latest.values("pk")[:1]),
            results_scan_id=Subquery(with_results.values("pk")[:1]),
        )
        .order_by("name", "pk")
        .values_list("pk", "name", "account_id", "enabled", "latest_scan_id", "results_scan_id")
    )
    ids = {row[4] for row in accounts} | {row[5] for row in accounts}
    ids.discard(None)
    scans = {
        row[0]: row
        for row in Scan.objects.filter(pk__in=list(ids))
        .annotate(**_SCAN_KEYS)
        .values_list("pk", "status", "created_at", "function_count", *_SCAN_KEYS)
    }
    rows = []
    for pk, name, account_id, enabled, latest_id, results_id in accounts:
        latest_row = scans.get(latest_id)
        found = scans.get(results_id)
        results = None
        if found is not None:
            (
                scan_pk,
                _,
                _,
                function_count,
                has_gaps,
                total_saving,
                count,
                functions,
                no_prices,
                top_saving,
                worked_out,
            ) = found
            results = {
                "pk": scan_pk,
                "function_count": function_count,
                "has_gaps": has_gaps,
                "worked_out": worked_out,
                "total_saving": total_saving if worked_out else None,
                "count": count or 0,
                "functions": functions or 0,
                "no_prices": no_prices or [],
                "top_saving": top_saving,
            }
        rows.append(
            FleetAccount(
                account=AccountRow(pk, name, account_id, enabled),
                scan=ScanRow(*latest_row[:3]) if latest_row else None,
                results=results,
            )
        )
    attach_summaries(rows)
    return rows


def attach_summaries(rows: list[FleetAccount], *, now: dt.datetime | None = None) -> None:
    """Give each row its account's stored counts of open findings by severity and pillar, and
    mark it stale when they no longer hold (one query)."""
    now = now or timezone.now()
    by_id = {r.account.pk: r for r in rows}
    for account_id, scan_id, severity, pillar, valid_until in AccountFindingSummary.objects.filter(
        account_id__in=list(by_id)
    ).values_list("account_id", "scan_id", "severity", "pillar", "valid_until"):
        row = by_id[account_id]
        row.severity = {k: n for k, n in severity.items() if n}
        row.pillar = {k: n for k, n in pillar.items() if n}
        row.stale = not AccountFindingSummary.counts_hold(
            counted_for=scan_id, valid_until=valid_until, latest=row.results_scan_id, now=now
        )


def stale_scans(rows: list[FleetAccount]) -> dict[int, int | None]:
    """{account id: its latest scan with results} of the rows whose stored counts are stale."""
    return {r.account.pk: r.results_scan_id for r in rows if r.stale}


def worst_accounts(rows: list[FleetAccount], *, top: int = TOP) -> list[FleetAccount]:
    """The ``top`` accounts with the worst open findings (most critical, then high, ...);
    accounts without any are not "worst" (pure: no queries)."""
    return sorted((r for r in rows if r.finding_total), key=lambda r: (r.rank, r.account.name))[
        :top
    ]


def fleet_totals(rows: list[FleetAccount]) -> dict[str, Any]:
    """The fleet added up (pure: no queries)."""
    severity: dict[str, int] = defaultdict(int)
    pillar: dict[str, int] = defaultdict(int)
    for row in rows:
        for key, n in row.severity.items():
            severity[key] += n
        for key, n in row.pillar.items():
            pillar[key] += n
    return {
        "accounts": len(rows),
        "enabled": sum(r.account.enabled for r in rows),
        "never_scanned": sum(r.scan is None for r in rows),
        "failed": sum(bool(r.scan and r.scan.status == Scan.Status.FAILED) for r in rows),
        "with_gaps": sum(bool(r.results and r.results["has_gaps"]) for r in rows),
        "functions": sum(r.functions for r in rows),
        "finding_total": sum(severity.values()),
        "severity_counts": [(s, severity[s]) for s in SEVERITY_ORDER],
        "pillar_counts": [(p, pillar[p]) for p in PILLARS],
    }


def fleet_opportunities(rows: list[FleetAccount], *, top: int = TOP) -> dict[str, Any]:
    """The cost opportunities every account's latest scan stored, added up: the monthly saving
    (each function's best combination, as the scan worked it out), the opportunities and the
    functions they are in, the ``top`` largest across the fleet with their account, and how many
    accounts' scans have none worked out. The totals come with the rows; the largest are read
    (one query) from the accounts whose own largest saving is among the ``top`` largest: each
    scan stores its opportunities largest first, so no other account can hold one of them."""
    total, count, functions, not_worked_out = 0.0, 0, 0, 0
    no_prices: set[str] = set()
    for row in rows:
        if row.results is None:
            continue
        if not row.results["worked_out"]:
            not_worked_out += 1
            continue
        total += row.results["total_saving"] or 0.0
        count += row.results["count"]
        functions += row.results["functions"]
        no_prices.update(row.results["no_prices"])
    # The ``top`` accounts by their largest saving (a missing one counts as 0, as below), then
    # name: the fleet's largest are ordered so, and any other account's largest comes after
    # ``top`` of theirs.
    costed = sorted(
        (r for r in rows if r.results and r.results["count"]),
        key=lambda r: (-(r.results["top_saving"] or 0), r.account.name, r.account.pk),
    )[:top]
    candidates = {r.results["pk"]: r.account for r in costed}
    largest: list[tuple[float, str, str, int, dict[str, Any]]] = []
    if candidates:
        for scan_id, stored in Scan.objects.filter(pk__in=list(candidates)).values_list(
            "pk", "cost_opportunities__opportunities"
        ):
            account = candidates[scan_id]
            largest.extend(
                (-(o["saving"] or 0), account.name, o["function_name"], account.pk, o)
                for o in stored or ()
            )
    accounts = {row.account.pk: row.account for row in rows}
    top_ones = [
        {**o, "account": accounts[pk]}
        for *_, pk, o in heapq.nsmallest(top, largest, key=lambda item: item[:3])
    ]
    return {
        "total_saving": total,
        "count": count,
        "functions": functions,
        "largest": top_ones,
        "not_worked_out": not_worked_out,
        "no_prices": sorted(no_prices),
    }


def worst_functions(rows: list[FleetAccount], *, top: int = TOP) -> list[dict[str, Any]]:
    """The ``top`` functions with the worst open findings across the fleet (most critical, then
    high, ..., then most findings), counting every finding that concerns a function as its page
    does (the stored ``FunctionFindingSummary`` rows); each with its record in its account's
    latest scan with results, when it has one (two queries)."""
    by_id = {r.account.pk: r for r in rows}
    ranked = list(
        FunctionFindingSummary.objects.filter(account_id__in=list(by_id))
        .order_by(*[f"-{s}" for s in SEVERITY_ORDER], "-total", "function_arn")
        .values("account_id", "function_arn", "total", *SEVERITY_ORDER)[:top]
    )
    # Each one's record by (account, ARN, scan): the (account, arn) index, ten lookups.
    wanted = Q(pk__in=[])
    for row in ranked:
        account = by_id[row["account_id"]]
        if account.results:
            wanted |= Q(
                account_id=row["account_id"],
                arn=row["function_arn"],
                scan_id=account.results["pk"],
            )
    records = {
        (account_id, arn): pk
        for pk, account_id, arn in FunctionRecord.objects.filter(wanted).values_list(
            "pk", "account_id", "arn"
        )
    }
    return [
        {
            "account": by_id[row["account_id"]].account,
            "arn": row["function_arn"],
            "name": function_name(row["function_arn"]),
            "record_pk": records.get((row["account_id"], row["function_arn"])),
            "total": row["total"],
            "severity_counts": [(s, row[s]) for s in SEVERITY_ORDER],
        }
        for row in ranked
    ]


def fleet_trend(
    rows: list[FleetAccount], *, days: int = TREND_DAYS, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Per UTC day of the last ``days`` on which a scan finished, the fleet as of the end of
    that day: each account counted with its latest scan with results so far (carried over the
    days it was not scanned; an account counts from its first scan in the window). ``{"day",
    "accounts", "functions", "findings"}`` oldest first; findings are those each scan saw (one
    query)."""
    now = now or timezone.now()
    since = (
        (now - dt.timedelta(days=days - 1))
        .astimezone(dt.UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    scans = (
        Scan.objects.filter(
            account_id__in=[r.account.pk for r in rows],
            status__in=Scan.WITH_RESULTS,
            created_at__gte=since,
        )
        .order_by("created_at", "pk")
        # The UTC day in the database: a date per row, not two timestamps to parse.
        .annotate(day=TruncDate(Coalesce("finished_at", "created_at"), tzinfo=dt.UTC))
        .values_list("account_id", "day", "function_count", "finding_count")
    )
    by_day: dict[dt.date, dict[int, tuple[int, int]]] = defaultdict(dict)
    for account_id, day, functions, findings in scans:
        by_day[day][account_id] = (functions, findings)  # the day's last scan wins
    current: dict[int, tuple[int, int]] = {}
    trend = []
    for day in sorted(by_day):
        current.update(by_day[day])
        trend.append(
            {
                "day": day,
                "accounts": len(current),
                "scanned": len(by_day[day]),
                "functions": sum(f for f, _ in current.values()),
                "findings": sum(n for _, n in current.values()),
            }
        )
    return trend


SEARCH_FINDINGS = "findings"
SEARCH_FUNCTIONS = "functions"
SEARCH_KINDS = (SEARCH_FINDINGS, SEARCH_FUNCTIONS)
# A function search counts this many matches at most (20 pages of 25), then says "more than".
SEARCH_COUNT_LIMIT = 500


def search_findings(rows: list[FleetAccount], q: str) -> MergedOrderedList:
    """Open findings of every account of the fleet whose rule, title, resource or message holds
    ``q``, worst first, for the paginator (the findings page's search, over these accounts)."""
    account_ids = [r.account.pk for r in rows]
    filters = finding_lists.FindingFilters(q=q)
    found = finding_lists.findings_for(account_ids, filters)
    return finding_lists.findings_merged(found, account_ids, filters, count=found.count())


def search_functions(rows: list[FleetAccount], q: str) -> MergedOrderedList:
    """Functions in every account's latest scan with results whose name or ARN holds ``q``, by
    name, for the paginator (the functions page's search, over these accounts)."""
    scan_ids = [r.results["pk"] for r in rows if r.results]
    found = function_lists.functions_for(scan_ids, function_lists.FunctionFilters(q=q))
    return MergedOrderedList(
        found,
        partition="scan_id",
        values=scan_ids,
        count_limit=SEARCH_COUNT_LIMIT,
        keys_first=True,
    )

"""Reads for the dashboard's list and detail pages, scoped to the user's workspaces.

Every list is one queryset whose per-row figures (open findings of a function) are subqueries,
so a page costs the same number of queries for 3 functions or 10,000.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404

from accounts.models import AwsAccount, Membership
from accounts.selectors import accounts_for, manageable_workspaces_for
from advisor.collect.inventory import Function, RegionInventory, from_plain
from advisor.merged_list import MergedOrderedList
from advisor.models import Finding, FunctionRecord, Scan, ScanRegion, Suppression
from advisor.rules.base import Pillar
from advisor.rules.registry import all_rules
from advisor.selectors import SEVERITY_ORDER

MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)
PILLARS = [str(p) for p in Pillar]


# Scans -------------------------------------------------------------------------------------


def latest_finished_scan_ids(user: AbstractBaseUser) -> list[int]:
    """The id of each of the user's accounts' latest finished scan (one query).

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


def visible_account_ids(user: AbstractBaseUser) -> list[int]:
    """The ids of the accounts the user may see (one query), for lists that filter by them."""
    return list(accounts_for(user).select_related(None).order_by("pk").values_list("pk", flat=True))


def findings_trend_rows(user: AbstractBaseUser, *, per_account: int = 20) -> list[dict[str, Any]]:
    """Findings seen by each of the last ``per_account`` finished scans of each account, oldest
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


# Functions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionFilters:
    q: str = ""
    account: int | None = None
    region: str = ""
    runtime: str = ""
    architecture: str = ""
    has_findings: str = ""  # "yes", "no" or "" (either)
    trigger: str = ""  # one of INVOCATION_TYPES
    verdict: str = ""  # "lambda", "containers" or "ec2"
    sort: str = "name"
    descending: bool = False


FUNCTION_SORTS = {
    "name": "name",
    "account": "account__name",
    "region": "region",
    "runtime": "runtime",
    "memory": "memory_mb",
    "timeout": "timeout_s",
    "code_size": "code_size",
    "invocations": "invocations",
    "errors": "errors",
    "throttles": "throttles",
    "p99": "duration_p99_ms",
    "findings": "open_findings",
}


def _open_findings_of_function() -> QuerySet[Finding]:
    return Finding.objects.filter(
        account=OuterRef("account"), resource_arn=OuterRef("arn")
    ).open_unsuppressed()


def functions_for(scan_ids: list[int], filters: FunctionFilters) -> QuerySet[FunctionRecord]:
    """Functions of the given scans (each account's latest finished one, see
    :func:`latest_finished_scan_ids`), filtered and sorted.

    Open findings are not annotated here: as a correlated subquery PostgreSQL would count them
    once per row (minutes at 10,000 functions). :func:`attach_open_findings` counts them for
    one page, and :class:`FindingsOrderedList` sorts by them. "Has findings" is an EXISTS, which
    PostgreSQL plans as a semi-join.
    """
    qs = (
        FunctionRecord.objects.filter(scan_id__in=scan_ids)
        .select_related("account")
        .defer("config", "recommendation")
    )
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(arn__icontains=filters.q))
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.runtime:
        qs = qs.filter(runtime=filters.runtime)
    if filters.architecture:
        qs = qs.filter(architecture=filters.architecture)
    if filters.trigger:
        qs = qs.filter(invocation_types__contains=f",{filters.trigger},")
    if filters.verdict:
        qs = qs.filter(verdict=filters.verdict)
    if filters.has_findings == "yes":
        qs = qs.filter(Exists(_open_findings_of_function()))
    elif filters.has_findings == "no":
        qs = qs.filter(~Exists(_open_findings_of_function()))
    field = FUNCTION_SORTS.get(filters.sort, "name")
    if field == "open_findings":
        return qs.order_by("name", "pk")  # sorted by FindingsOrderedList
    order = F(field).desc(nulls_last=True) if filters.descending else F(field).asc(nulls_last=True)
    return qs.order_by(order, "name", "pk")


def open_findings_counts(records: QuerySet[FunctionRecord]) -> dict[tuple[int, str], int]:
    """Open findings per (account id, function ARN) over the functions of a list (one query,
    grouped in the database)."""
    rows = (
        Finding.objects.for_accounts(records.order_by().values("account_id"))
        .open_unsuppressed()
        .order_by()
        .values_list("account_id", "resource_arn")
        .annotate(n=Count("pk"))
    )
    return {(account_id, arn): n for account_id, arn, n in rows}


class FindingsOrderedList:
    """A function list sorted by open findings, sliceable for the paginator.

    Sorting reads only (pk, account, ARN) of every matching function and one grouped count of
    findings; a page then loads its 50 rows by primary key: four queries at any size."""

    def __init__(self, records: QuerySet[FunctionRecord], *, descending: bool) -> None:
        self.records = records
        self.descending = descending
        self._order: list[tuple[int, int]] | None = None

    def _ordered(self) -> list[tuple[int, int]]:
        if self._order is None:
            counts = open_findings_counts(self.records)
            keyed = [
                (counts.get((account_id, arn), 0), pk)
                for pk, account_id, arn in self.records.values_list("pk", "account_id", "arn")
            ]
            # Most (or fewest) findings first; within a count, the name order of the queryset.
            keyed.sort(key=lambda row: -row[0] if self.descending else row[0])
            self._order = keyed
        return self._order

    def count(self) -> int:
        return len(self._ordered())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[FunctionRecord]:
        rows = self._ordered()[index]
        by_pk = self.records.in_bulk([pk for _, pk in rows])
        page = []
        for n, pk in rows:
            record = by_pk[pk]
            record.open_findings = n
            page.append(record)
        return page


def attach_open_findings(records: list[FunctionRecord]) -> list[FunctionRecord]:
    """Set ``open_findings`` on each record of a page that lacks it, in one query."""
    missing = [r for r in records if not hasattr(r, "open_findings")]
    if not missing:
        return records
    rows = (
        Finding.objects.filter(
            account_id__in={r.account_id for r in missing},
            resource_arn__in={r.arn for r in missing},
        )
        .open_unsuppressed()
        .order_by()
        .values_list("account_id", "resource_arn")
        .annotate(n=Count("pk"))
    )
    counts = {(account_id, arn): n for account_id, arn, n in rows}
    for record in missing:
        record.open_findings = counts.get((record.account_id, record.arn), 0)
    return records


def function_facets(scan_ids: list[int]) -> dict[str, list[str]]:
    """The regions, runtimes and architectures present, for the filter menus (one query)."""
    rows = (
        FunctionRecord.objects.filter(scan_id__in=scan_ids)
        .order_by()
        .values_list("region", "runtime", "architecture")
        .distinct()
    )
    regions, runtimes, arches = set(), set(), set()
    for region, runtime, arch in rows:
        regions.add(region)
        runtimes.add(runtime)
        arches.add(arch)
    return {
        "regions": sorted(regions),
        "runtimes": sorted(r for r in runtimes if r),
        "architectures": sorted(arches),
    }


def function_for(user: AbstractBaseUser, pk: int) -> FunctionRecord:
    """A function record of one of the user's accounts; 404 for anyone else's."""
    return get_object_or_404(
        FunctionRecord.objects.select_related("account__workspace", "scan").filter(
            account__in=accounts_for(user)
        ),
        pk=pk,
    )


def latest_record_of(record: FunctionRecord) -> FunctionRecord | None:
    """The same function in its account's latest finished scan, if that is a newer record."""
    newest = (
        FunctionRecord.objects.filter(
            account_id=record.account_id, arn=record.arn, scan__status__in=Scan.WITH_RESULTS
        )
        .order_by("-scan__created_at", "-pk")
        .only("pk")
        .first()
    )
    return newest if newest and newest.pk != record.pk else None


def function_of(record: FunctionRecord) -> Function:
    """The collected Function a record stores, rebuilt as the dataclass."""
    return from_plain(Function, record.config)


def relations_inventory(record: FunctionRecord, fn: Function) -> RegionInventory:
    """The record's region as its scan saw it, holding only this function and the trigger
    lists (``ScanRegion.relations``): the region's functions are never read from the database."""
    relations = (
        ScanRegion.objects.filter(scan_id=record.scan_id, region=record.region)
        .values_list("relations", flat=True)
        .first()
    )
    inventory = _region_with_relations(record, relations)
    inventory.functions = [fn]
    return inventory


def _region_with_relations(record: FunctionRecord, relations: dict | None) -> RegionInventory:
    data: dict[str, Any] = {"account_id": record.account.account_id, "region": record.region}
    data.update({key: value for key, value in (relations or {}).items() if value})
    return RegionInventory.from_dict(data)


def open_findings_of(record: FunctionRecord) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(account_id=record.account_id, resource_arn=record.arn)
        .open_unsuppressed()
        .order_by("severity_order", "rule_id")
    )


# Findings ----------------------------------------------------------------------------------

STATUS_OPEN = "open"
STATUS_SUPPRESSED = "suppressed"
STATUS_RESOLVED = "resolved"
STATUS_ALL = "all"
FINDING_STATUSES = (STATUS_OPEN, STATUS_SUPPRESSED, STATUS_RESOLVED, STATUS_ALL)


@dataclass(frozen=True)
class FindingFilters:
    severity: str = ""
    pillar: str = ""
    rule: str = ""
    status: str = STATUS_OPEN
    region: str = ""
    account: int | None = None
    q: str = ""


def _in_tab(findings: QuerySet[Finding], status: str) -> QuerySet[Finding]:
    if status == STATUS_SUPPRESSED:
        return findings.open().suppressed()
    if status == STATUS_RESOLVED:
        return findings.resolved()
    if status == STATUS_ALL:
        return findings
    return findings.open_unsuppressed()


def _scoped(account_ids: list[int], filters: FindingFilters) -> list[int]:
    return [a for a in account_ids if a == filters.account] if filters.account else account_ids


def _findings_base(account_ids: list[int], filters: FindingFilters) -> QuerySet[Finding]:
    account_ids = _scoped(account_ids, filters)
    qs = Finding.objects.filter(account_id__in=account_ids)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.pillar:
        qs = qs.filter(pillar=filters.pillar)
    if filters.rule:
        qs = qs.filter(rule_id=filters.rule)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.q:
        # Rule, title, resource and message, lower-cased in one column (trigram-indexed).
        qs = qs.filter(search_text__contains=filters.q.lower())
    return qs


def findings_for(account_ids: list[int], filters: FindingFilters) -> QuerySet[Finding]:
    """Findings of these accounts (see :func:`visible_account_ids`) matching the filters,
    worst first."""
    return (
        _in_tab(_findings_base(account_ids, filters), filters.status)
        .select_related("account", "suppression")
        .with_suppressed_now()
        # Unique per account, and in the order of the finding_worst_first index.
        .order_by("severity_order", "rule_id", "resource_arn", "account_id")
    )


def findings_merged(
    findings: QuerySet[Finding], account_ids: list[int], filters: FindingFilters, *, count: int
) -> MergedOrderedList:
    """The :func:`findings_for` list for the paginator, read account by account along the
    finding_worst_first index (a page costs the same on page 1 of one account or 200 of ten)."""
    return MergedOrderedList(
        findings, partition="account_id", values=_scoped(account_ids, filters), count=count
    )


def finding_tab_counts(account_ids: list[int], filters: FindingFilters) -> dict[str, int]:
    """How many findings each status tab holds under the other filters (one query)."""
    return _findings_base(account_ids, filters).state_counts()


def finding_facets(user: AbstractBaseUser) -> dict[str, list[str]]:
    """Filter choices: every rule and pillar of the catalogue, and the regions the user's
    accounts scan (known without reading the findings table)."""
    regions = {
        region
        for account_regions in accounts_for(user).values_list("regions", flat=True)
        for region in account_regions or []
    }
    rules = all_rules()
    return {
        "rules": sorted(rule.id for rule in rules),
        "regions": sorted(regions),
        "pillars": sorted({str(rule.pillar) for rule in rules}),
        "severities": list(SEVERITY_ORDER),
    }


def findings_to_suppress(user: AbstractBaseUser, ids: list[int]) -> QuerySet[Finding]:
    return Finding.objects.filter(account__in=accounts_for(user), pk__in=ids)


def can_manage_all(user: AbstractBaseUser, findings: QuerySet[Finding]) -> bool:
    """Whether the user may change every one of these findings (owner or admin of each)."""
    return not findings.exclude(account__workspace__in=manageable_workspaces_for(user)).exists()


def suppressions_for(user: AbstractBaseUser, ids: list[int]) -> list[Suppression]:
    return list(
        Suppression.objects.filter(account__in=accounts_for(user), pk__in=ids).select_related(
            "account"
        )
    )


def can_manage_accounts(user: AbstractBaseUser, account_ids: set[int]) -> bool:
    managed = AwsAccount.objects.filter(
        pk__in=account_ids, workspace__in=manageable_workspaces_for(user)
    ).count()
    return managed == len(account_ids)


# Rules -------------------------------------------------------------------------------------


def open_finding_counts_by_rule(user: AbstractBaseUser) -> dict[str, int]:
    rows = (
        Finding.objects.for_accounts(accounts_for(user))
        .open_unsuppressed()
        .order_by()
        .values("rule_id")
        .annotate(n=Count("pk"))
    )
    return {row["rule_id"]: row["n"] for row in rows}


def latest_finished_scan_of(account: AwsAccount) -> Scan | None:
    return account.scans.filter(status__in=Scan.WITH_RESULTS).order_by("-created_at", "-pk").first()


# Overview ----------------------------------------------------------------------------------


def overview_rows(user: AbstractBaseUser, *, top: int = 10) -> list[dict[str, Any]]:
    """Per account: latest scan, whether the user may manage it, open findings by severity and
    by pillar, and the ``top`` worst of them. Five queries however many accounts and findings
    there are."""
    latest = Scan.objects.filter(account=OuterRef("pk")).order_by("-created_at", "-pk")
    accounts = list(accounts_for(user).annotate(latest_scan_id=Subquery(latest.values("pk")[:1])))
    ids = [a.pk for a in accounts]
    scans = Scan.objects.in_bulk([a.latest_scan_id for a in accounts if a.latest_scan_id])
    roles = dict(Membership.objects.filter(user=user).values_list("workspace_id", "role"))
    open_findings = Finding.objects.for_accounts(ids).open_unsuppressed()
    by_severity: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_pillar: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for account_id, severity, pillar, n in (
        open_findings.order_by()
        .values_list("account_id", "severity", "pillar")
        .annotate(n=Count("pk"))
    ):
        by_severity[account_id][severity] += n
        by_pillar[account_id][pillar] += n
    worst: dict[int, list[Finding]] = defaultdict(list)
    ranked = _worst_per_account(open_findings, ids, top)
    for finding in ranked:
        worst[finding.account_id].append(finding)
    return [
        {
            "account": account,
            "can_manage": roles.get(account.workspace_id) in MANAGER_ROLES,
            "scan": scans.get(account.latest_scan_id),
            "severity_counts": [(s, by_severity[account.pk].get(s, 0)) for s in SEVERITY_ORDER],
            "pillar_counts": [(p, by_pillar[account.pk].get(p, 0)) for p in PILLARS],
            "findings": worst[account.pk],
            "finding_total": sum(by_severity[account.pk].values()),
        }
        for account in accounts
    ]


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


def functions_with_callers(
    records: list[FunctionRecord],
) -> list[tuple[FunctionRecord, Function, RegionInventory]]:
    """Each record of a page with its collected Function and the trigger lists of its region
    (two queries for the page: the configurations, and the regions' trigger lists)."""
    if not records:
        return []
    configs = dict(
        FunctionRecord.objects.filter(pk__in=[r.pk for r in records]).values_list("pk", "config")
    )
    wanted = Q()
    for scan_id, region in {(r.scan_id, r.region) for r in records}:
        wanted |= Q(scan_id=scan_id, region=region)
    triggers = {
        (scan_id, region): relations
        for scan_id, region, relations in ScanRegion.objects.filter(wanted).values_list(
            "scan_id", "region", "relations"
        )
    }
    inventories: dict[tuple[int, str], RegionInventory] = {}
    result = []
    for record in records:
        key = (record.scan_id, record.region)
        if key not in inventories:
            inventories[key] = _region_with_relations(record, triggers.get(key))
        inventory = inventories[key]
        if not configs.get(record.pk):
            continue  # a record stored without its configuration: nothing to decide on
        fn = from_plain(Function, configs[record.pk])
        inventory.functions.append(fn)
        result.append((record, fn, inventory))
    return result

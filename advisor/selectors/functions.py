"""Reads for the functions list and a function's page (``advisor.views.functions``).

A list is one queryset over each account's latest scan with results; the open findings of its
functions are read from their stored counts (``FunctionFindingSummary``, counted again first for
an account whose counts no longer hold), so a page costs the same number of queries for 3
functions or 10,000.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.selectors import accounts_for
from advisor.collect.inventory import Function, RegionInventory, from_plain
from advisor.models import (
    AccountFindingSummary,
    Finding,
    FunctionFindingSummary,
    FunctionRecord,
    Scan,
    ScanRegion,
)
from advisor.selectors import common


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


@dataclass(frozen=True)
class ListScans:
    scan_ids: list[int]  # each account's latest scan with results, by account
    stale: dict[int, int]  # {account id: that scan} whose stored counts must be counted again


def list_scans(user: AbstractBaseUser, *, now: dt.datetime | None = None) -> ListScans:
    """Each of the user's accounts' latest scan with results, and which of those accounts'
    stored counts of open findings no longer hold: missing, counted for another scan, or a
    suppression in force has expired since (one query)."""
    now = now or timezone.now()
    summary = AccountFindingSummary.objects.filter(account=OuterRef("pk"))
    rows = (
        accounts_for(user)
        .select_related(None)
        .annotate(
            latest_scan=common.latest_with_results(),
            counted_scan=Subquery(summary.values("scan_id")),
            valid_until=Subquery(summary.values("valid_until")),
        )
        .filter(latest_scan__isnull=False)
        .order_by("pk")
        .values_list("pk", "latest_scan", "counted_scan", "valid_until")
    )
    scan_ids, stale = [], {}
    for account_id, scan_id, counted_scan, valid_until in rows:
        scan_ids.append(scan_id)
        if not AccountFindingSummary.counts_hold(
            counted_for=counted_scan, valid_until=valid_until, latest=scan_id, now=now
        ):
            stale[account_id] = scan_id
    return ListScans(scan_ids=scan_ids, stale=stale)


def _open_findings_of_function() -> QuerySet[FunctionFindingSummary]:
    """The function's stored count of open, unsuppressed findings (``FunctionFindingSummary``:
    every finding that concerns it, as its page lists them); no row when it has none."""
    return FunctionFindingSummary.objects.filter(
        account=OuterRef("account"), function_arn=OuterRef("arn")
    )


def functions_for(scan_ids: list[int], filters: FunctionFilters) -> QuerySet[FunctionRecord]:
    """Functions of the given scans (each account's latest with results, see
    :func:`list_scans`), filtered and sorted.

    "Has findings" and the sort by open findings read each function's stored count
    (``FunctionFindingSummary``, one row per function with any, found by its unique
    (account, ARN) index) instead of counting findings through their links on each request:
    the caller has the stale accounts of :func:`list_scans` counted again first
    (``advisor.services.finding_summaries.summaries_refresh``).
    """
    qs = (
        FunctionRecord.objects.filter(scan_id__in=scan_ids)
        .select_related("account")
        .defer(
            "config",
            "recommendation",
            "decision",
            *common.related_only("account", AwsAccount, "name"),
        )
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
        qs = qs.filter(Exists(_open_findings_of_function().filter(total__gt=0)))
    elif filters.has_findings == "no":
        qs = qs.filter(~Exists(_open_findings_of_function().filter(total__gt=0)))
    field = FUNCTION_SORTS.get(filters.sort, "name")
    if field == "open_findings":
        qs = qs.annotate(
            open_findings=Coalesce(Subquery(_open_findings_of_function().values("total")), 0)
        )
    order = F(field).desc(nulls_last=True) if filters.descending else F(field).asc(nulls_last=True)
    return qs.order_by(order, "name", "pk")


def attach_open_findings(records: list[FunctionRecord]) -> list[FunctionRecord]:
    """Set ``open_findings`` on each record of a page that lacks it from the stored counts, in
    one query (the counts must hold: see :func:`functions_for`)."""
    missing = [r for r in records if not hasattr(r, "open_findings")]
    if not missing:
        return records
    counts = {
        (account_id, arn): total
        for account_id, arn, total in FunctionFindingSummary.objects.filter(
            account_id__in={r.account_id for r in missing},
            function_arn__in={r.arn for r in missing},
        ).values_list("account_id", "function_arn", "total")
    }
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
    """The same function in its account's latest scan with results, if that is a newer record."""
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
    """Every open finding that concerns the function: its own, and those filed under its queues,
    mappings and APIs or under the account that name it (one query on the finding_of_function
    index)."""
    return (
        Finding.objects.filter(account_id=record.account_id)
        .concerning(record.arn)
        .open_unsuppressed()
        .worst_first()
    )

"""Reads for the functions list and a function's page (``advisor.views.functions``).

A list is one queryset over each account's latest scan with results; the open findings of a
page's functions are counted in one grouped query, so a page costs the same number of queries
for 3 functions or 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.selectors import accounts_for
from advisor.collect.inventory import Function, RegionInventory, from_plain
from advisor.models import Finding, FunctionRecord, Scan, ScanRegion


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
        account=OuterRef("account"), concerns__function_arn=OuterRef("arn")
    ).open_unsuppressed()


def functions_for(scan_ids: list[int], filters: FunctionFilters) -> QuerySet[FunctionRecord]:
    """Functions of the given scans (each account's latest with results, see
    :func:`latest_scan_ids_with_results`), filtered and sorted.

    Open findings are not annotated here: as a correlated subquery PostgreSQL would count them
    once per row (minutes at 10,000 functions). :func:`attach_open_findings` counts them for
    one page, and :class:`FindingsOrderedList` sorts by them. "Has findings" is an EXISTS, which
    PostgreSQL plans as a semi-join.
    """
    qs = (
        FunctionRecord.objects.filter(scan_id__in=scan_ids)
        .select_related("account")
        .defer("config", "recommendation", "decision")
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
    grouped in the database): every finding that concerns the function, as on its page."""
    rows = (
        Finding.objects.for_accounts(records.order_by().values("account_id"))
        .open_unsuppressed()
        .order_by()
        .values_list("account_id", "concerns__function_arn")
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
            concerns__function_arn__in={r.arn for r in missing},
        )
        .open_unsuppressed()
        .order_by()
        .values_list("account_id", "concerns__function_arn")
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

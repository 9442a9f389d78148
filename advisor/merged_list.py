"""A sorted list over several accounts that reads each account's rows in index order.

A list sorted across accounts (worst findings first, functions by name) would make the
database read and sort every row of every account, even for page 1. Instead each account's
rows are taken in their own index order, at most ``stop`` of them, and the partial lists are
merged by one ``UNION ALL ... ORDER BY ... LIMIT`` of narrow rows; the page's full rows are then
loaded by primary key. Page 1 of 50,000 findings reads 50 index entries per account.

Databases that cannot order and slice inside a UNION (SQLite) fall back to the plain
``ORDER BY ... LIMIT``, which is correct at any size and fast at the embedded default's. Past
``max_parts`` partitions, with ``keys_first``, the one sort reads the keys only (the primary key
and the sort columns, not every match's whole row) and the page's rows are then loaded by primary
key, as after a merge: two queries instead of one, for wide rows and many matches.

``count_limit`` bounds the count: past it the list counts no further (``count_capped``), so a
search over many accounts does not count every match to say there are more than a few pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.expressions import OrderBy


def _field_of(key: str | OrderBy) -> str:
    if isinstance(key, OrderBy):
        return key.expression.name
    return key.lstrip("-")


class MergedOrderedList:
    """Sliceable (for :class:`~django.core.paginator.Paginator`) rows of ``queryset`` in its
    order, read per value of ``partition`` (a field, e.g. the account)."""

    # Past this many partitions one sort of everything costs less than planning and running a
    # UNION of that many index walks.
    max_parts = 64

    def __init__(
        self,
        queryset: QuerySet,
        *,
        partition: str,
        values: Sequence[object],
        count: int | None = None,
        count_limit: int | None = None,
        keys_first: bool = False,
    ) -> None:
        self.queryset = queryset
        self.partition = partition
        self.values = list(values)
        self._count = count
        self.count_limit = count_limit
        self.count_capped = False
        self.keys_first = keys_first

    def count(self) -> int:
        if self._count is None:
            if self.count_limit is None:
                self._count = self.queryset.count()
            else:  # COUNT(*) of at most count_limit + 1 keys
                found = self.queryset.order_by().values("pk")[: self.count_limit + 1].count()
                self.count_capped = found > self.count_limit
                self._count = min(found, self.count_limit)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _merges(self) -> bool:
        connection = connections[self.queryset.db]
        return (
            1 < len(self.values) <= self.max_parts
            and connection.features.supports_slicing_ordering_in_compound
        )

    def __getitem__(self, index: slice) -> list[Model]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("MergedOrderedList supports slices only")
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        if stop <= start:
            return []
        if not self._merges():
            if not self.keys_first or len(self.values) <= self.max_parts:
                return list(self.queryset[start:stop])
            pks = list(self.queryset.values_list("pk", flat=True)[start:stop])
            rows = self.queryset.order_by().in_bulk(pks)
            return [rows[pk] for pk in pks]
        ordering = list(self.queryset.query.order_by)
        columns = ["pk", *dict.fromkeys(_field_of(key) for key in ordering)]
        parts = [
            self.queryset.filter(**{self.partition: value}).values_list(*columns)[:stop]
            for value in self.values
        ]
        merged = parts[0].union(*parts[1:], all=True).order_by(*ordering)[start:stop]
        pks = [row[0] for row in merged]
        rows = self.queryset.order_by().in_bulk(pks)
        return [rows[pk] for pk in pks]

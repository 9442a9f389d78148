"""The stored counts of open, unsuppressed findings per account and per function
(``AccountFindingSummary``, ``FunctionFindingSummary``) that the fleet page reads.

They are counted again whenever what they count changes: a scan's findings recorded and a
suppression added or removed both end in ``apply_suppressions``, which calls
:func:`summaries_refresh`; an account whose summary is missing (scans stored before), belongs
to an older scan, or whose suppression in force has expired since is counted again when read
(:func:`summaries_refresh` on the stale ones, a constant number of queries for any number).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import AwsAccount
from advisor.models import (
    SEVERITY_ORDER,
    AccountFindingSummary,
    Finding,
    FindingFunction,
    FunctionFindingSummary,
    Scan,
    Suppression,
)


def summaries_refresh(scans: dict[int, int | None], *, now: dt.datetime | None = None) -> None:
    """Count again the open, unsuppressed findings of these accounts ({account id: its latest
    scan with results, or None}) and store them (seven queries for any number of accounts)."""
    if not scans:
        return
    now = now or timezone.now()
    ids = list(scans)
    severity: dict[int, dict[str, int]] = {a: defaultdict(int) for a in ids}
    pillar: dict[int, dict[str, int]] = {a: defaultdict(int) for a in ids}
    open_now = Finding.objects.for_accounts(ids).open_unsuppressed(now)
    for account_id, sev, pil, n in (
        open_now.order_by().values_list("account_id", "severity", "pillar").annotate(n=Count("pk"))
    ):
        severity[account_id][sev] += n
        pillar[account_id][pil] += n
    counts = {s: Count("finding_id", filter=Q(finding__severity=s)) for s in SEVERITY_ORDER}
    functions = [
        FunctionFindingSummary(
            account_id=row["finding__account_id"],
            function_arn=row["function_arn"],
            total=row["total"],
            **{s: row[s] for s in SEVERITY_ORDER},
        )
        for row in FindingFunction.objects.filter(finding__in=open_now)
        .order_by()
        .values("finding__account_id", "function_arn")
        .annotate(total=Count("finding_id"), **counts)
    ]
    # A suppression in force that expires: what it hides counts again from then on.
    expiries = dict(
        Suppression.objects.filter(account_id__in=ids, expires_at__gt=now)
        .order_by()
        .values("account_id")
        .annotate(first=Min("expires_at"))
        .values_list("account_id", "first")
    )
    # The accounts' rows are upserted first, in account order: a second recount of the same
    # accounts waits on those row locks until this one commits, then replaces its function rows
    # (deleting first could meet this one's new rows as duplicates).
    with transaction.atomic():
        AccountFindingSummary.objects.bulk_create(
            [
                AccountFindingSummary(
                    account_id=a,
                    scan_id=scans[a],
                    severity=dict(severity[a]),
                    pillar=dict(pillar[a]),
                    valid_until=expiries.get(a),
                    counted_at=now,
                )
                for a in sorted(ids)
            ],
            update_conflicts=True,
            unique_fields=["account"],
            update_fields=["scan", "severity", "pillar", "valid_until", "counted_at"],
        )
        FunctionFindingSummary.objects.filter(account_id__in=ids).delete()
        FunctionFindingSummary.objects.bulk_create(functions, batch_size=1000)


def summaries_missing_refresh(*, batch: int = 100) -> int:
    """Count the accounts stored before their counts were (``manage.py analyse_scans``; the
    fleet page would count them on first read otherwise). Returns how many were counted."""
    latest = Scan.objects.filter(account=OuterRef("pk"), status__in=Scan.WITH_RESULTS).order_by(
        "-created_at", "-pk"
    )
    missing = dict(
        AwsAccount.objects.exclude(pk__in=AccountFindingSummary.objects.values("account_id"))
        .annotate(scan_id=Subquery(latest.values("pk")[:1]))
        .values_list("pk", "scan_id")
    )
    ids = sorted(missing)
    for start in range(0, len(ids), batch):
        summaries_refresh({a: missing[a] for a in ids[start : start + batch]})
    return len(ids)

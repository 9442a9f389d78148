"""Retention: the full metric series are kept for the last N finished scans of each account;
older scans keep their summaries (Scan counts, FunctionRecord totals), their functions and the
findings history, and lose the bulky parts: ``ScanRegion.inventory`` and the CloudWatch series
inside ``FunctionRecord.config["metrics"]`` (the summary figures beside them stay).

Audit-log events (``accounts.AuditEvent``) are kept ``ADVISOR_AUDIT_RETENTION_DAYS`` and then
deleted by the same nightly job, and so are pending connections (``accounts.PendingConnection``,
the ExternalId of a connect page never completed) older than
``ADVISOR_PENDING_CONNECTION_MAX_AGE_DAYS``.

Work goes in batches of scans, and within a scan in batches of function rows, each batch its own
short transaction, so the cleanup never holds locks for long and can stop and resume anywhere."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.models import AuditEvent, PendingConnection
from advisor.models import FunctionRecord, Scan, ScanRegion

logger = logging.getLogger(__name__)


@dataclass
class PruneResult:
    scans: int = 0
    functions: int = 0


def scans_to_prune(*, keep: int):
    """Finished scans not yet pruned that are older than the account's last ``keep`` finished
    (succeeded or partial) scans."""
    nth_newest = (
        Scan.objects.filter(account_id=OuterRef("account_id"), status__in=Scan.WITH_RESULTS)
        .order_by("-pk")
        .values("pk")[keep - 1 : keep]
    )
    return (
        Scan.objects.filter(status__in=Scan.ENDED, metrics_pruned_at__isnull=True)
        .annotate(cutoff=Subquery(nth_newest))
        .filter(cutoff__isnull=False, pk__lt=F("cutoff"))
        .order_by("pk")
    )


def scan_metrics_prune(*, keep: int | None = None, batch_size: int | None = None) -> PruneResult:
    """Drop the metric series of every scan past the retention window, a batch at a time."""
    keep = max(1, keep if keep is not None else settings.ADVISOR_RETENTION_FULL_SCANS)
    batch_size = batch_size or settings.ADVISOR_RETENTION_BATCH_SIZE
    result = PruneResult()
    while True:
        batch = list(scans_to_prune(keep=keep).values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        for scan_id in batch:
            result.functions += _prune_functions(scan_id=scan_id, batch_size=batch_size)
            with transaction.atomic():
                # The region tasks' decision cards go with the inventory: each function keeps
                # its own (FunctionRecord.decision), and nothing could work them out again.
                ScanRegion.objects.filter(scan_id=scan_id).update(inventory=None, decisions=None)
                Scan.objects.filter(pk=scan_id).update(metrics_pruned_at=timezone.now())
            result.scans += 1
    if result.scans:
        logger.info(
            "retention: pruned the metric series of %s scans (%s functions), keeping the last %s",
            result.scans,
            result.functions,
            keep,
        )
    return result


def _prune_functions(*, scan_id: int, batch_size: int) -> int:
    pruned, last_pk = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                FunctionRecord.objects.filter(scan_id=scan_id, pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "config")[:batch_size]
            )
            if not rows:
                return pruned
            for row in rows:
                row.config = without_series(row.config)
            FunctionRecord.objects.bulk_update(rows, ["config"])
        pruned += len(rows)
        last_pk = rows[-1].pk


def without_series(config: dict) -> dict:
    """The function's config with every metric series dropped and the summary figures kept."""
    metrics = config.get("metrics")
    if not isinstance(metrics, dict):
        return config
    return {
        **config,
        "metrics": {
            name: None if isinstance(value, dict) and "values" in value else value
            for name, value in metrics.items()
        },
    }


def audit_events_prune(*, days: int | None = None, batch_size: int | None = None) -> int:
    """Delete audit-log events older than the retention, a batch at a time. Returns how many."""
    days = max(1, days if days is not None else settings.ADVISOR_AUDIT_RETENTION_DAYS)
    batch_size = batch_size or settings.ADVISOR_RETENTION_BATCH_SIZE
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        deleted += AuditEvent.objects.filter(pk__in=batch).delete()[0]
    if deleted:
        logger.info("retention: deleted %s audit-log events older than %s days", deleted, days)
    return deleted


def pending_connections_prune(*, days: int | None = None) -> int:
    """Delete pending connections started longer ago than the maximum age: a connect page left
    unfinished for that long is abandoned, and its ExternalId is no one's secret to keep. The
    user who comes back gets a new one. Returns how many were deleted."""
    days = max(1, days if days is not None else settings.ADVISOR_PENDING_CONNECTION_MAX_AGE_DAYS)
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted = PendingConnection.objects.filter(created_at__lt=cutoff).delete()[0]
    if deleted:
        logger.info("retention: deleted %s pending connections older than %s days", deleted, days)
    return deleted

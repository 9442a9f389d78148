"""Ending the scans no task will end. Beat runs ``advisor.sweep_lost_scans`` every
ADVISOR_SWEEP_INTERVAL_SECONDS; it lands in :func:`lost_scans_sweep`.

A region task can be lost: its worker killed (out of memory, a machine gone), its retries used
up by a long outage. Its message may still come back (Redis redelivers an unacknowledged one
after the visibility timeout, 70 minutes), but a scan must not wait that long, and nothing
redelivers a message that was acknowledged. So:

- a running region whose heartbeat is older than ADVISOR_SCAN_LOST_AFTER_SECONDS fails with
  the reason ("no task has reported for 6 minutes; the worker was lost");
- a region still waiting for a worker after twice the task time limit fails too (queues can be
  long in a busy fleet: only then is its message taken for lost);
- a scan whose regions have all finished but that is still active has lost its finishing task:
  it is queued again (it is idempotent); after twice the task time limit the scan fails.

The lost region is failed rather than queued again: its message is still in Redis and would
come back too, making two copies; a region that killed its worker (memory) would kill the next
one; and a failed region is what the product already knows how to show and to judge (its
findings neither open nor resolve). The scan ends partial with the other regions' results, and
the next scan reads the region again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advisor.dispatch import scan_finish_enqueue
from advisor.models import Scan, ScanRegion
from advisor.services.scans import stale_after

logger = logging.getLogger(__name__)


def lost_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ADVISOR_SCAN_LOST_AFTER_SECONDS)


def lost_scans_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Fail the lost regions of every active scan and hand finished ones to the finishing task.
    Returns the ids of the scans it acted on."""
    now = now or timezone.now()
    acted = []
    for scan_id in Scan.objects.filter(status__in=Scan.ACTIVE).values_list("pk", flat=True):
        if _sweep(scan_id, now):
            acted.append(scan_id)
    return acted


def _sweep(scan_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        # Locked as scan_finish locks it: a sweep and a finish of one scan never interleave.
        scan = Scan.objects.select_for_update().filter(pk=scan_id, status__in=Scan.ACTIVE).first()
        if scan is None:
            return False
        parts = list(ScanRegion.objects.select_for_update().filter(scan=scan))
        failed = [part for part in parts if _fail_if_lost(scan, part, now)]
        if any(part.status not in ScanRegion.ENDED for part in parts):
            return bool(failed)
        last_finished = max(part.finished_at or scan.created_at for part in parts)
        if not failed and now - last_finished <= lost_after():
            return False  # its finishing task is on its way
        if not failed and now - last_finished > stale_after():
            _fail_scan(scan, now, f"its results were never stored ({_since(now, last_finished)})")
            return True
        logger.warning(
            "scan %s: every region finished %s; queueing its finishing task",
            scan.pk,
            "now" if failed else _since(now, last_finished) + " ago",
        )
        transaction.on_commit(lambda: scan_finish_enqueue(scan_id))
        return True


def _fail_if_lost(scan: Scan, part: ScanRegion, now: dt.datetime) -> bool:
    if part.status == ScanRegion.Status.RUNNING:
        last = part.heartbeat_at or part.started_at or scan.created_at
        if now - last <= lost_after():
            return False
        reason = f"no task has reported for {_since(now, last)}; the worker was lost"
    elif part.status == ScanRegion.Status.PENDING:
        if now - scan.created_at <= stale_after():
            return False
        reason = f"no worker started it in {_since(now, scan.created_at)}; its task was lost"
    else:
        return False
    logger.warning("scan %s region %s: %s", scan.pk, part.region, reason)
    part.status, part.error, part.finished_at = ScanRegion.Status.FAILED, reason, now
    part.save(update_fields=["status", "error", "finished_at"])
    return True


def _fail_scan(scan: Scan, now: dt.datetime, reason: str) -> None:
    logger.warning("scan %s failed: %s", scan.pk, reason)
    scan.status, scan.error, scan.finished_at = Scan.Status.FAILED, reason, now
    scan.save(update_fields=["status", "error", "finished_at"])


def _since(now: dt.datetime, then: dt.datetime) -> str:
    seconds = int((now - then).total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} minutes"
    return f"{seconds // 3600} hours"

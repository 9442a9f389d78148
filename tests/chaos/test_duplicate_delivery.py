"""A region task delivered twice (a redelivery after a lost acknowledgement, a visibility timeout,
a sweeper): the copy that ends after the scan finished must not rewrite the region, and a
finish task delivered again must not store the scan twice."""

from __future__ import annotations

import time

import pytest

from advisor.models import FunctionRecord, Scan, ScanRegion
from advisor.services.scans import scan_start
from advisor.tasks import finish_scan_task, scan_region_task
from tests.chaos.support import (
    assert_completely_stored,
    emulated_account,
    findings_seen,
    part_status,
    task_lines,
    wait_for,
    wait_until_finished,
)

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REGION = "us-east-1"
# Rate limited, the region collects for several seconds: time for a second copy to start while
# the first runs, and end after the scan finished.
FUNCTIONS = 30
STORED = ["status", "finished_at", "error", "progress", "api_calls", "inventory", "relations"]


def stored_region(scan: Scan) -> dict:
    return ScanRegion.objects.filter(scan=scan, region=REGION).values(*STORED).get()


def settled(logs, task: str, at_least: int) -> bool:
    """At least ``at_least`` copies of ``task`` ran, and every copy received has succeeded."""
    done = task_lines(logs, task, "succeeded")
    return done >= at_least and done == task_lines(logs, task, "received")


def test_a_region_delivered_again_never_rewrites_a_finished_region(aws, start_celery_worker):
    account = emulated_account(aws, account_id="770000000003", functions={REGION: FUNCTIONS})
    logs = [start_celery_worker(ADVISOR_SCAN_RATE_LIMIT="true") for _ in range(2)]

    scan = scan_start(account=account)
    wait_for(lambda: part_status(scan, REGION) == ScanRegion.Status.RUNNING, timeout=30)
    time.sleep(1)
    # When: a second copy of the region's message reaches the other worker while the first runs.
    scan_region_task.apply_async(args=(scan.pk, REGION))
    wait_until_finished(scan, timeout=60, log=logs[0])
    first = stored_region(scan)
    seen = findings_seen(scan)

    # ... it ends after the scan finished; then both tasks are delivered once more.
    wait_for(lambda: settled(logs, "advisor.scan_region", 2), timeout=60, log=logs[1])
    scan_region_task.apply_async(args=(scan.pk, REGION))
    finish_scan_task.apply_async(args=(scan.pk,))
    wait_for(lambda: settled(logs, "advisor.scan_region", 3), timeout=30, log=logs[1])
    wait_for(lambda: settled(logs, "advisor.finish_scan", 2), timeout=30, log=logs[1])

    # Then: the region is as the scan stored it, and so is everything the scan found.
    after = Scan.objects.get(pk=scan.pk)
    assert after.status == scan.status == Scan.Status.SUCCEEDED, scan.error
    assert after.finished_at == scan.finished_at
    assert after.finding_count == scan.finding_count
    assert stored_region(scan) == first
    assert first["finished_at"] <= scan.finished_at
    assert findings_seen(scan) == seen
    assert FunctionRecord.objects.filter(scan=scan).count() == FUNCTIONS
    assert_completely_stored(after)
    dropped = sum(log.read_text().count("finished by another delivery") for log in logs)
    print(f"duplicate region deliveries: region unchanged, {dropped} late copy's results dropped")

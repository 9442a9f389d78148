"""A whole worker dies (SIGKILL) while a region collects. Its message stays unacknowledged in
Redis, which would redeliver it only after the visibility timeout (70 minutes). The sweeper,
run by a real `celery beat` from the schedules `sync_schedules` creates, fails the lost region
with the reason within seconds of the staleness bound; the scan ends partial with the region
that had finished. When the old message finally comes back, it changes nothing."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.test import override_settings

from advisor.models import FunctionRecord, Scan, ScanRegion
from advisor.services.scans import scan_start
from advisor.services.schedules import schedules_sync_all
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

LOST_AFTER = 4
SWEEP_EVERY = 1


def test_a_killed_worker_s_region_is_failed_by_the_sweeper(
    aws, start_celery_worker, start_celery_beat
):
    account = emulated_account(
        aws, account_id="770000000004", functions={"eu-west-1": 3, "us-east-1": 40}
    )
    with override_settings(ADVISOR_SWEEP_INTERVAL_SECONDS=SWEEP_EVERY):
        schedules_sync_all()
    first = start_celery_worker(ADVISOR_SCAN_RATE_LIMIT="true", ADVISOR_SCAN_HEARTBEAT_SECONDS=1)

    scan = scan_start(account=account)
    wait_for(
        lambda: (
            part_status(scan, "eu-west-1") == ScanRegion.Status.DONE
            and part_status(scan, "us-east-1") == ScanRegion.Status.RUNNING
        ),
        timeout=60,
        log=first,
    )
    # When: the worker dies with the region half collected.
    os.kill(int(first.with_suffix(".pid").read_text()), signal.SIGKILL)
    killed = time.monotonic()

    # Then: another worker, with beat running the sweeper, ends the scan within the bound.
    sweeper = {"ADVISOR_SCAN_LOST_AFTER_SECONDS": LOST_AFTER}
    second = start_celery_worker(**sweeper)
    beat = start_celery_beat(**sweeper)
    wait_until_finished(scan, timeout=LOST_AFTER + 40, log=second)
    seconds = time.monotonic() - killed

    assert scan.status == Scan.Status.PARTIAL, scan.error
    assert "advisor.sweep_lost_scans" in beat.read_text()
    lost = scan.parts.get(region="us-east-1")
    assert lost.status == ScanRegion.Status.FAILED
    assert "no task has reported for" in lost.error and "the worker was lost" in lost.error
    assert scan.error == f"us-east-1: {lost.error}"
    assert lost.inventory is None  # nothing half-written
    assert scan.function_count == 3
    assert {arn.rsplit(":", 1)[1] for rule, arn, _ in findings_seen(scan)} == {
        f"fn-eu-west-1-{i:03d}" for i in range(3)
    }
    assert_completely_stored(scan)

    # When, much later, Redis hands the killed worker's message back, it is a no-op.
    stored = ScanRegion.objects.filter(pk=lost.pk).values().get()
    third = start_celery_worker(CELERY_VISIBILITY_TIMEOUT=1, CELERY_UNACKED_RESTORE_INTERVAL=1)
    # (the second worker, idle on the same queue, may be the one that takes it)
    wait_for(
        lambda: task_lines([second, third], "advisor.scan_region", "succeeded") == 1,
        timeout=30,
        log=third,
    )
    assert ScanRegion.objects.filter(pk=lost.pk).values().get() == stored
    assert Scan.objects.get(pk=scan.pk).finished_at == scan.finished_at
    assert FunctionRecord.objects.filter(scan=scan).count() == 3
    print(f"worker killed: scan {scan.status} {seconds:.1f} s later ({lost.error})")

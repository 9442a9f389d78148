"""A region that outlasts the task's soft time limit: a prefork worker with a 3 s soft and 20 s
hard limit scans a region that takes about 30 s under the rate limiter. The queued calls are
cancelled, what was not read becomes coverage gaps, and the region ends before the hard limit
could kill the process (which would lose the message and leave the scan running)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from advisor.models import Scan, ScanRegion
from tests.chaos.support import (
    assert_completely_stored,
    emulated_account,
    findings_seen,
    part_status,
    wait_for,
    wait_until_finished,
)
from tests.fixtures.worker import ROOT, worker_environment

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The 17 s between the limits leave a loaded machine room to store what the region read.
SOFT, HARD = 3, 20
# GetPolicy is held to 7.5 calls a second: 220 functions take about 30 s, past the hard limit.
FUNCTIONS = 220


def test_the_soft_time_limit_ends_the_region_with_its_gaps(aws, start_celery_worker):
    account = emulated_account(aws, account_id="770000000002", functions={"us-east-1": FUNCTIONS})
    limits = {
        "ADVISOR_SCAN_RATE_LIMIT": "true",
        "CELERY_TASK_TIME_LIMIT": str(HARD),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT),
    }
    log = start_celery_worker(pool="prefork", **limits)

    # Celery puts the time limits of the process that queues a task into its message, so the
    # scan is queued by a process with the worker's settings, as the web app and the workers
    # of a deployment share theirs.
    subprocess.run(
        [sys.executable, "manage.py", "scan", "--account", account.account_id],
        cwd=ROOT,
        env=worker_environment(**limits),
        check=True,
        capture_output=True,
    )
    scan = Scan.objects.get(account=account)
    wait_for(lambda: part_status(scan, "us-east-1") == ScanRegion.Status.RUNNING, timeout=30)
    started = time.monotonic()
    wait_until_finished(scan, timeout=HARD + 20, log=log)
    seconds = time.monotonic() - started

    # The region ended soon after the soft limit, well before the hard one.
    assert seconds < HARD, f"{seconds:.1f} s"
    assert scan.status == Scan.Status.PARTIAL, scan.error
    assert "TimeLimitExceeded" not in log.read_text().replace("SoftTimeLimitExceeded", "")
    part = scan.parts.get()
    assert part.status == ScanRegion.Status.DONE
    gaps = [g for g in scan.coverage_gaps if g["error_code"] == "SoftTimeLimitExceeded"]
    hidden = {g["hides"] for g in gaps}
    # What the region had not finished reading is a gap; the listing it had is kept.
    assert {"function_details", "policies", "metrics"} <= hidden, gaps
    assert "functions" not in hidden
    assert all(g["resource_arn"] is None and g["region"] == "us-east-1" for g in gaps)
    assert scan.function_count == FUNCTIONS
    # Rules that needed what was not read say so instead of an all-clear ...
    assert {n["reason"] for n in scan.not_evaluated} and all(
        "SoftTimeLimitExceeded" in n["reason"] for n in scan.not_evaluated
    )
    # ... and those that needed only the listing still judged every function (the runtime rule
    # judges the versions in use, which the region had not read: it is among the former).
    assert sum(rule == "default-timeout-and-memory" for rule, _, _ in findings_seen(scan)) == (
        FUNCTIONS
    )
    assert any("deprecated-runtime" in n["rule_id"] for n in scan.not_evaluated), scan.not_evaluated
    # The calls cancelled at the soft limit were never made.
    assert scan.api_calls["lambda.GetPolicy"] < FUNCTIONS
    assert_completely_stored(scan)
    print(f"soft time limit {SOFT} s: scan {scan.status} {seconds:.1f} s after its region started")

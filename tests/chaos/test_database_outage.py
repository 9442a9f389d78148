"""A 4-second PostgreSQL outage in the middle of a region task: the worker reaches the database
through a proxy that the test cuts (live connections reset, new ones refused) and restores. The
region task retries with backoff and the scan ends as an unfaulted one does."""

from __future__ import annotations

import time

import pytest

from advisor.models import Scan, ScanRegion
from advisor.services.scans import scan_start
from tests.chaos.support import (
    assert_ended_as,
    emulated_account,
    findings_seen,
    part_status,
    wait_for,
    wait_until_finished,
)
from tests.fixtures.tcp_proxy import tcp_proxy
from tests.fixtures.worker import database_address, database_url

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 4
# With the rate limiter on, the region's 15 GetPolicy calls alone take 2 s: the outage starts
# while the region collects and lasts past the moment it writes its inventory.
FUNCTIONS = 15


def test_a_database_outage_during_a_region_task_is_retried(aws, start_celery_worker):
    account = emulated_account(aws, account_id="770000000001", functions={"us-east-1": FUNCTIONS})
    with tcp_proxy(*database_address()) as proxy:
        log = start_celery_worker(
            DATABASE_URL=database_url(host="127.0.0.1", port=proxy.port),
            ADVISOR_SCAN_RATE_LIMIT="true",
        )
        unfaulted = scan_start(account=account)
        wait_until_finished(unfaulted, timeout=60, log=log)
        assert unfaulted.status == Scan.Status.SUCCEEDED, unfaulted.error

        # When: the database goes away for 4 s while the region collects.
        faulted = scan_start(account=account)
        wait_for(
            lambda: part_status(faulted, "us-east-1") == ScanRegion.Status.RUNNING,
            timeout=30,
            log=log,
        )
        proxy.cut()
        time.sleep(OUTAGE_SECONDS)
        # The outage lasts until the region task has met it: on a loaded machine the region can
        # still be collecting (no database use) after 4 s. Celery logs the task's retry.
        wait_for(lambda: "retry" in log.read_text().lower(), timeout=120, log=log)
        proxy.restore()
        outage_ended = time.monotonic()

        # Then: the scan ends on its own, as the unfaulted one did.
        wait_until_finished(faulted, timeout=60, log=log)
        recovered_after = time.monotonic() - outage_ended

    assert proxy.refused > 0, "the outage did not reach the worker"
    assert_ended_as(faulted, unfaulted, functions=FUNCTIONS)
    assert sum(rule == "deprecated-runtime" for rule, _, _ in findings_seen(faulted)) == FUNCTIONS
    print(
        f"database outage of {OUTAGE_SECONDS} s: scan {faulted.status} "
        f"{recovered_after:.1f} s after the database came back"
    )

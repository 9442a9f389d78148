"""PostgreSQL goes away just as a scan's finishing step starts: its regions are collected, the
finish task reaches a worker whose database connection the test has cut (live connections reset,
new ones refused). The finish retries with backoff and, once the database is back, stores the
scan as an unfaulted finish does: nothing lost, nothing stored twice."""

from __future__ import annotations

import time

import pytest

from advisor.models import Finding, Scan
from advisor.services.scan_run import scan_region
from advisor.services.scans import scan_create, scan_start
from advisor.tasks import finish_scan_task
from tests.chaos.support import (
    assert_ended_as,
    emulated_account,
    findings_seen,
    scan_status,
    task_lines,
    wait_for,
    wait_until_finished,
)
from tests.fixtures.tcp_proxy import tcp_proxy
from tests.fixtures.worker import database_address, database_url

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REGION = "us-east-1"
FUNCTIONS = 8
FINISH = "advisor.finish_scan"


def test_a_database_outage_at_the_finish_is_retried(aws, start_celery_worker):
    account = emulated_account(aws, account_id="770000000007", functions={REGION: FUNCTIONS})
    with tcp_proxy(*database_address()) as proxy:
        log = start_celery_worker(DATABASE_URL=database_url(host="127.0.0.1", port=proxy.port))
        unfaulted = scan_start(account=account)
        wait_until_finished(unfaulted, timeout=60, log=log)
        assert unfaulted.status == Scan.Status.SUCCEEDED, unfaulted.error

        # Given: a scan whose only region is collected (here, as a region task would), so the
        # next step is its finish.
        faulted = scan_create(account=account)
        assert scan_region(scan_id=faulted.pk, region=REGION) is True
        assert scan_status(faulted) in Scan.ACTIVE

        # When: the worker's database is gone as the finish task reaches it.
        proxy.cut()
        finish_scan_task.apply_async(args=(faulted.pk,))
        wait_for(lambda: task_lines([log], FINISH, "retry") > 0, timeout=60, log=log)
        assert scan_status(faulted) in Scan.ACTIVE  # nothing stored while the database was away
        proxy.restore()
        outage_ended = time.monotonic()

        # Then: the retried finish stores the scan as the unfaulted one was stored.
        wait_until_finished(faulted, timeout=60, log=log)
        recovered_after = time.monotonic() - outage_ended

    assert proxy.refused > 0, "the outage did not reach the worker"
    assert_ended_as(faulted, unfaulted, functions=FUNCTIONS)
    assert len(findings_seen(faulted)) >= FUNCTIONS  # every function's old runtime, at least
    open_findings = Finding.objects.for_account(account).open()
    assert open_findings.count() == len(findings_seen(unfaulted))  # tracked once, not twice
    assert set(open_findings.values_list("last_seen_scan_id", flat=True)) == {faulted.pk}
    assert task_lines([log], FINISH, "succeeded") == 2  # the unfaulted finish and the retried one
    print(f"database outage at the finish: scan {faulted.status} {recovered_after:.1f} s after it")

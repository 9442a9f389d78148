"""A worker killed in the middle of a scan loses nothing: the region task was not acknowledged,
Redis hands it to the next worker after the visibility timeout, and the scan completes."""

from __future__ import annotations

import os
import signal
import time

import pytest

from advisor.models import Scan, ScanRegion
from advisor.services.scans import scan_start
from tests.factories import make_account, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The rate limiter stays on, so collecting 40 functions takes several seconds: time to kill.
SLOW = {"ADVISOR_SCAN_RATE_LIMIT": "true"}
# The second worker takes back unacknowledged messages after 2 s, checking every second.
FAST_RESTORE = {"CELERY_VISIBILITY_TIMEOUT": "2", "CELERY_UNACKED_RESTORE_INTERVAL": "1"}


def wait_for(condition, *, timeout: float, log) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


def test_scan_survives_a_worker_killed_mid_scan(aws, start_celery_worker):
    account = make_account(make_workspace(), endpoint_url=aws, account_id="888899990000")
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    for i in range(40):
        create_function(session, aws, name=f"fn-{i:02d}", runtime="python3.9")

    first = start_celery_worker(**SLOW)
    scan = scan_start(account=account)
    part = ScanRegion.objects.get(scan=scan)
    wait_for(
        lambda: ScanRegion.objects.get(pk=part.pk).status == ScanRegion.Status.RUNNING,
        timeout=60,
        log=first,
    )
    os.kill(int(first.with_suffix(".pid").read_text()), signal.SIGKILL)

    second = start_celery_worker(**SLOW, **FAST_RESTORE)
    wait_for(
        lambda: Scan.objects.get(pk=scan.pk).status not in Scan.ACTIVE, timeout=120, log=second
    )

    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    assert scan.function_count == 40
    assert "advisor.scan_region" in second.read_text()  # the second worker did the region
    assert account.findings.filter(rule_id="deprecated-runtime").count() == 40

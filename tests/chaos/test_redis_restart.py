"""Redis restarted under a busy worker: the worker lives on and the scan ends as if nothing
happened.

The broker is a private ``redis-server`` of this test (never the shared one), killed with SIGKILL
and started again on the same port, empty, while a prefork worker (production's pool) runs a
region task. Either while the task collects (a blip) or for as long as the task takes to finish,
so that its hand-off to the finishing step meets the outage.

Upstream, kombu's redis transport can crash a worker with ``AttributeError: 'NoneType' object has
no attribute 'hostname'`` when it restores unacknowledged messages on a channel whose transport
was already torn down (celery/kombu#970; the same path on the gossip channel: celery/kombu#582).
Both shapes are asserted here: the worker process must survive with no such error in its log.
Workers run without gossip and mingle, here as in docker-compose.yml: with gossip on, a 3 s
outage logged "Error on restarting Gossip: AttributeError('NoneType' object has no attribute
'connection_errors')" (the worker lived on).
"""

from __future__ import annotations

import os
import time

import pytest

from advisor.models import FindingOccurrence, FunctionRecord, Scan, ScanRegion
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create, scan_start
from tests.factories import make_account, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FUNCTIONS = 40
# The rate limiter stays on, so collecting 40 functions takes several seconds: time to strike.
SLOW = {"ADVISOR_SCAN_RATE_LIMIT": "true"}
# From the restart to the scan's end, with headroom for a loaded machine.
ENDS_WITHIN_S = 90


def wait_for(condition, *, timeout: float, log) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, log.read_text()[-4000:]
        time.sleep(0.1)
    return time.monotonic() - started


def findings_of(scan: Scan) -> set[tuple[str, str]]:
    return set(
        FindingOccurrence.objects.filter(scan=scan).values_list(
            "finding__rule_id", "finding__resource_arn"
        )
    )


@pytest.fixture
def account(aws):
    account = make_account(make_workspace(), endpoint_url=aws, account_id="888899990001")
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    for i in range(FUNCTIONS):
        create_function(session, aws, name=f"fn-{i:02d}", runtime="python3.9")
    return account


@pytest.mark.parametrize("outage", ["blip while collecting", "down until the region is done"])
def test_scan_ends_as_unfaulted_when_redis_restarts_under_a_busy_worker(
    outage, account, private_redis, publish_to, start_celery_worker
):
    clean = run_scan_inline(scan_create(account=account))
    assert clean.status == Scan.Status.SUCCEEDED, clean.error
    worker = start_celery_worker(pool="prefork", TEST_REDIS_URL=private_redis.url, **SLOW)
    pid = int(worker.with_suffix(".pid").read_text())

    # given a region task running in the worker
    scan = scan_start(account=account)
    part = ScanRegion.objects.get(scan=scan)
    wait_for(lambda: ScanRegion.objects.get(pk=part.pk).status == "running", timeout=60, log=worker)

    # when Redis is killed and started again, empty, on the same port
    private_redis.kill()
    if outage == "blip while collecting":
        time.sleep(1)
    else:
        wait_for(
            lambda: ScanRegion.objects.get(pk=part.pk).status == "done", timeout=60, log=worker
        )
        time.sleep(2)  # the hand-off to the finishing step is now meeting the outage
    private_redis.start()

    # then the scan ends, succeeded, within the bound, and the worker is still there
    took = wait_for(
        lambda: Scan.objects.get(pk=scan.pk).status not in Scan.ACTIVE,
        timeout=ENDS_WITHIN_S,
        log=worker,
    )
    print(f"{outage}: scan ended {took:.1f} s after Redis came back")
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, (scan.error, worker.read_text()[-4000:])
    os.kill(pid, 0)  # raises if the worker process died
    log = worker.read_text()
    assert "AttributeError" not in log and "Unrecoverable error" not in log, log[-4000:]
    # nothing half-written or doubled, and the same findings as the unfaulted scan
    assert scan.function_count == FUNCTIONS
    assert FunctionRecord.objects.filter(scan=scan).count() == FUNCTIONS
    assert findings_of(scan) == findings_of(clean)
    assert len(findings_of(scan)) >= FUNCTIONS  # every function runs a deprecated runtime

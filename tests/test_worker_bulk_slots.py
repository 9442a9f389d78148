"""The global bound on bulk region tasks, for real: a `celery worker` with two processes on Redis,
a nightly fleet of scheduled scans queued ahead, and *Scan now* pressed behind them."""

from __future__ import annotations

import itertools
import time

import pytest
from django.urls import reverse

from advisor.models import Scan, ScanRegion
from advisor.services.scans import scan_start
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FLEET = 6


def connected_account(aws, workspace, n: int):
    account = make_account(
        workspace, name=f"fleet-{n}", endpoint_url=aws, account_id=f"{710000000000 + n}"
    )
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    create_function(session, aws, name=f"fn-{n}", runtime="python3.13")
    return account


def wait_until_ended(scans, *, within: float, log) -> None:
    deadline = time.monotonic() + within
    while Scan.objects.filter(pk__in=[s.pk for s in scans], status__in=Scan.ACTIVE).exists():
        assert time.monotonic() < deadline, log.read_text()[-5000:]
        time.sleep(0.3)


def test_scan_now_runs_beside_a_nightly_fleet_held_to_its_slots(client, aws, start_celery_worker):
    # given a worker pool of two processes with one slot for scheduled scans' regions
    log = start_celery_worker(
        pool="prefork",
        concurrency=2,
        ADVISOR_BULK_REGION_SLOTS=1,
        ADVISOR_BULK_REGION_WAIT_SECONDS=1,
    )
    user = make_user()
    workspace = make_workspace(members={user: "owner"})
    accounts = [connected_account(aws, workspace, n) for n in range(FLEET + 1)]
    mine = accounts.pop()
    # and the fleet's scheduled scans queued first
    fleet = [scan_start(account=a, trigger=Scan.Trigger.SCHEDULED) for a in accounts]

    # when a person presses Scan now behind them
    client.force_login(user)
    assert client.post(reverse("advisor:scan-now", args=[mine.pk])).status_code == 302
    manual = Scan.objects.get(account=mine)
    wait_until_ended([manual], within=120, log=log)

    # then it finished while most of the fleet was still waiting for the one slot
    manual.refresh_from_db()
    assert manual.status in Scan.WITH_RESULTS, manual.error
    still_active = Scan.objects.filter(pk__in=[s.pk for s in fleet], status__in=Scan.ACTIVE)
    assert still_active.count() >= FLEET // 2

    # and the fleet finishes too, one region at a time, one of them beside the manual scan
    wait_until_ended(fleet, within=300, log=log)
    assert set(
        Scan.objects.filter(pk__in=[s.pk for s in fleet]).values_list("status", flat=True)
    ) <= set(Scan.WITH_RESULTS)
    bulk = sorted(
        ScanRegion.objects.filter(scan__in=fleet).values_list("started_at", "finished_at")
    )
    assert len(bulk) == FLEET
    for (_, finished), (started, _) in itertools.pairwise(bulk):
        assert started >= finished  # never two scheduled regions at once
    part = manual.parts.get()
    assert any(s < part.finished_at and part.started_at < f for s, f in bulk)

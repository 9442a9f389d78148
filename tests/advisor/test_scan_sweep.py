"""The lost-scan sweeper on the database: which scans it ends and which it leaves alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from advisor.models import Scan, ScanRegion
from advisor.services.scan_sweep import lost_scans_sweep
from advisor.services.schedules import SWEEP_TASK, SWEEP_TASK_NAME, schedules_sync_all
from tests.factories import make_account, make_workspace

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def scan_with(*parts: dict, created_ago: float = 600) -> Scan:
    account = make_account(make_workspace(), regions=[p["region"] for p in parts])
    scan = Scan.objects.create(account=account, status=Scan.Status.RUNNING, regions=account.regions)
    Scan.objects.filter(pk=scan.pk).update(created_at=NOW - dt.timedelta(seconds=created_ago))
    for part in parts:
        ScanRegion.objects.create(scan=scan, **part)
    scan.refresh_from_db()
    return scan


def ago(seconds: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


def running(region: str, *, started: float, beat: float) -> dict:
    return {
        "region": region,
        "status": "running",
        "started_at": ago(started),
        "heartbeat_at": ago(beat),
    }


@override_settings(ADVISOR_SCAN_LOST_AFTER_SECONDS=300)
def test_a_region_whose_heartbeat_stopped_fails_and_the_scan_finishes(
    eager_celery, django_capture_on_commit_callbacks
):
    scan = scan_with(
        {
            "region": "us-east-1",
            "status": "running",
            "started_at": ago(900),
            "heartbeat_at": ago(301),
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert lost_scans_sweep(now=NOW) == [scan.pk]

    scan.refresh_from_db()
    assert scan.status == Scan.Status.FAILED
    assert scan.error == "us-east-1: no task has reported for 5 minutes; the worker was lost"


@override_settings(ADVISOR_SCAN_LOST_AFTER_SECONDS=300)
def test_a_region_that_still_beats_and_a_queue_that_waits_are_left_alone():
    beating = scan_with(
        {
            "region": "us-east-1",
            "status": "running",
            "started_at": ago(3000),
            "heartbeat_at": ago(20),
        },
        {"region": "eu-west-1", "status": "pending"},  # waiting behind it: not lost
        created_ago=3000,
    )

    assert lost_scans_sweep(now=NOW) == []
    assert set(beating.parts.values_list("status", flat=True)) == {"running", "pending"}


@override_settings(ADVISOR_SCAN_LOST_AFTER_SECONDS=300, CELERY_TASK_TIME_LIMIT=3600)
def test_a_region_never_started_in_twice_the_time_limit_fails():
    scan = scan_with({"region": "us-east-1", "status": "pending"}, created_ago=7300)

    lost_scans_sweep(now=NOW)

    part = scan.parts.get()
    assert part.status == ScanRegion.Status.FAILED
    assert part.error == "no worker started it in 2 hours; its task was lost"


@override_settings(ADVISOR_SCAN_LOST_AFTER_SECONDS=300)
def test_a_scan_whose_finishing_task_was_lost_is_finished_again(
    eager_celery, django_capture_on_commit_callbacks
):
    scan = scan_with(
        {"region": "us-east-1", "status": "failed", "error": "denied", "finished_at": ago(400)}
    )
    fresh = scan_with({"region": "us-east-1", "status": "failed", "finished_at": ago(10)})

    with django_capture_on_commit_callbacks(execute=True):
        assert lost_scans_sweep(now=NOW) == [scan.pk]

    assert Scan.objects.get(pk=scan.pk).status == Scan.Status.FAILED
    assert Scan.objects.get(pk=fresh.pk).status == Scan.Status.RUNNING  # its finish is on its way


@override_settings(ADVISOR_SWEEP_INTERVAL_SECONDS=45)
def test_sync_schedules_runs_the_sweeper_at_its_interval():
    schedules_sync_all()

    task = PeriodicTask.objects.get(name=SWEEP_TASK_NAME)
    assert task.task == SWEEP_TASK and task.enabled
    assert (task.interval.every, task.interval.period) == (45, "seconds")
    assert task.expire_seconds == 45

"""What a beat-triggered run does: start a scheduled scan, skip with a reason when one is still
running, wait when too many scheduled scans run at once, and spread accounts due together."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from accounts.models import ScanSchedule
from advisor.models import Scan
from advisor.periodic.tasks import scheduled_scan_task
from advisor.services.scans import scan_create
from advisor.services.schedules import ScheduledRun, scheduled_scan_run
from tests.factories import make_account, make_workspace

# Scans started here are never handed to workers: queueing waits for a commit (on_commit) that
# a test's transaction never makes.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def scheduled_account(**fields):
    account = make_account(make_workspace(), **fields)
    ScanSchedule.objects.create(account=account, frequency="hourly")
    return account


def test_due_account_gets_a_scheduled_scan():
    account = scheduled_account()

    run = scheduled_scan_run(account_id=account.pk)

    assert run.outcome == ScheduledRun.STARTED
    assert run.scan.trigger == Scan.Trigger.SCHEDULED
    assert run.scan.account == account


def test_skips_with_a_logged_reason_while_a_scan_is_running(caplog):
    account = scheduled_account(name="acme-prod")
    running = scan_create(account=account)

    with caplog.at_level(logging.WARNING, logger="advisor.services.schedules"):
        run = scheduled_scan_run(account_id=account.pk)

    assert run.outcome == ScheduledRun.SKIPPED
    assert f"scan {running.pk} of acme-prod is still queued" in run.reason
    assert run.reason in caplog.text
    schedule = ScanSchedule.objects.get(account=account)
    assert schedule.last_skip_reason == run.reason and schedule.last_skipped_at is not None
    assert account.scans.count() == 1


def test_a_stale_running_scan_does_not_block_the_schedule(settings):
    account = scheduled_account()
    stuck = scan_create(account=account)
    Scan.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=3 * settings.CELERY_TASK_TIME_LIMIT)
    )

    run = scheduled_scan_run(account_id=account.pk)

    assert run.outcome == ScheduledRun.STARTED
    stuck.refresh_from_db()
    assert stuck.status == Scan.Status.FAILED


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"enabled": False}, "is disabled"),
        ({"frequency": "off"}, "schedule of"),
    ],
)
def test_disabled_account_or_schedule_skips(change, reason):
    account = scheduled_account()
    if "enabled" in change:
        account.enabled = False
        account.save()
    else:
        ScanSchedule.objects.filter(account=account).update(**change)

    run = scheduled_scan_run(account_id=account.pk)

    assert run.outcome == ScheduledRun.SKIPPED and reason in run.reason
    assert not account.scans.exists()


def test_waits_when_the_concurrent_scheduled_scans_are_at_the_bound(settings):
    settings.ADVISOR_MAX_CONCURRENT_SCHEDULED_SCANS = 2
    for _ in range(2):
        scan_create(account=scheduled_account(), trigger=Scan.Trigger.SCHEDULED)
    scan_create(account=scheduled_account())  # a manual scan does not take a scheduled slot
    account = scheduled_account()

    run = scheduled_scan_run(account_id=account.pk)

    assert run.outcome == ScheduledRun.WAITING
    assert "2 scheduled scans are running (at most 2 at once)" in run.reason
    assert not account.scans.exists()


def test_task_retries_while_waiting_then_gives_up_with_the_reason(settings):
    settings.ADVISOR_MAX_CONCURRENT_SCHEDULED_SCANS = 1
    settings.ADVISOR_SCHEDULED_SCAN_MAX_WAITS = 2
    scan_create(account=scheduled_account(), trigger=Scan.Trigger.SCHEDULED)
    account = scheduled_account()

    # Run here, as the worker would (eagerly, retries included, countdowns not waited for).
    result = scheduled_scan_task.apply(kwargs={"account_id": account.pk, "spread": False})

    assert result.successful()
    schedule = ScanSchedule.objects.get(account=account)
    assert schedule.last_skip_reason.startswith("no free slot for a scheduled scan")
    assert not account.scans.exists()


def test_beat_run_is_spread_over_the_jitter_window(settings, monkeypatch):
    settings.ADVISOR_SCHEDULE_JITTER_SECONDS = 300
    sent = []
    monkeypatch.setattr(scheduled_scan_task, "apply_async", lambda **options: sent.append(options))
    accounts = [scheduled_account() for _ in range(20)]

    for account in accounts:
        scheduled_scan_task.apply(kwargs={"account_id": account.pk})

    assert not Scan.objects.exists()  # nothing scanned in the beat minute itself
    assert [o["kwargs"] for o in sent] == [{"account_id": a.pk, "spread": False} for a in accounts]
    delays = [o["countdown"] for o in sent]
    assert all(0 <= d < 300 for d in delays)
    assert len(set(delays)) > 10  # spread, not all the same moment

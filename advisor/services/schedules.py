"""Schedules: each account's ScanSchedule is mirrored by one django-celery-beat PeriodicTask, and
every periodic task of the product (the digest, retention, the lost-scan sweeper) is created
here (or by ``manage.py sync_schedules``, which calls this module). Beat runs
``advisor.scheduled_scan``, which lands in :func:`scheduled_scan_run`."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from accounts.audit import Action, audit_record
from accounts.models import AwsAccount, ScanSchedule
from advisor.models import Scan
from advisor.services.recipients import recipients_set
from advisor.services.scans import ScanRefused, scan_start, stale_after

logger = logging.getLogger(__name__)

SCHEDULED_SCAN_TASK = "advisor.scheduled_scan"
ACCOUNT_TASK_PREFIX = "scheduled-scan:account-"

# The product's own periodic jobs: (name, task, crontab fields in UTC, description).
SYSTEM_TASKS = (
    (
        "reports:weekly-digest",
        "advisor.send_weekly_digests",
        {"minute": "0", "hour": "8", "day_of_week": "1"},
        "Weekly digest per workspace, Mondays 08:00 UTC, covering the week before.",
    ),
    (
        "retention:prune-scan-metrics",
        "advisor.prune_scan_metrics",
        {"minute": "17", "hour": "3", "day_of_week": "*"},
        "Drop metric series older than the last ADVISOR_RETENTION_FULL_SCANS scans per account, "
        "audit-log events older than ADVISOR_AUDIT_RETENTION_DAYS and pending connections older "
        "than ADVISOR_PENDING_CONNECTION_MAX_AGE_DAYS.",
    ),
    (
        "prices:refresh",
        "advisor.refresh_prices",
        {"minute": "43", "hour": "4", "day_of_week": "0"},
        "Refresh Lambda, Fargate and EC2 prices from AWS's Price List API, Sundays 04:43 UTC.",
    ),
)

# The sweeper that ends lost scans (advisor.services.scan_sweep) runs every
# ADVISOR_SWEEP_INTERVAL_SECONDS, read when the schedules are synced.
SWEEP_TASK_NAME = "scans:sweep-lost"
SWEEP_TASK = "advisor.sweep_lost_scans"

# The sync of connected organisations (advisor.services.organizations), every
# ADVISOR_ORGANIZATION_SYNC_INTERVAL_SECONDS.
ORGANIZATION_SYNC_TASK_NAME = "organizations:sync"
ORGANIZATION_SYNC_TASK = "advisor.sync_organizations"

# A beat message left unconsumed for longer than the schedule's period is stale: the next one
# will run the scan anyway, so the old one expires instead of piling up behind a stopped worker.
_EXPIRES_SECONDS = {
    ScanSchedule.Frequency.HOURLY: 3600,
    ScanSchedule.Frequency.DAILY: 86400,
    ScanSchedule.Frequency.WEEKLY: 7 * 86400,
}


def periodic_task_name(account_id: int) -> str:
    return f"{ACCOUNT_TASK_PREFIX}{account_id}"


def schedule_update(
    *,
    account: AwsAccount,
    frequency: str,
    time_of_day: dt.time,
    day_of_week: int,
    timezone_name: str,
    recipients: list[str],
) -> ScanSchedule:
    """Save the schedule and the report recipients, and bring the periodic task in step."""
    with transaction.atomic():
        schedule, _ = ScanSchedule.objects.update_or_create(
            account=account,
            defaults={
                "frequency": frequency,
                "time_of_day": time_of_day,
                "day_of_week": day_of_week,
                "timezone": timezone_name,
            },
        )
        recipients_set(account=account, emails=recipients)
        periodic_task_sync(account=account)
    return schedule


def account_delete(*, account: AwsAccount, actor: AbstractBaseUser | None = None) -> None:
    """Delete an account and its periodic task together, and say so in the audit log."""
    with transaction.atomic():
        PeriodicTask.objects.filter(name=periodic_task_name(account.pk)).delete()
        audit_record(
            workspace=account.workspace_id,
            actor=actor,
            action=Action.ACCOUNT_REMOVED,
            target=account.name,
            account_id=account.account_id,
        )
        account.delete()


def periodic_task_sync(*, account: AwsAccount) -> PeriodicTask | None:
    """Create, update, disable or delete the account's PeriodicTask to match its schedule."""
    name = periodic_task_name(account.pk)
    schedule = ScanSchedule.objects.filter(account=account).first()
    if schedule is None or schedule.frequency == ScanSchedule.Frequency.OFF:
        PeriodicTask.objects.filter(name=name).delete()
        return None
    crontab = _crontab(schedule)
    task, _ = PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": SCHEDULED_SCAN_TASK,
            "crontab": crontab,
            "interval": None,
            "kwargs": json.dumps({"account_id": account.pk}),
            # A disabled account keeps its schedule, but beat does not run it; nor does it run
            # an organisation's member that is not scanned (suspended, removed, no role).
            "enabled": account.enabled and account.organization_refusal() is None,
            "expire_seconds": _EXPIRES_SECONDS[schedule.frequency],
            "description": f"Scan {account.name} {schedule.describe()}.",
        },
    )
    return task


def schedules_sync_all() -> dict[str, int]:
    """Every account's task in step, tasks of deleted accounts gone, the system tasks present."""
    kept = 0
    for account in AwsAccount.objects.all():
        if periodic_task_sync(account=account) is not None:
            kept += 1
    wanted = {periodic_task_name(pk) for pk in AwsAccount.objects.values_list("pk", flat=True)}
    orphans = PeriodicTask.objects.filter(name__startswith=ACCOUNT_TASK_PREFIX).exclude(
        name__in=wanted
    )
    removed = 0
    for orphan in orphans:  # one by one: beat notices changes through the model's signals
        orphan.delete()
        removed += 1
    for name, task, fields, description in SYSTEM_TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_month="*", month_of_year="*", timezone="UTC", **fields
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "interval": None,
                "enabled": True,
                "description": description,
            },
        )
    sweep_task_sync()
    organization_sync_task_sync()
    return {"accounts": kept, "removed": removed, "system": len(SYSTEM_TASKS) + 2}


def sweep_task_sync() -> PeriodicTask:
    seconds = settings.ADVISOR_SWEEP_INTERVAL_SECONDS
    every, _ = IntervalSchedule.objects.get_or_create(
        every=seconds, period=IntervalSchedule.SECONDS
    )
    task, _ = PeriodicTask.objects.update_or_create(
        name=SWEEP_TASK_NAME,
        defaults={
            "task": SWEEP_TASK,
            "interval": every,
            "crontab": None,
            "enabled": True,
            # A sweep that waited longer than the interval is replaced by the next one.
            "expire_seconds": seconds,
            "description": (
                f"Every {seconds} s: fail the regions of scans whose tasks were lost "
                "(ADVISOR_SCAN_LOST_AFTER_SECONDS) and finish those scans."
            ),
        },
    )
    return task


def organization_sync_task_sync() -> PeriodicTask:
    seconds = settings.ADVISOR_ORGANIZATION_SYNC_INTERVAL_SECONDS
    every, _ = IntervalSchedule.objects.get_or_create(
        every=seconds, period=IntervalSchedule.SECONDS
    )
    task, _ = PeriodicTask.objects.update_or_create(
        name=ORGANIZATION_SYNC_TASK_NAME,
        defaults={
            "task": ORGANIZATION_SYNC_TASK,
            "interval": every,
            "crontab": None,
            "enabled": True,
            "expire_seconds": seconds,
            "description": (
                f"Every {seconds} s: sync each connected organisation's member accounts "
                "(new, suspended, removed) and check their roles."
            ),
        },
    )
    return task


def _crontab(schedule: ScanSchedule) -> CrontabSchedule:
    t = schedule.time_of_day
    fields = {"minute": str(t.minute), "hour": "*", "day_of_week": "*"}
    if schedule.frequency in (ScanSchedule.Frequency.DAILY, ScanSchedule.Frequency.WEEKLY):
        fields["hour"] = str(t.hour)
    if schedule.frequency == ScanSchedule.Frequency.WEEKLY:
        fields["day_of_week"] = str(schedule.day_of_week)
    crontab, _ = CrontabSchedule.objects.get_or_create(
        day_of_month="*", month_of_year="*", timezone=schedule.timezone, **fields
    )
    return crontab


@dataclass(frozen=True)
class ScheduledRun:
    """What one beat-triggered run did."""

    STARTED = "started"
    SKIPPED = "skipped"  # nothing to do this time; the reason is logged and kept on the schedule
    WAITING = "waiting"  # too many scheduled scans running: try again shortly

    outcome: str
    reason: str = ""
    scan: Scan | None = None


def scheduled_scan_run(*, account_id: int) -> ScheduledRun:
    """Start the scheduled scan of one account, unless it should not run now."""
    account = AwsAccount.objects.filter(pk=account_id).first()
    if account is None:
        return _skip(None, f"account {account_id} no longer exists")
    schedule = ScanSchedule.objects.filter(account=account).first()
    if schedule is None or schedule.frequency == ScanSchedule.Frequency.OFF:
        return _skip(schedule, f"the schedule of {account.name} is off")
    if not account.enabled:
        return _skip(schedule, f"{account.name} is disabled")
    limit = settings.ADVISOR_MAX_CONCURRENT_SCHEDULED_SCANS
    with transaction.atomic():
        _lock_scheduled_slots()
        active = Scan.objects.filter(
            status__in=Scan.ACTIVE, created_at__gt=timezone.now() - stale_after()
        )
        running = active.filter(account=account).first()
        if running is not None:
            return _skip(
                schedule,
                f"scan {running.pk} of {account.name} is still {running.status}; "
                "this scheduled scan is skipped",
            )
        busy = active.filter(trigger=Scan.Trigger.SCHEDULED).count()
        if busy >= limit:
            reason = f"{busy} scheduled scans are running (at most {limit} at once)"
            logger.info("scheduled scan of %s waits: %s", account.name, reason)
            return ScheduledRun(ScheduledRun.WAITING, reason)
        try:
            scan = scan_start(account=account, trigger=Scan.Trigger.SCHEDULED)
        except ScanRefused as refused:
            return _skip(schedule, str(refused))
    logger.info("scheduled scan %s of %s started", scan.pk, account.name)
    return ScheduledRun(ScheduledRun.STARTED, scan=scan)


def scheduled_scan_give_up(*, account_id: int, reason: str) -> ScheduledRun:
    """No slot came free after every wait: record why this run did not scan."""
    schedule = ScanSchedule.objects.filter(account_id=account_id).first()
    return _skip(schedule, f"no free slot for a scheduled scan: {reason}")


def _skip(schedule: ScanSchedule | None, reason: str) -> ScheduledRun:
    logger.warning("scheduled scan skipped: %s", reason)
    if schedule is not None and schedule.pk:
        ScanSchedule.objects.filter(pk=schedule.pk).update(
            last_skipped_at=timezone.now(), last_skip_reason=reason
        )
    return ScheduledRun(ScheduledRun.SKIPPED, reason)


def _lock_scheduled_slots() -> None:
    """Serialise "count running scheduled scans, then start one" across workers for the rest of
    the transaction. SQLite (the local mode) already allows a single writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('advisor.scheduled-scans'))")

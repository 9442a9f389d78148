"""Starting a scan. The work itself is in ``scan_run``; the tasks connect the two."""

from __future__ import annotations

import datetime as dt
import logging

from celery import group
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import AwsAccount
from advisor.models import Scan, ScanRegion
from advisor.tasks import scan_region_task

logger = logging.getLogger(__name__)


class ScanRefused(Exception):
    """A scan cannot start; the message says why."""


class ScanAlreadyRunning(ScanRefused):
    def __init__(self, scan: Scan) -> None:
        super().__init__(
            f"A scan of {scan.account.name} is already {scan.status} (scan {scan.pk})."
        )
        self.scan = scan


def stale_after() -> dt.timedelta:
    """A scan active for longer than twice the task time limit has lost its worker."""
    return dt.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


def scan_create(
    *,
    account: AwsAccount,
    requested_by: AbstractBaseUser | None = None,
    trigger: str = Scan.Trigger.MANUAL,
) -> Scan:
    """A queued Scan with one part per region, or ScanRefused."""
    if not account.enabled:
        raise ScanRefused(f"{account.name} is disabled; enable it to scan.")
    if not account.regions:
        raise ScanRefused(f"{account.name} has no regions to scan.")
    try:
        with transaction.atomic():
            AwsAccount.objects.select_for_update().filter(pk=account.pk).first()
            active = account.scans.filter(status__in=Scan.ACTIVE).first()
            if active is not None:
                if timezone.now() - active.created_at <= stale_after():
                    raise ScanAlreadyRunning(active)
                _fail_stale(active)
            scan = Scan.objects.create(
                account=account,
                requested_by=requested_by
                if requested_by and requested_by.is_authenticated
                else None,
                trigger=trigger,
                regions=list(account.regions),
            )
            ScanRegion.objects.bulk_create(
                [ScanRegion(scan=scan, region=region) for region in scan.regions]
            )
    except IntegrityError as error:  # a concurrent request won the race for the same account
        active = account.scans.filter(status__in=Scan.ACTIVE).first()
        if active is not None:
            raise ScanAlreadyRunning(active) from error
        raise
    return scan


def scan_start(
    *,
    account: AwsAccount,
    requested_by: AbstractBaseUser | None = None,
    trigger: str = Scan.Trigger.MANUAL,
) -> Scan:
    """Create a scan and hand its regions to the workers once the transaction commits."""
    with transaction.atomic():
        scan = scan_create(account=account, requested_by=requested_by, trigger=trigger)
        transaction.on_commit(lambda: _enqueue(scan))
    scan.refresh_from_db()
    return scan


def _enqueue(scan: Scan) -> None:
    try:
        group(scan_region_task.s(scan.pk, region) for region in scan.regions).apply_async()
    except OperationalError as error:
        logger.error("scan %s could not be queued: %s", scan.pk, error)
        Scan.objects.filter(pk=scan.pk).update(
            status=Scan.Status.FAILED,
            error=f"The task queue could not be reached: {error}",
            finished_at=timezone.now(),
        )


def _fail_stale(scan: Scan) -> None:
    scan.error = (
        f"Stopped waiting: the scan was still {scan.status} after {stale_after()} "
        "(its worker was probably stopped)."
    )
    scan.status = Scan.Status.FAILED
    scan.finished_at = timezone.now()
    scan.save(update_fields=["status", "error", "finished_at"])

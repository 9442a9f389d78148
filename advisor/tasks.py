"""Celery tasks: thin, named, idempotent; each fetches by id and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from advisor.models import Scan
from advisor.reports.tasks import send_scan_reports_task
from advisor.services.scan_run import scan_finish, scan_region


@shared_task(name="advisor.scan_region")
def scan_region_task(scan_id: int, region: str) -> None:
    # The last region to finish hands the scan to the finishing step.
    if scan_region(scan_id=scan_id, region=region):
        finish_scan_task.delay(scan_id)


@shared_task(name="advisor.finish_scan")
def finish_scan_task(scan_id: int) -> None:
    scan = scan_finish(scan_id=scan_id)
    # A scheduled scan mails its report (which skips failed scans). A redelivered finish queues
    # it again; the report's deliveries make that a no-op.
    if scan.trigger == Scan.Trigger.SCHEDULED:
        transaction.on_commit(lambda: send_scan_reports_task.delay(scan.pk))

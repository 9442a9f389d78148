"""Celery tasks: thin, named, idempotent; each fetches by id and calls one service."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, close_old_connections, transaction
from django.db import OperationalError as DatabaseUnavailable
from kombu.exceptions import OperationalError as BrokerUnavailable

from advisor.dispatch import FINISH_SCAN_TASK, SCAN_REGION_TASK
from advisor.models import Scan
from advisor.reports.tasks import send_scan_reports_task
from advisor.services.region_slots import bulk_region_slot, bulk_region_wait_seconds
from advisor.services.scan_run import scan_finish, scan_region

logger = logging.getLogger(__name__)

# A database restart or failover, or a broker that drops a publish, is over in seconds; a scan
# task that meets one is tried again later instead of failing (or, worse, being acknowledged
# with its scan left running). Every scan task is safe to run again.
TRANSIENT_ERRORS = (DatabaseUnavailable, InterfaceError, BrokerUnavailable)

# The hand-off from the last region to the finishing step must outlast a broker restart (a
# Redis restart or failover takes seconds). Celery's default publish policy gives up after about
# a second, and the task's own retry cannot help then: it is a publish to the same broker, and a
# retry that cannot be published is dropped, leaving the scan "running" with every region done.
# So the hand-off itself retries for about a minute; each attempt is bounded by the broker's
# socket timeouts (config/settings/base.py).
HAND_OFF_RETRY_POLICY = {
    "max_retries": 20,
    "interval_start": 0.5,
    "interval_step": 1.0,
    "interval_max": 3.0,
}


def retry_transient(task: Task, error: Exception) -> None:
    """Raise the task's retry with bounded exponential backoff and full jitter; past
    ADVISOR_TASK_MAX_RETRIES the error itself is raised (the sweeper then ends the scan)."""
    # The outage broke this process's connection: close it so the next attempt opens a new one.
    close_old_connections()
    countdown = get_exponential_backoff_interval(
        factor=settings.ADVISOR_TASK_RETRY_BACKOFF_SECONDS,
        retries=task.request.retries,
        maximum=settings.ADVISOR_TASK_RETRY_BACKOFF_MAX_SECONDS,
        full_jitter=True,
    )
    logger.warning(
        "%s%s: %s: %s; retry %s of %s in %s s",
        task.name,
        tuple(task.request.args or ()),
        type(error).__name__,
        error,
        task.request.retries + 1,
        settings.ADVISOR_TASK_MAX_RETRIES,
        countdown,
    )
    raise task.retry(exc=error, countdown=countdown, max_retries=settings.ADVISOR_TASK_MAX_RETRIES)


@shared_task(bind=True, name=SCAN_REGION_TASK)
def scan_region_task(self: Task, scan_id: int, region: str, bulk: bool = False) -> None:
    try:
        with bulk_region_slot(bulk=bulk) as may_run:
            if not may_run:
                # Every bulk slot of the pool is taken: give this process back (to Scan now,
                # or to a bulk task holding a slot) and ask again shortly. A new message, not a
                # retry: waiting is not a failure and uses none of the task's retries.
                scan_region_task.apply_async(
                    (scan_id, region),
                    {"bulk": True},
                    countdown=bulk_region_wait_seconds(),
                    retry_policy=HAND_OFF_RETRY_POLICY,
                )
                return
            # The last region to finish hands the scan to the finishing step.
            if scan_region(scan_id=scan_id, region=region):
                finish_scan_task.apply_async((scan_id,), retry_policy=HAND_OFF_RETRY_POLICY)
    except TRANSIENT_ERRORS as error:
        retry_transient(self, error)


@shared_task(bind=True, name=FINISH_SCAN_TASK)
def finish_scan_task(self: Task, scan_id: int) -> None:
    try:
        scan = scan_finish(scan_id=scan_id)
    except TRANSIENT_ERRORS as error:
        retry_transient(self, error)
        return
    # A scheduled scan mails its report (which skips failed scans). A redelivered finish queues
    # it again; the report's deliveries make that a no-op.
    if scan.trigger == Scan.Trigger.SCHEDULED:
        transaction.on_commit(lambda: send_scan_reports_task.delay(scan.pk))

"""Report tasks: thin, named, safe to retry (the ReportDelivery row makes a second send a no-op)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from advisor.services.report_delivery import (
    SEND_ERRORS,
    delivery_give_up,
    delivery_send,
    scan_report_deliveries,
)


@shared_task(name="advisor.send_scan_reports")
def send_scan_reports_task(scan_id: int) -> None:
    # One task per address, so one refusing address is retried alone.
    for delivery in scan_report_deliveries(scan_id=scan_id):
        send_report_task.delay(delivery.pk)


@shared_task(
    bind=True,
    name="advisor.send_report",
    # SMTP down or refusing: try again later, waiting 1x, 2x, 4x... the base delay, with jitter so
    # a relay coming back is not hit by every retry at once. Capped at 30 min, under the Redis
    # visibility timeout (settings: CELERY_VISIBILITY_TIMEOUT), past which a waiting message
    # would be delivered twice.
    autoretry_for=SEND_ERRORS,
    retry_backoff=settings.ADVISOR_REPORT_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=settings.ADVISOR_REPORT_MAX_RETRIES,
)
def send_report_task(self, delivery_id: int) -> None:
    try:
        delivery_send(delivery_id=delivery_id)
    except SEND_ERRORS as error:
        if self.request.retries >= self.max_retries:
            delivery_give_up(delivery_id=delivery_id, error=f"{type(error).__name__}: {error}")
        raise

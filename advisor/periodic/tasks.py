"""Tasks beat runs (their PeriodicTasks come from ``advisor.services.schedules``)."""

from __future__ import annotations

import logging
import secrets

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts.models import Organization, Workspace
from advisor.reports.digest import Week
from advisor.reports.tasks import send_report_task
from advisor.services.organizations import organization_sync, organizations_sync_all
from advisor.services.prices import prices_refresh
from advisor.services.report_delivery import digest_deliveries
from advisor.services.retention import (
    audit_events_prune,
    pending_connections_prune,
    scan_metrics_prune,
)
from advisor.services.scan_sweep import lost_scans_sweep
from advisor.services.schedules import ScheduledRun, scheduled_scan_give_up, scheduled_scan_run

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="advisor.scheduled_scan", max_retries=None)
def scheduled_scan_task(self, account_id: int, spread: bool = True) -> None:
    window = settings.ADVISOR_SCHEDULE_JITTER_SECONDS
    if spread and window > 0:
        # Beat sends every account due this minute together: each comes back after a random
        # share of the window instead of all scanning at once.
        delay = secrets.randbelow(window * 1000) / 1000
        scheduled_scan_task.apply_async(
            kwargs={"account_id": account_id, "spread": False}, countdown=delay
        )
        return
    run = scheduled_scan_run(account_id=account_id)
    if run.outcome != ScheduledRun.WAITING:
        return
    if self.request.retries >= settings.ADVISOR_SCHEDULED_SCAN_MAX_WAITS:
        scheduled_scan_give_up(account_id=account_id, reason=run.reason)
        return
    # Wait for a slot: 30 s, 60 s, 120 s... (at most 10 min), plus jitter against a new herd.
    countdown = min(30 * 2**self.request.retries, 600) + secrets.randbelow(30)
    raise self.retry(countdown=countdown)


@shared_task(name="advisor.send_weekly_digests")
def send_weekly_digests_task() -> None:
    week = Week.before(timezone.now())
    for workspace in Workspace.objects.all():
        for delivery in digest_deliveries(workspace=workspace, week=week):
            send_report_task.delay(delivery.pk)


@shared_task(name="advisor.prune_scan_metrics")
def prune_scan_metrics_task() -> None:
    # The nightly retention job: metric series past the last scans, old audit events, and
    # connect pages abandoned half-way.
    scan_metrics_prune()
    audit_events_prune()
    pending_connections_prune()


@shared_task(name="advisor.refresh_prices")
def refresh_prices_task() -> None:
    # A failed region keeps its last good prices; the run's record says what failed.
    prices_refresh()


@shared_task(name="advisor.sweep_lost_scans")
def sweep_lost_scans_task() -> None:
    lost_scans_sweep()


@shared_task(name="advisor.sync_organizations")
def sync_organizations_task() -> None:
    organizations_sync_all()  # one advisor.sync_organization per organisation


@shared_task(name="advisor.sync_organization")
def sync_organization_task(organization_id: int) -> None:
    # What failed is recorded on the organisation (last_sync_error); a deleted one is skipped.
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is not None:
        organization_sync(organization=organization)

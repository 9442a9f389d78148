"""Starting a scan. The work itself is in ``scan_run``; the tasks connect the two, and scans
reach them through ``advisor.dispatch``."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import AwsAccount, Workspace
from advisor.collect.organizations import role_check
from advisor.collect.session import EndpointNotAllowed
from advisor.dispatch import scan_regions_enqueue
from advisor.models import Scan, ScanRegion
from advisor.services.endpoints import checked_endpoint
from advisor.services.region_slots import is_bulk

logger = logging.getLogger(__name__)


class ScanRefused(Exception):
    """A scan cannot start; the message says why."""


class ScanNotQueued(ScanRefused):
    """The scan was created but its tasks could not be handed to the broker; it is failed."""

    def __init__(self, scan: Scan) -> None:
        super().__init__(
            f"Scan {scan.pk} of {scan.account.name} could not be queued: {scan.error} "
            "It is marked failed; try again in a minute."
        )
        self.scan = scan


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
        endpoint = checked_endpoint(account.endpoint_url)
    except EndpointNotAllowed as refusal:
        raise ScanRefused(
            f"{account.name} is not scanned: it names the endpoint URL {account.endpoint_url}, "
            "and this server sends requests only to AWS itself. Edit the account and clear "
            "its endpoint URL to scan it in AWS."
        ) from refusal
    _member_role_refresh(account, endpoint)
    refusal = account.organization_refusal()  # suspended, removed, or its role not deployed
    if refusal:
        raise ScanRefused(refusal)
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
                rule_options=_rule_options_now(account),
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


def _rule_options_now(account: AwsAccount) -> dict:
    """The workspace's rule options as stored now (not as an ``account`` loaded earlier holds
    them): the scan keeps them, one set of thresholds for all its steps whatever the workspace
    does meanwhile."""
    options = (
        Workspace.objects.filter(pk=account.workspace_id)
        .values_list("rule_options", flat=True)
        .first()
    )
    return options or {}


def _member_role_refresh(account: AwsAccount, endpoint: str | None) -> None:
    """An active organisation member's role, tried once (one AssumeRole) before its scan: a role
    removed since the last sync is "role not deployed", refused rather than a failed scan, and
    one deployed since then scans at once. A throttle or a network error leaves the last answer
    (the scan then tells for itself)."""
    if account.organization_id is None or account.org_state != AwsAccount.OrgState.ACTIVE:
        return
    check = role_check(
        role_arn=account.role_arn,
        external_id=account.external_id,
        region=account.regions[0],
        endpoint_url=endpoint,
    )
    if check.deployed is None:
        return
    account.role_state = (
        AwsAccount.RoleState.DEPLOYED if check.deployed else AwsAccount.RoleState.NOT_DEPLOYED
    )
    account.role_error, account.role_checked_at = check.message, timezone.now()
    AwsAccount.objects.filter(pk=account.pk).update(
        role_state=account.role_state,
        role_error=account.role_error,
        role_checked_at=account.role_checked_at,
    )


# Whoever starts a scan (a web request, the CLI, beat) is waiting: one quick retry for a
# connection the broker dropped a moment ago, then the scan fails with the reason. Each attempt
# is bounded by the broker's socket timeouts (config/settings/base.py).
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}


def scan_start(
    *,
    account: AwsAccount,
    requested_by: AbstractBaseUser | None = None,
    trigger: str = Scan.Trigger.MANUAL,
) -> Scan:
    """Create a scan and hand its regions to the workers once the transaction commits.

    Raises ScanNotQueued when the broker could not take them: the scan is then failed, so it
    does not hold the account's one active scan."""
    with transaction.atomic():
        scan = scan_create(account=account, requested_by=requested_by, trigger=trigger)
        transaction.on_commit(lambda: _enqueue(scan))
    scan.refresh_from_db()
    if scan.status == Scan.Status.FAILED:
        raise ScanNotQueued(scan)
    return scan


def _enqueue(scan: Scan) -> None:
    try:
        scan_regions_enqueue(
            scan.pk, scan.regions, retry_policy=ENQUEUE_RETRY_POLICY, bulk=is_bulk(scan.trigger)
        )
    except OperationalError as error:
        logger.error("scan %s could not be queued: %s", scan.pk, error)
        Scan.objects.filter(pk=scan.pk, status=Scan.Status.QUEUED).update(
            status=Scan.Status.FAILED,
            error=f"The task queue did not answer ({type(error).__name__}: {error}).",
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

"""Sending reports exactly once per (scan, address) and (workspace, week, address).

A ReportDelivery row is the idempotency record: it is created once (its unique constraint), and
a send first claims it (pending or failed -> sending, one UPDATE, so only one worker wins); a
retried or redelivered task finds it sent and does nothing. SMTP failures mark it failed with the
error, visible on the account page, and are raised again for the task's retry with backoff.
Nothing here writes to the scan."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ReportRecipient, Workspace
from advisor.models import ReportDelivery, Scan
from advisor.reports.digest import Week, build_workspace_digest
from advisor.reports.email import digest_message, scan_report_message
from advisor.reports.scan_report import build_scan_report

logger = logging.getLogger(__name__)

# What a failed send raises: the task retries on these.
SEND_ERRORS = (smtplib.SMTPException, OSError)
# A delivery left "sending" this long lost its worker mid-send; it may be claimed again (the
# stable Message-ID lets mail clients fold the rare duplicate that can follow).
SENDING_STALE_AFTER = dt.timedelta(minutes=10)


def scan_report_deliveries(*, scan_id: int) -> list[ReportDelivery]:
    """The deliveries of a scan's report, one per subscribed recipient, created once. Returns
    those still to send."""
    scan = Scan.objects.select_related("account").get(pk=scan_id)
    if scan.status not in Scan.WITH_RESULTS:
        logger.info("scan %s is %s: no report", scan.pk, scan.status)
        return []
    recipients = scan.account.report_recipients.filter(unsubscribed_at__isnull=True)
    for recipient in recipients:
        _get_or_create(
            kind=ReportDelivery.Kind.SCAN,
            scan=scan,
            email=recipient.email,
            defaults={"workspace_id": scan.account.workspace_id, "account": scan.account},
        )
    return list(_unsent(scan.report_deliveries.all()))


def digest_deliveries(*, workspace: Workspace, week: Week) -> list[ReportDelivery]:
    emails = sorted(
        set(
            ReportRecipient.objects.filter(
                account__workspace=workspace, unsubscribed_at__isnull=True
            ).values_list("email", flat=True)
        )
    )
    for email in emails:
        _get_or_create(
            kind=ReportDelivery.Kind.DIGEST,
            workspace=workspace,
            period=week.period,
            email=email,
            defaults={},
        )
    return list(
        _unsent(
            ReportDelivery.objects.filter(
                kind=ReportDelivery.Kind.DIGEST, workspace=workspace, period=week.period
            )
        )
    )


def delivery_send(*, delivery_id: int) -> ReportDelivery:
    """Send one delivery unless it was sent (or is being sent) already. SMTP errors mark it
    failed and are raised again."""
    now = timezone.now()
    claimable = Q(status__in=[ReportDelivery.Status.PENDING, ReportDelivery.Status.FAILED]) | Q(
        status=ReportDelivery.Status.SENDING, updated_at__lt=now - SENDING_STALE_AFTER
    )
    claimed = (
        ReportDelivery.objects.filter(claimable, pk=delivery_id).update(
            status=ReportDelivery.Status.SENDING, attempts=F("attempts") + 1, updated_at=now
        )
        == 1
    )
    delivery = ReportDelivery.objects.select_related("scan__account", "workspace").get(
        pk=delivery_id
    )
    if not claimed:
        logger.info("report %s is already %s; not sending again", delivery.pk, delivery.status)
        return delivery
    if not _still_subscribed(delivery):
        _finish(delivery, status=ReportDelivery.Status.FAILED, error="Unsubscribed before sent.")
        return delivery
    message = delivery_message(delivery)
    try:
        message.send()
    except SEND_ERRORS as error:
        logger.warning("report %s to %s failed: %s", delivery.pk, delivery.email, error)
        permanent = is_permanent(error)
        _finish(
            delivery,
            status=ReportDelivery.Status.FAILED,
            error=("Refused for good: " if permanent else "") + f"{type(error).__name__}: {error}",
            subject=message.subject,
        )
        if permanent:
            return delivery  # retrying a 5xx answer would only be refused again
        raise
    _finish(delivery, status=ReportDelivery.Status.SENT, subject=message.subject)
    logger.info("report %s sent to %s", delivery.pk, delivery.email)
    return delivery


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (unknown mailbox, sender refused): the relay works, the message never will."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def delivery_give_up(*, delivery_id: int, error: str) -> None:
    ReportDelivery.objects.filter(pk=delivery_id).exclude(status=ReportDelivery.Status.SENT).update(
        status=ReportDelivery.Status.FAILED,
        last_error=f"Gave up after the last retry: {error}",
        updated_at=timezone.now(),
    )


def delivery_message(delivery: ReportDelivery) -> EmailMultiAlternatives:
    # The same Message-ID on every attempt, so a mail client folds a duplicate.
    message_id = f"<report-{delivery.pk}@{urlparse(settings.ADVISOR_SITE_URL).hostname}>"
    if delivery.kind == ReportDelivery.Kind.SCAN:
        return scan_report_message(
            build_scan_report(delivery.scan), to=delivery.email, message_id=message_id
        )
    week = Week.of_period(delivery.period)
    return digest_message(
        build_workspace_digest(delivery.workspace, week), to=delivery.email, message_id=message_id
    )


def _get_or_create(*, defaults: dict, **key) -> ReportDelivery:
    try:
        with transaction.atomic():
            return ReportDelivery.objects.get_or_create(**key, defaults=defaults)[0]
    except IntegrityError:  # a concurrent copy of the task created it first
        return ReportDelivery.objects.get(**key)


def _unsent(deliveries):
    return deliveries.exclude(status=ReportDelivery.Status.SENT).order_by("pk")


def _still_subscribed(delivery: ReportDelivery) -> bool:
    recipients = ReportRecipient.objects.filter(email=delivery.email, unsubscribed_at__isnull=True)
    if delivery.account_id is not None:
        return recipients.filter(account_id=delivery.account_id).exists()
    return recipients.filter(account__workspace_id=delivery.workspace_id).exists()


def _finish(delivery: ReportDelivery, *, status: str, error: str = "", subject: str = "") -> None:
    now = timezone.now()
    delivery.status, delivery.last_error, delivery.updated_at = status, error, now
    fields = ["status", "last_error", "updated_at"]
    if subject:
        delivery.subject = subject
        fields.append("subject")
    if status == ReportDelivery.Status.SENT:
        delivery.sent_at = now
        fields.append("sent_at")
    delivery.save(update_fields=fields)

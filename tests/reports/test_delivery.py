"""Reports go out once per scan and address, through a real SMTP server on loopback; a relay
that is down or refusing leaves the delivery failed (and retried), the scan untouched."""

import pytest
from django.urls import reverse

from accounts.models import ReportRecipient
from advisor.models import ReportDelivery, Scan
from advisor.reports.tasks import send_report_task, send_scan_reports_task
from advisor.services.recipients import recipients_set
from advisor.services.report_delivery import delivery_send, scan_report_deliveries
from tests.fixtures.emulator import free_port
from tests.reports.builders import connected_account, estate_v1, scan_inline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def scanned(aws):
    account, session = connected_account(aws)
    estate_v1(session, aws)
    scan = scan_inline(account, trigger=Scan.Trigger.SCHEDULED)
    recipients_set(account=account, emails=["ops@example.com", "dev@example.com"])
    return account, scan


def test_one_email_per_recipient_even_when_the_task_runs_again(scanned, smtp_settings):
    _, scan = scanned

    send_scan_reports_task.apply(args=[scan.pk])
    send_scan_reports_task.apply(args=[scan.pk])  # redelivered
    for delivery in ReportDelivery.objects.all():
        send_report_task.apply(args=[delivery.pk])  # retried after it succeeded

    received = smtp_settings.sink.received
    assert sorted(r.rcpt_tos[0] for r in received) == ["dev@example.com", "ops@example.com"]
    deliveries = ReportDelivery.objects.filter(scan=scan)
    assert {(d.status, d.attempts) for d in deliveries} == {("sent", 1)}
    # Django folds an encoded subject onto a continuation line; the parsed value keeps its space.
    assert {d.subject for d in deliveries} == {received[0].message["Subject"].strip()}


def test_unsubscribed_and_failed_scans_get_no_report(scanned, smtp_settings):
    account, scan = scanned
    ReportRecipient.objects.filter(email="dev@example.com").update(unsubscribed_at=scan.created_at)
    failed = Scan.objects.create(account=account, status=Scan.Status.FAILED)

    assert [d.email for d in scan_report_deliveries(scan_id=scan.pk)] == ["ops@example.com"]
    assert scan_report_deliveries(scan_id=failed.pk) == []


def test_smtp_down_marks_the_delivery_failed_and_keeps_the_scan(scanned, settings):
    account, scan = scanned
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    findings_before = account.findings.count()
    (delivery, _) = scan_report_deliveries(scan_id=scan.pk)

    with pytest.raises(ConnectionRefusedError):
        delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.FAILED
    assert delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error
    scan.refresh_from_db()
    assert scan.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL)
    assert account.findings.count() == findings_before


def test_refused_then_accepted_sends_once(scanned, smtp_settings):
    _, scan = scanned
    smtp_settings.sink.refuse = True
    delivery = scan_report_deliveries(scan_id=scan.pk)[0]

    with pytest.raises(Exception, match="451"):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "451" in delivery.last_error

    smtp_settings.sink.refuse = False
    delivery_send(delivery_id=delivery.pk)  # the retry
    delivery_send(delivery_id=delivery.pk)  # and a duplicate of it

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(smtp_settings.sink.received) == 1


def test_retries_run_out_and_the_failure_shows_on_the_account_page(scanned, smtp_settings, client):
    account, scan = scanned
    smtp_settings.sink.refuse = True
    delivery = scan_report_deliveries(scan_id=scan.pk)[0]

    # Eagerly, as a worker would run it with every retry (countdowns not waited for).
    result = send_report_task.apply(args=[delivery.pk])

    assert result.failed()
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == 1 + send_report_task.max_retries
    assert delivery.last_error.startswith("Gave up after the last retry")
    client.force_login(account.workspace.memberships.get().user)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "delivery-failed" in page and "451" in page


def test_a_permanent_refusal_is_not_retried(scanned, smtp_settings):
    _, scan = scanned
    delivery = scan_report_deliveries(scan_id=scan.pk)[0]

    async def refuse_mailbox(server, session, envelope, address, options):
        return "550 5.1.1 No such mailbox"

    smtp_settings.sink.handle_RCPT = refuse_mailbox

    result = send_report_task.apply(args=[delivery.pk])

    assert result.successful()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error.startswith("Refused for good: SMTPRecipientsRefused")

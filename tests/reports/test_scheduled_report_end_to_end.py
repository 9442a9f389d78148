"""End to end with real parts: beat's scheduler finds the account's schedule due and sends the
task, a `celery worker` on Redis scans the emulator account, and the report arrives at a real
SMTP server on loopback, one email per recipient, parsed here as a mail client would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from accounts.models import ReportRecipient
from advisor.models import Finding, ReportDelivery, Scan
from advisor.reports.scan_report import build_scan_report
from advisor.reports.tasks import send_report_task, send_scan_reports_task
from advisor.services.schedules import periodic_task_name, schedule_update
from config.celery import app as celery_app
from tests.reports.builders import connected_account, estate_v1, estate_v2, name_of, scan_inline

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECIPIENTS = ["dev@example.com", "ops@example.com"]


def wait_until(condition, *, timeout: float = 120.0, log=None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{log.read_text() if log else ''}")
        time.sleep(0.3)


def schedule_hourly(account) -> None:
    schedule_update(
        account=account,
        frequency="hourly",
        time_of_day=dt.time(0, 7),
        day_of_week=1,
        timezone_name="Europe/Paris",
        recipients=RECIPIENTS,
    )


def beat_tick() -> None:
    """What celery beat does every tick: read the PeriodicTasks, send those that are due."""
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    scheduler.tick()


def make_due(account) -> None:
    # Last run two hours ago: the hourly schedule has come round since.
    PeriodicTask.objects.filter(name=periodic_task_name(account.pk)).update(
        last_run_at=timezone.now() - dt.timedelta(hours=2)
    )


def worker_env(smtp_server) -> dict:
    return {
        **smtp_server.worker_env(),
        "ADVISOR_SITE_URL": "http://testserver",
        "ADVISOR_SCHEDULE_JITTER_SECONDS": 1,  # spread, but briefly
        "ADVISOR_REPORT_RETRY_BACKOFF_SECONDS": 1,
        "ADVISOR_SCAN_RATE_LIMIT": "false",
    }


def task_successes(log, name: str) -> int:
    return len(re.findall(rf"Task {re.escape(name)}\[[^\]]+\] succeeded", log.read_text()))


def test_due_schedule_scans_and_mails_one_report_per_recipient(
    aws, smtp_server, start_celery_worker
):
    # Given an account scanned once, on an hourly schedule with two recipients,
    account, session = connected_account(aws)
    estate_v1(session, aws)
    first = scan_inline(account)
    schedule_hourly(account)
    log = start_celery_worker(**worker_env(smtp_server))
    # and its estate changed since: legacy-billing upgraded, reports-cron added on python3.9.
    estate_v2(session, aws)

    # When beat finds the schedule due,
    make_due(account)
    beat_tick()

    # then a scheduled scan runs in the worker and each recipient gets exactly one email.
    received = smtp_server.sink.wait_for(2, timeout=180)
    scan = account.scans.get(trigger=Scan.Trigger.SCHEDULED)
    assert scan.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL), scan.error
    assert scan.pk > first.pk
    assert sorted(r.rcpt_tos[0] for r in received) == RECIPIENTS
    assert "advisor.scheduled_scan" in log.read_text()

    message = received[0].message
    report = build_scan_report(scan)
    subject = message["Subject"].strip()
    assert subject == report.subject
    assert re.fullmatch(r"\d+ new high findings?, .*1 resolved — acme-prod", subject), subject
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<report-")

    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    new_section = text.split("NEW FINDINGS")[1].split("RESOLVED")[0]
    resolved_section = text.split("RESOLVED")[1].split("TOP OPEN RISKS")[0]
    assert "Deprecated" in new_section or "deprecated" in new_section.lower()
    assert "reports-cron" in new_section and "legacy-etl" not in new_section
    assert "legacy-billing" in resolved_section and "RESOLVED (1)" in text
    assert 'data-section="new"' in html and "reports-cron" in html.split('id="resolved"')[0]
    assert "legacy-billing" in html.split('id="resolved"')[1].split("Top open risks")[0]
    assert f"http://testserver/scans/{scan.pk}/" in html and f"/scans/{scan.pk}/" in text

    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename() == f"open-findings-acme-prod-scan-{scan.pk}.csv"
    rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
    open_findings = Finding.objects.filter(account=account, status=Finding.Status.OPEN)
    assert {(r["rule_id"], r["resource_arn"]) for r in rows} == set(
        open_findings.values_list("rule_id", "resource_arn")
    )
    deprecated = {name_of(r["resource_arn"]) for r in rows if r["rule_id"] == "deprecated-runtime"}
    assert deprecated == {"legacy-etl", "reports-cron"}

    # The unsubscribe link works with one click, no login.
    recipient = received[0].rcpt_tos[0]
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link in text
    response = Client(enforce_csrf_checks=True).post(
        urlparse(link).path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert ReportRecipient.objects.get(account=account, email=recipient).unsubscribed_at

    # A retried or redelivered report task sends nothing more.
    deliveries = list(ReportDelivery.objects.filter(scan=scan))
    assert {(d.status, d.attempts) for d in deliveries} == {("sent", 1)}
    sends_before = task_successes(log, "advisor.send_report")
    send_scan_reports_task.delay(scan.pk)
    for delivery in deliveries:
        send_report_task.delay(delivery.pk)
    wait_until(
        lambda: (
            task_successes(log, "advisor.send_report") >= sends_before + 2
            and task_successes(log, "advisor.send_scan_reports") >= 2
        ),
        log=log,
        what="the retried report tasks",
    )
    assert len(smtp_server.sink.received) == 2


def test_smtp_refusing_marks_the_report_failed_keeps_the_scan_and_retries(
    aws, smtp_server, start_celery_worker, client
):
    account, session = connected_account(aws)
    estate_v1(session, aws)
    schedule_hourly(account)
    smtp_server.sink.refuse = True
    log = start_celery_worker(**worker_env(smtp_server))

    make_due(account)
    beat_tick()

    # The relay refuses: every delivery is marked failed with the relay's answer.
    def all_failed() -> bool:
        deliveries = ReportDelivery.objects.filter(account=account)
        return deliveries.count() == 2 and all(d.status == "failed" for d in deliveries)

    wait_until(all_failed, timeout=180, log=log, what="failed deliveries")
    scan = account.scans.get(trigger=Scan.Trigger.SCHEDULED)
    assert scan.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL), scan.error
    assert Finding.objects.filter(account=account, rule_id="deprecated-runtime").count() == 2
    assert all("451" in d.last_error for d in ReportDelivery.objects.filter(account=account))
    client.force_login(account.workspace.memberships.get().user)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "delivery-failed" in page and "451" in page

    # The relay comes back: the retries with backoff deliver each report once.
    smtp_server.sink.refuse = False
    received = smtp_server.sink.wait_for(2, timeout=120)
    wait_until(
        lambda: all(d.status == "sent" for d in ReportDelivery.objects.filter(account=account)),
        log=log,
        what="sent deliveries",
    )
    assert sorted(r.rcpt_tos[0] for r in received) == RECIPIENTS
    assert all(d.attempts >= 2 for d in ReportDelivery.objects.filter(account=account))
    time.sleep(2)
    assert len(smtp_server.sink.received) == 2

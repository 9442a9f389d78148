"""The weekly digest: one per address per workspace and week, whatever the retries."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from advisor.models import ReportDelivery
from advisor.periodic.tasks import send_weekly_digests_task
from advisor.reports.digest import Week
from advisor.services.recipients import recipients_set
from tests.factories import make_account, make_workspace
from tests.reports.builders import connected_account, estate_v1, scan_inline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def test_week_before_is_the_last_full_iso_week():
    week = Week.before(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC))  # a Wednesday
    assert week.start == dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    assert week.period == "2026-W47"
    assert Week.of_period("2026-W47") == week


def test_digest_goes_once_to_each_address_of_the_workspace(aws, monkeypatch):
    account, session = connected_account(aws)
    estate_v1(session, aws)
    scan_inline(account)
    staging = make_account(account.workspace, name="staging")
    recipients_set(account=account, emails=["ops@example.com", "dev@example.com"])
    recipients_set(account=staging, emails=["ops@example.com"])
    recipients_set(account=make_account(make_workspace()), emails=["else@example.com"])
    # The findings were first seen "last week".
    next_week = timezone.now() + dt.timedelta(days=7)
    monkeypatch.setattr("advisor.periodic.tasks.timezone.now", lambda: next_week)

    send_weekly_digests_task.apply()
    send_weekly_digests_task.apply()  # beat fired twice, or the task was redelivered

    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["dev@example.com", "else@example.com", "ops@example.com"]
    digest = by_address["ops@example.com"]
    assert digest.subject.endswith(f"— {account.workspace.name}")
    assert "acme-prod" in digest.body and "staging" in digest.body
    assert "List-Unsubscribe" in digest.extra_headers
    assert digest.alternatives[0].mimetype == "text/html"
    assert ReportDelivery.objects.filter(kind="digest", status="sent").count() == 3

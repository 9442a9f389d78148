"""One format for moments, with its time zone, on every list and detail page; unset limits read
as words, never "None"."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse

from advisor.models import Scan
from tests.dashboard.builders import make_scan

pytestmark = pytest.mark.django_db

MOMENT = r"\d{4}-\d\d-\d\d \d\d:\d\d [A-Z]{3,4}"


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_when_writes_the_moment_with_its_time_zone():
    moment = dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.UTC)
    assert render("{{ m|when }}", m=moment) == "2026-12-02 14:05 UTC"
    assert render("{{ m|when }}", m=moment.date()) == "2026-12-02"
    assert render('{{ m|when:"not yet" }}', m=None) == "not yet"
    with override_settings(TIME_ZONE="Europe/Paris"):
        assert render("{{ m|when }}", m=moment) == "2026-12-02 15:05 CET"


def test_lists_and_detail_pages_write_a_scan_the_same_way(client, world):
    scan = world["my_scan"]
    Scan.objects.filter(pk=scan.pk).update(
        created_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        started_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 12, 1, 9, 31, tzinfo=dt.UTC),
    )
    client.force_login(world["alice"])
    listed = client.get(reverse("advisor:scan-list")).content.decode()
    detail = client.get(reverse("advisor:scan-detail", args=[scan.pk])).content.decode()
    account = client.get(reverse("accounts:detail", args=[scan.account_id])).content.decode()
    assert "2026-12-01 09:30 UTC" in listed
    assert "2026-12-01 09:30 UTC" in detail and "2026-12-01 09:31 UTC" in detail
    assert "2026-12-01 09:30 UTC" in account
    findings = client.get(reverse("advisor:finding-list")).content.decode()
    assert re.search(rf"First seen {MOMENT}, last {MOMENT}", findings)


def test_unset_values_read_as_words_not_none(client, world):
    make_scan(world["my_account"], status=Scan.Status.QUEUED)  # not started yet
    client.force_login(world["alice"])
    pages = [
        reverse("advisor:rule-list"),
        reverse("advisor:function-detail", args=[world["orders"].pk]),
        reverse("accounts:detail", args=[world["my_account"].pk]),
        reverse("advisor:scan-detail", args=[Scan.objects.filter(status="queued").get().pk]),
    ]
    for url in pages:
        text = re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        assert not re.search(r"\bNone\b", text), url
    function = client.get(pages[1]).content.decode()
    assert "not set (no limit of its own" in function

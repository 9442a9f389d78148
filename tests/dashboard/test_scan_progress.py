"""A running scan's page polls its progress with htmx; a finished one stops polling."""

from django.urls import reverse

from advisor.models import Scan, ScanRegion
from tests.dashboard.builders import make_scan


def test_running_scan_polls_and_the_fragment_reports_regions(client, world):
    scan = make_scan(world["my_account"], status=Scan.Status.RUNNING)
    ScanRegion.objects.create(scan=scan, region="us-east-1", status="done", api_calls={"a": 3})
    ScanRegion.objects.create(scan=scan, region="eu-west-1", status="running")
    client.force_login(world["vera"])
    url = reverse("advisor:scan-detail", args=[scan.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<noscript>" in page
    fragment = client.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body and "1 of 2 done" in body and "HX-Refresh" not in fragment


def test_finished_scan_stops_polling_and_reloads_once(client, world):
    client.force_login(world["alice"])
    url = reverse("advisor:scan-detail", args=[world["my_scan"].pk])
    assert "hx-trigger" not in client.get(url).content.decode()
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_another_workspaces_scan_is_not_found_when_polled(client, world):
    other = Scan.objects.filter(account=world["their_account"]).first()
    client.force_login(world["alice"])
    url = reverse("advisor:scan-detail", args=[other.pk])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404

"""Every dashboard page requires login, shows only the user's workspaces, and 404s on other
workspaces' objects; viewers cannot suppress."""

import pytest
from django.test import Client
from django.urls import reverse

from advisor.models import Suppression

LIST_URLS = ["/functions/", "/findings/", "/planner/", "/rules/"]


@pytest.mark.parametrize(
    "url", [*LIST_URLS, "/functions/1/", "/findings/?format=csv", "/findings/?format=json"]
)
def test_anonymous_users_are_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_suppress_is_sent_to_login(client, world):
    response = client.post(reverse("advisor:finding-suppress"), {"finding": [1], "reason": "x"})
    assert response.status_code == 302
    assert not Suppression.objects.exists()


def test_another_workspaces_function_is_not_found(client, world):
    client.force_login(world["alice"])
    url = reverse("advisor:function-detail", args=[world["secret"].pk])
    assert client.get(url).status_code == 404


def test_lists_and_exports_hold_only_own_workspaces(client, world):
    client.force_login(world["alice"])
    for url in [
        "/functions/",
        "/findings/",
        "/findings/?status=all",
        "/findings/?format=json",
        "/rules/",
        "/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert "their-secret-fn" not in body, url
        assert "other-prod" not in body, url
    csv_body = b"".join(client.get("/findings/?format=csv").streaming_content).decode()
    assert "their-secret-fn" not in csv_body and "orders-api" in csv_body


def test_suppressing_another_workspaces_finding_is_not_found(client, world):
    client.force_login(world["alice"])
    response = client.post(
        reverse("advisor:finding-suppress"),
        {"finding": [world["their_finding"].pk], "reason": "not mine"},
    )
    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_viewer_can_read_but_not_suppress(client, world):
    client.force_login(world["vera"])
    for url in [*LIST_URLS, reverse("advisor:function-detail", args=[world["orders"].pk])]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("advisor:finding-suppress"),
        {"finding": [world["my_finding"].pk], "reason": "accepted risk"},
    )
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_viewer_sees_no_suppress_controls(client, world):
    client.force_login(world["vera"])
    body = client.get("/findings/").content.decode()
    assert 'name="finding"' not in body


def test_suppress_requires_post_and_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    url = reverse("advisor:finding-suppress")
    assert client.get(url).status_code == 405
    response = client.post(url, {"finding": [world["my_finding"].pk], "reason": "accepted"})
    assert response.status_code == 403
    assert not Suppression.objects.exists()

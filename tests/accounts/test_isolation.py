"""Every page requires login; other workspaces' objects are 404; viewers change nothing (403)."""

import pytest
from django.test import Client
from django.urls import reverse

from advisor.models import Scan
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    alice, bob, viewer = make_user("alice"), make_user("bob"), make_user("vera")
    mine = make_workspace(members={alice: "owner", viewer: "viewer"})
    theirs = make_workspace(members={bob: "owner"})
    my_account = make_account(mine)
    their_account = make_account(theirs)
    their_scan = Scan.objects.create(account=their_account, regions=["us-east-1"])
    return {
        "alice": alice,
        "bob": bob,
        "viewer": viewer,
        "my_account": my_account,
        "their_account": their_account,
        "their_scan": their_scan,
    }


def page_urls(world):
    a, s = world["their_account"], world["their_scan"]
    return [
        reverse("accounts:detail", args=[a.pk]),
        reverse("accounts:edit", args=[a.pk]),
        reverse("advisor:scan-detail", args=[s.pk]),
    ]


@pytest.mark.parametrize(
    "url",
    ["/", "/aws-accounts/", "/aws-accounts/connect/", "/aws-accounts/1/", "/scans/1/"],
)
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_other_workspaces_objects_are_not_found(client, world):
    client.force_login(world["alice"])
    for url in page_urls(world):
        assert client.get(url).status_code == 404, url
    scan_url = reverse("advisor:scan-now", args=[world["their_account"].pk])
    assert client.post(scan_url).status_code == 404
    assert (
        not Scan.objects.filter(account=world["their_account"])
        .exclude(pk=world["their_scan"].pk)
        .exists()
    )


def test_overview_and_list_show_only_own_accounts(client, world):
    client.force_login(world["alice"])
    for url in ["/", "/aws-accounts/"]:
        body = client.get(url).content.decode()
        assert world["my_account"].name in body
        assert world["their_account"].name not in body


def test_viewer_cannot_scan_edit_or_connect(client, world):
    client.force_login(world["viewer"])
    account = world["my_account"]
    assert client.get(reverse("accounts:detail", args=[account.pk])).status_code == 200
    assert client.post(reverse("advisor:scan-now", args=[account.pk])).status_code == 403
    assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 403
    assert client.get(reverse("accounts:connect")).status_code == 403
    assert not Scan.objects.filter(account=account).exists()


def test_scan_now_requires_post(client, world):
    client.force_login(world["alice"])
    assert client.get(reverse("advisor:scan-now", args=[world["my_account"].pk])).status_code == 405


def test_csrf_is_enforced_on_scan_now(world):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world["alice"])
    response = csrf_client.post(reverse("advisor:scan-now", args=[world["my_account"].pk]))
    assert response.status_code == 403
    assert not Scan.objects.filter(account=world["my_account"]).exists()

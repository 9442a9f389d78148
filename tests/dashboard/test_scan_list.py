"""The scans page: every scan of the user's accounts, newest first, scoped and paginated."""

import pytest
from django.urls import reverse

from advisor.models import Scan
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    user = make_user()
    mine = make_workspace(members={user: "viewer"})
    prod, dev = make_account(mine, name="acme-prod"), make_account(mine, name="acme-dev")
    theirs = make_account(make_workspace(), name="someone-else")
    return user, prod, dev, theirs


def scans_on_page(client, **query):
    response = client.get(reverse("advisor:scan-list"), query)
    assert response.status_code == 200
    return response, [scan.pk for scan in response.context["page"].object_list]


def test_lists_own_scans_newest_first_and_never_others(client, accounts):
    user, prod, dev, theirs = accounts
    older = Scan.objects.create(account=prod, regions=["us-east-1"], status="succeeded")
    newer = Scan.objects.create(account=dev, regions=["us-east-1"], status="failed", error="boom")
    hidden = Scan.objects.create(account=theirs, regions=["us-east-1"], status="succeeded")
    client.force_login(user)

    response, pks = scans_on_page(client)

    assert pks == [newer.pk, older.pk]
    body = response.content.decode()
    assert "someone-else" not in body
    assert f'data-scan="{hidden.pk}"' not in body
    assert "boom" in body


def test_account_filter_and_pagination(client, accounts, django_assert_max_num_queries):
    user, prod, dev, _ = accounts
    for _ in range(55):
        Scan.objects.create(account=prod, regions=["us-east-1"], status="succeeded")
    Scan.objects.create(account=dev, regions=["us-east-1"], status="succeeded")
    client.force_login(user)

    with django_assert_max_num_queries(8):
        _, first = scans_on_page(client, account=prod.pk)
    _, second = scans_on_page(client, account=prod.pk, page=2)

    assert len(first) == 50 and len(second) == 5
    assert set(first).isdisjoint(second)
    assert all(Scan.objects.get(pk=pk).account == prod for pk in first + second)


def test_scans_page_requires_login(client):
    response = client.get(reverse("advisor:scan-list"))
    assert response.status_code == 302

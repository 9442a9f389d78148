"""The connected-accounts page, a page at a time: 50 accounts a page in name order, page links
that keep the rest of the query, a bad ``?page=`` shown as the nearest page, and as many queries
for hundreds of accounts as for a few."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AwsAccount, Organization
from accounts.views import ACCOUNTS_PER_PAGE
from tests.factories import make_workspace

pytestmark = pytest.mark.django_db


def add_accounts(workspace, count: int, *, start: int = 0, organization=None) -> None:
    AwsAccount.objects.bulk_create(
        AwsAccount(
            workspace=workspace,
            name=f"acct-{n:04d}",
            account_id=f"{300000000000 + n}",
            role_arn=f"arn:aws:iam::{300000000000 + n}:role/LambdaAdvisorReadOnly",
            regions=["us-east-1"],
            organization=organization,
            org_state="ACTIVE" if organization else "",
        )
        for n in range(start, start + count)
    )


def names_on(body: str) -> list[str]:
    return re.findall(r">(acct-\d{4})</a>", body)


def test_the_first_page_holds_fifty_accounts_in_name_order_and_links_the_next(owner):
    client, workspace, _ = owner
    add_accounts(workspace, 120)

    body = client.get(reverse("accounts:list")).content.decode()

    assert ACCOUNTS_PER_PAGE == 50
    assert names_on(body) == [f"acct-{n:04d}" for n in range(50)]
    assert "Page 1 of 3" in body and "120 accounts, 1 to 50 on this page." in body
    assert 'href="?page=2" rel="next"' in body and 'rel="prev"' not in body


def test_the_last_page_holds_the_rest(owner):
    client, workspace, _ = owner
    add_accounts(workspace, 120)

    body = client.get(reverse("accounts:list"), {"page": 3}).content.decode()

    assert names_on(body) == [f"acct-{n:04d}" for n in range(100, 120)]
    assert 'href="?page=2" rel="prev"' in body and 'rel="next"' not in body


def test_page_links_keep_the_other_query_parameters(owner):
    client, workspace, _ = owner
    add_accounts(workspace, 120)

    body = client.get(reverse("accounts:list"), {"sort": "name", "page": 2}).content.decode()

    assert 'href="?sort=name&amp;page=1" rel="prev"' in body
    assert 'href="?sort=name&amp;page=3" rel="next"' in body


@pytest.mark.parametrize(
    "page, shown",
    [("abc", 1), ("", 1), ("0", 3), ("-1", 3), ("999", 3), ("2.5", 1)],
)
def test_a_bad_page_shows_the_nearest_page(owner, page, shown):
    client, workspace, _ = owner
    add_accounts(workspace, 120)

    response = client.get(reverse("accounts:list"), {"page": page})

    assert response.status_code == 200
    assert f"Page {shown} of 3" in response.content.decode()


def test_one_page_of_accounts_shows_no_page_links(owner):
    client, workspace, _ = owner
    add_accounts(workspace, 3)

    body = client.get(reverse("accounts:list")).content.decode()

    assert names_on(body) == ["acct-0000", "acct-0001", "acct-0002"]
    assert 'class="pagination"' not in body and "on this page." not in body


def test_only_the_user_s_workspaces_are_counted(owner):
    client, workspace, _ = owner
    add_accounts(workspace, 10)
    add_accounts(make_workspace(), 60, start=500)  # someone else's

    body = client.get(reverse("accounts:list")).content.decode()

    assert names_on(body) == [f"acct-{n:04d}" for n in range(10)]
    assert 'class="pagination"' not in body


def queries_for(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:list"), {"page": 2}).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_accounts(owner):
    client, workspace, user = owner
    other = make_workspace(members={user: "viewer"})
    organization = Organization.objects.create(
        workspace=workspace, name="acme-org", role_arn="arn:aws:iam::123456789012:role/R"
    )
    add_accounts(workspace, 60, organization=organization)
    add_accounts(other, 30, start=1000)  # page 2: members of the organisation and the other's
    few = queries_for(client)

    add_accounts(workspace, 200, start=2000, organization=organization)
    add_accounts(other, 200, start=3000)
    body = client.get(reverse("accounts:list"), {"page": 2}).content.decode()

    assert queries_for(client) == few
    assert "acme-org" in body and other.name in body  # the organisation and workspace columns

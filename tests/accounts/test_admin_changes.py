"""Changes made in Django's admin follow the product's rules: they go into the workspace's
audit log as the product's own pages record them, and the admin's account form refuses an
endpoint URL the server does not allow, as the account pages do."""

import pytest
from django.test import override_settings

from accounts.models import AuditEvent, AwsAccount, Membership
from tests.admin_forms import form_as_shown
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def events(workspace) -> list[tuple]:
    return sorted(
        (e.action, e.target, e.actor_name, e.details)
        for e in AuditEvent.objects.filter(workspace=workspace)
    )


def membership_row(data: dict, user) -> str:
    """The inline form prefix (``memberships-N``) of ``user``'s membership on the page."""
    return next(
        key.removesuffix("-user")
        for key, value in data.items()
        if key.startswith("memberships-") and key.endswith("-user") and value == [str(user.pk)]
    )


def test_membership_changes_in_the_admin_go_into_the_audit_log(client, root):
    # given a workspace with an owner, a viewer and an admin, and a user outside it
    olive, vic, adam, newcomer = (make_user(n) for n in ("olive", "vic", "adam", "nora"))
    workspace = make_workspace(members={olive: "owner", vic: "viewer", adam: "admin"})
    url = f"/admin/accounts/workspace/{workspace.pk}/change/"
    data = form_as_shown(client, url)
    # when the admin makes the viewer an admin, removes the admin and adds the newcomer
    data[f"{membership_row(data, vic)}-role"] = ["admin"]
    data[f"{membership_row(data, adam)}-DELETE"] = ["on"]
    new = f"memberships-{data['memberships-TOTAL_FORMS'][0]}"
    data["memberships-TOTAL_FORMS"] = [str(int(data["memberships-TOTAL_FORMS"][0]) + 1)]
    data |= {f"{new}-user": [str(newcomer.pk)], f"{new}-role": ["viewer"]}
    response = client.post(url, data)
    # then it is saved, and the log says who did what to whom, and that it was the admin
    assert response.status_code == 302, response.content.decode()[:2000]
    assert dict(
        Membership.objects.filter(workspace=workspace).values_list("user__username", "role")
    ) == {"olive": "owner", "vic": "admin", "nora": "viewer"}
    assert events(workspace) == [
        ("member.joined", "nora", "root", {"role": "viewer", "via": "admin"}),
        ("member.removed", "adam", "root", {"role": "admin", "via": "admin"}),
        (
            "member.role_changed",
            "vic",
            "root",
            {"before": "viewer", "after": "admin", "via": "admin"},
        ),
    ]
    # and saving the page again unchanged adds nothing
    client.post(url, form_as_shown(client, url))
    assert len(events(workspace)) == 3


def test_a_workspace_created_in_the_admin_is_logged(client, root):
    response = client.post(
        "/admin/accounts/workspace/add/",
        {
            "name": "Platform",
            "slug": "platform",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    (event,) = AuditEvent.objects.filter(workspace__slug="platform")
    assert (event.action, event.actor_name, event.details) == (
        "workspace.created",
        "root",
        {"via": "admin"},
    )


def test_an_account_edited_in_the_admin_is_logged_with_what_changed(client, root):
    account = make_account(make_workspace(), name="payments")
    url = f"/admin/accounts/awsaccount/{account.pk}/change/"
    data = form_as_shown(client, url)
    data["name"] = ["payments-prod"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert events(account.workspace) == [
        ("account.edited", "payments-prod", "root", {"changed": "name", "via": "admin"})
    ]


def test_the_admin_refuses_an_endpoint_url_the_server_does_not_allow(client, root):
    # given an account edited in the admin while the server allows endpoint URLs (tests do)
    account = make_account(make_workspace(), name="payments")
    url = f"/admin/accounts/awsaccount/{account.pk}/change/"
    data = form_as_shown(client, url)
    data["endpoint_url"] = ["http://127.0.0.1:9/"]
    # when the server does not allow them (production's default)
    with override_settings(ADVISOR_ALLOW_ENDPOINT_URL=False):
        response = client.post(url, data)
        # then the form says why beside the field, and nothing is stored or logged
        assert response.status_code == 200
        assert "This server does not accept endpoint URLs" in response.content.decode()
        account.refresh_from_db()
        assert account.endpoint_url == ""
        assert events(account.workspace) == []
        # and cleared, the same form saves
        data["endpoint_url"] = [""]
        data["name"] = ["payments-prod"]
        assert client.post(url, data).status_code == 302
    assert AwsAccount.objects.get(pk=account.pk).name == "payments-prod"

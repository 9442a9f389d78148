"""Connecting an organisation through its pages, against the emulator: the reader role is tried
at once, members are listed with their state, the sync's role checks show, and only owners and
admins of the workspace act on it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, AwsAccount, Organization, PendingConnection
from advisor.services.organizations import organization_sync
from tests.factories import make_user, make_workspace
from tests.fixtures.organizations import MANAGEMENT_ACCOUNT, build_organization

pytestmark = pytest.mark.django_db


def shown_external_id(client) -> str:
    page = client.get(reverse("accounts:organization-connect"))
    return re.search(r'name="external_id" value="([^"]+)"', page.content.decode()).group(1)


def form_data(workspace, external_id, role_arn, aws, **changes):
    data = {
        "workspace": workspace.pk,
        "name": "acme-org",
        "role_arn": role_arn,
        "member_role_name": "LambdaAdvisorReadOnly",
        "regions": ["us-east-1"],
        "frequency": "daily",
        "time_of_day": "05:00",
        "day_of_week": "1",
        "timezone": "UTC",
        "endpoint_url": aws,
        "external_id": external_id,
    }
    data.update(changes)
    return data


def test_the_connect_page_offers_the_reader_role_the_stackset_and_the_single_template(owner):
    client, _, _ = owner
    page = client.get(reverse("accounts:organization-connect"))
    body = page.content.decode()
    external_id = shown_external_id(client)
    assert external_id.startswith("lambda-advisor-")
    assert "organizations:ListAccounts" in body and "AWS::CloudFormation::StackSet" in body
    assert "SERVICE_MANAGED" in body and "AWS::IAM::Role" in body
    assert body.count(external_id) >= 4
    assert "organizations:CreateAccount" not in body


def test_connecting_lists_the_members_and_the_sync_shows_roles_not_deployed(owner, aws):
    client, workspace, user = owner
    external_id = shown_external_id(client)
    emulated = build_organization(
        aws,
        external_id=external_id,
        with_role={"alpha": []},
        without_role=("beta",),
        suspended=("gamma",),
    )

    response = client.post(
        reverse("accounts:organization-connect"),
        form_data(workspace, external_id, emulated.reader_role_arn, aws),
    )

    organization = Organization.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organization-detail", args=[organization.pk])
    assert organization.external_id == external_id
    assert not PendingConnection.objects.filter(user=user).exists()  # used up
    event = AuditEvent.objects.get(workspace=workspace, action=AuditEvent.Action.ACCOUNT_CONNECTED)
    assert event.actor == user and event.target == "organisation acme-org"
    assert event.details["member_accounts"] == 4
    page = client.get(response["Location"]).content.decode()
    assert emulated.organization_id in page and MANAGEMENT_ACCOUNT in page
    gamma = AwsAccount.objects.get(account_id=emulated.members["gamma"])
    row = re.search(rf'data-account-id="{gamma.account_id}">(.*?)</tr>', page, re.S).group(1)
    assert "suspended" in row and "not scanned" in row
    assert page.count("newly joined") == 4

    organization_sync(organization=organization)

    page = client.get(response["Location"]).content.decode()
    beta = emulated.members["beta"]
    row = re.search(rf'data-account-id="{beta}">(.*?)</tr>', page, re.S).group(1)
    assert "role not deployed" in row and "AccessDenied" in row
    alpha = emulated.members["alpha"]
    row = re.search(rf'data-account-id="{alpha}">(.*?)</tr>', page, re.S).group(1)
    assert "role deployed" in row
    assert 'id="last-synced"' in page and "never" not in re.search(
        r'id="last-synced">(.*?)</dd>', page
    ).group(1)
    account_page = client.get(
        reverse("accounts:detail", args=[AwsAccount.objects.get(account_id=beta).pk])
    ).content.decode()
    assert "role not deployed" in account_page


def test_a_role_that_cannot_read_the_organisation_is_an_error_beside_its_field(owner, aws):
    client, workspace, _ = owner
    external_id = shown_external_id(client)
    emulated = build_organization(aws, external_id="another-workspace-s-id", with_role={})

    response = client.post(
        reverse("accounts:organization-connect"),
        form_data(workspace, external_id, emulated.reader_role_arn, aws),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "could not be read" in errors["role_arn"][0] and "AccessDenied" in errors["role_arn"][0]
    assert not Organization.objects.exists() and not AwsAccount.objects.exists()


def test_form_errors_sit_beside_their_fields(owner, aws):
    client, workspace, _ = owner
    external_id = shown_external_id(client)
    response = client.post(
        reverse("accounts:organization-connect"),
        form_data(
            workspace, external_id, "not-an-arn", aws, member_role_name="bad/name", regions=[]
        ),
    )
    errors = response.context["form"].errors
    assert "not an IAM role ARN" in errors["role_arn"][0]
    assert "IAM role name" in errors["member_role_name"][0]
    assert "regions" in errors


def test_viewers_and_other_workspaces_cannot_act_on_the_organisation(client, aws):
    owner, viewer, stranger = make_user(), make_user(), make_user()
    workspace = make_workspace(members={owner: "owner", viewer: "viewer"})
    organization = Organization.objects.create(
        workspace=workspace, name="acme-org", role_arn="arn:aws:iam::123456789012:role/R"
    )
    client.force_login(viewer)
    assert client.get(reverse("accounts:organization-connect")).status_code == 403
    detail = reverse("accounts:organization-detail", args=[organization.pk])
    assert client.get(detail).status_code == 200
    for name in ("organization-sync", "organization-delete"):
        assert client.post(reverse(f"accounts:{name}", args=[organization.pk])).status_code == 403
    assert (
        client.get(reverse("accounts:organization-schedule", args=[organization.pk])).status_code
        == 403
    )
    client.force_login(stranger)
    assert client.get(detail).status_code == 404
    assert (
        client.post(reverse("accounts:organization-sync", args=[organization.pk])).status_code
        == 404
    )
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_the_account_list_shows_organisations_and_a_connect_button(owner):
    client, workspace, _ = owner
    Organization.objects.create(
        workspace=workspace, name="acme-org", role_arn="arn:aws:iam::123456789012:role/R"
    )
    page = client.get(reverse("accounts:list")).content.decode()
    assert "acme-org" in page and reverse("accounts:organization-connect") in page


def test_the_schedule_page_sets_every_member_s_schedule(owner):
    client, workspace, _ = owner
    organization = Organization.objects.create(
        workspace=workspace, name="acme-org", role_arn="arn:aws:iam::123456789012:role/R"
    )
    member = AwsAccount.objects.create(
        workspace=workspace,
        name="m1",
        account_id="111122223333",
        role_arn="arn:aws:iam::111122223333:role/LambdaAdvisorReadOnly",
        external_id=organization.external_id,
        organization=organization,
        org_state="ACTIVE",
        regions=["us-east-1"],
    )
    response = client.post(
        reverse("accounts:organization-schedule", args=[organization.pk]),
        {"frequency": "weekly", "time_of_day": "07:15", "day_of_week": "2", "timezone": "UTC"},
    )
    assert response.status_code == 302
    member.schedule.refresh_from_db()
    assert (member.schedule.frequency, member.schedule.day_of_week) == ("weekly", 2)
    bad = client.post(
        reverse("accounts:organization-schedule", args=[organization.pk]),
        {
            "frequency": "weekly",
            "time_of_day": "25:00",
            "day_of_week": "9",
            "timezone": "Mars/Base",
        },
    )
    assert set(bad.context["form"].errors) == {"time_of_day", "day_of_week", "timezone"}


def test_sync_now_queues_a_sync(owner):
    client, workspace, _ = owner
    organization = Organization.objects.create(
        workspace=workspace, name="acme-org", role_arn="arn:aws:iam::123456789012:role/R"
    )
    response = client.post(
        reverse("accounts:organization-sync", args=[organization.pk]), follow=True
    )
    assert "sync of acme-org is queued" in response.content.decode()


def test_the_page_shows_the_last_sync_error_beside_the_last_success(owner):
    client, workspace, _ = owner
    organization = Organization.objects.create(
        workspace=workspace,
        name="acme-org",
        role_arn="arn:aws:iam::123456789012:role/R",
        last_sync_error="the account is not in an organisation (AWSOrganizationsNotInUseException)",
    )
    page = client.get(reverse("accounts:organization-detail", args=[organization.pk]))
    body = page.content.decode()
    error = re.search(r'id="last-sync-error" role="alert">(.*?)</span>', body, re.S).group(1)
    assert "AWSOrganizationsNotInUseException" in error
    assert re.search(r'id="last-synced">never</dd>', body)


def test_editing_the_organisation_carries_its_settings_to_every_member(owner):
    client, workspace, user = owner
    organization = Organization.objects.create(
        workspace=workspace,
        name="acme-org",
        role_arn="arn:aws:iam::123456789012:role/R",
        regions=["us-east-1"],
    )
    Organization.objects.create(
        workspace=workspace, name="other-org", role_arn="arn:aws:iam::123456789012:role/R"
    )
    member = AwsAccount.objects.create(
        workspace=workspace,
        name="m1",
        account_id="111122223333",
        role_arn="arn:aws:iam::111122223333:role/LambdaAdvisorReadOnly",
        external_id=organization.external_id,
        organization=organization,
        org_state="ACTIVE",
        regions=["us-east-1"],
    )
    url = reverse("accounts:organization-edit", args=[organization.pk])
    data = {
        "name": "acme-org",
        "role_arn": "arn:aws:iam::123456789012:role/Reader2",
        "member_role_name": "ScanRole",
        "regions": ["eu-west-1", "us-east-1"],
    }
    clash = client.post(url, {**data, "name": "other-org"})
    assert "already has an organisation" in clash.context["form"].errors["name"][0]

    response = client.post(url, data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role_arn == "arn:aws:iam::111122223333:role/ScanRole"
    assert member.regions == ["eu-west-1", "us-east-1"]
    organization.refresh_from_db()
    assert organization.role_arn.endswith("/Reader2")
    assert AuditEvent.objects.filter(
        workspace=workspace, action=AuditEvent.Action.ACCOUNT_EDITED, actor=user
    ).exists()


def test_viewers_cannot_edit_the_organisation(client):
    viewer = make_user()
    workspace = make_workspace(members={viewer: "viewer"})
    organization = Organization.objects.create(
        workspace=workspace, name="acme-org", role_arn="arn:aws:iam::123456789012:role/R"
    )
    client.force_login(viewer)
    url = reverse("accounts:organization-edit", args=[organization.pk])
    assert client.get(url).status_code == 403


def test_a_server_without_endpoint_urls_offers_none_and_lets_a_stored_one_be_cleared(
    owner, settings
):
    client, workspace, _ = owner
    settings.ADVISOR_ALLOW_ENDPOINT_URL = False
    assert (
        'name="endpoint_url"'
        not in client.get(reverse("accounts:organization-connect")).content.decode()
    )
    organization = Organization.objects.create(
        workspace=workspace,
        name="acme-org",
        role_arn="arn:aws:iam::123456789012:role/R",
        regions=["us-east-1"],
        endpoint_url="http://127.0.0.1:5055",
    )
    url = reverse("accounts:organization-edit", args=[organization.pk])
    page = client.get(url).content.decode()
    assert 'name="endpoint_url"' in page and "clear this field" in page
    data = {
        "name": "acme-org",
        "role_arn": "arn:aws:iam::123456789012:role/R",
        "member_role_name": "LambdaAdvisorReadOnly",
        "regions": ["us-east-1"],
    }

    kept = client.post(url, {**data, "endpoint_url": "http://127.0.0.1:5056"})

    assert (
        "clear the field to save the organisation" in kept.context["form"].errors["endpoint_url"][0]
    )
    organization.refresh_from_db()
    assert organization.endpoint_url == "http://127.0.0.1:5055"
    assert client.post(url, {**data, "endpoint_url": ""}).status_code == 302
    organization.refresh_from_db()
    assert organization.endpoint_url == ""

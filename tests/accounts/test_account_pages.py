"""Connecting an account: validation next to the field, ExternalId made by the server and kept
until the account is saved with it."""

import importlib
import re
import warnings

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import AwsAccount, Membership, PendingConnection
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import reader_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    user = make_user()
    workspace = make_workspace(members={user: "owner"})
    client.force_login(user)
    return client, workspace


def connect_form(client):
    """The connect page and the ExternalId it shows (in a hidden field, sent back with the form)."""
    page = client.get(reverse("accounts:connect"))
    shown = re.search(r'name="external_id" value="([^"]+)"', page.content.decode())
    return page, shown.group(1)


def valid_data(workspace, external_id, **changes):
    data = {
        "workspace": workspace.pk,
        "name": "acme-prod",
        "account_id": "123456789012",
        "role_arn": "arn:aws:iam::123456789012:role/LambdaAdvisorReadOnly",
        "regions": ["us-east-1", "eu-west-1"],
        "enabled": "on",
        "external_id": external_id,
    }
    data.update(changes)
    return data


def test_connect_page_shows_policies_with_the_external_id(owner_client):
    client, _ = owner_client
    page, external_id = connect_form(client)
    body = page.content.decode()
    assert external_id.startswith("lambda-advisor-") and len(external_id) > 30
    assert body.count(external_id) >= 3  # shown, in the trust policy, in the template
    assert "lambda:ListFunctions" in body
    assert "AWS::IAM::Role" in body
    assert "lambda:UpdateFunctionConfiguration" not in body  # read-only


def test_connect_saves_the_account_with_the_shown_external_id(owner_client):
    client, workspace = owner_client
    _, external_id = connect_form(client)
    response = client.post(reverse("accounts:connect"), valid_data(workspace, external_id))
    account = AwsAccount.objects.get(name="acme-prod")
    assert response.status_code == 302
    assert account.external_id == external_id
    assert account.regions == ["us-east-1", "eu-west-1"]
    assert not PendingConnection.objects.exists()  # used up


def test_reloading_the_connect_page_keeps_the_external_id(owner_client):
    # given a user who opened the connect page and deployed the role with its ExternalId
    client, workspace = owner_client
    _, first = connect_form(client)
    # when the page is reloaded, even after an invalid attempt
    client.post(reverse("accounts:connect"), valid_data(workspace, first, account_id="1"))
    _, again = connect_form(client)
    # then it shows the same ExternalId, and the account is saved with it
    assert again == first
    client.post(reverse("accounts:connect"), valid_data(workspace, again))
    assert AwsAccount.objects.get().external_id == first
    # and the next connection gets a new one
    _, next_one = connect_form(client)
    assert next_one != first


def test_each_user_has_their_own_pending_external_id(owner_client):
    owner, workspace = owner_client
    _, mine = connect_form(owner)
    colleague = make_user()
    Membership.objects.create(user=colleague, workspace=workspace, role="admin")
    other = Client()
    other.force_login(colleague)
    _, theirs = connect_form(other)
    assert mine != theirs


def test_starting_over_makes_a_new_external_id(owner_client):
    client, workspace = owner_client
    _, first = connect_form(client)
    response = client.post(reverse("accounts:connect-restart"))
    assert response.status_code == 302
    _, second = connect_form(client)
    assert second != first
    # a form still showing the old id is refused, and nothing is saved with it
    response = client.post(reverse("accounts:connect"), valid_data(workspace, first))
    assert response.status_code == 200
    assert "The ExternalId changed" in " ".join(response.context["form"].non_field_errors())
    assert not AwsAccount.objects.exists()


def test_forged_external_id_is_refused(owner_client):
    client, workspace = owner_client
    connect_form(client)
    response = client.post(reverse("accounts:connect"), valid_data(workspace, "guessable"))
    assert response.status_code == 200
    assert not AwsAccount.objects.exists()


def test_account_page_shows_its_external_id(owner_client):
    client, workspace = owner_client
    account = make_account(workspace)
    body = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert f'<code class="external-id">{account.external_id}</code>. The quickest' in body
    assert 'ExternalId</strong>: <code class="external-id"></code>' not in body


def test_placeholder_principal_is_warned_about(owner_client, settings):
    client, workspace = owner_client
    account = make_account(workspace)
    settings.ADVISOR_APP_ACCOUNT_ID = "000000000000"
    for url in (reverse("accounts:connect"), reverse("accounts:detail", args=[account.pk])):
        body = client.get(url).content.decode()
        assert 'id="placeholder-principal"' in body, url
        assert "ADVISOR_APP_ACCOUNT_ID" in body
    settings.ADVISOR_APP_ACCOUNT_ID = "210987654321"
    body = client.get(reverse("accounts:connect")).content.decode()
    assert 'id="placeholder-principal"' not in body
    assert "arn:aws:iam::210987654321:root" in body


def test_same_aws_account_twice_in_a_workspace_is_refused_beside_the_field(owner_client):
    client, workspace = owner_client
    make_account(workspace, name="first", account_id="123456789012")
    _, external_id = connect_form(client)
    response = client.post(reverse("accounts:connect"), valid_data(workspace, external_id))
    assert response.status_code == 200
    assert "already connected to this workspace, as first" in " ".join(
        response.context["form"].errors["account_id"]
    )
    assert 'id="id_account_id_error"' in response.content.decode()
    assert AwsAccount.objects.count() == 1


def test_same_aws_account_in_another_workspace_is_allowed(owner_client):
    client, workspace = owner_client
    make_account(make_workspace(), account_id="123456789012")
    _, external_id = connect_form(client)
    response = client.post(reverse("accounts:connect"), valid_data(workspace, external_id))
    assert response.status_code == 302


def test_the_database_refuses_the_same_aws_account_twice_in_a_workspace():
    workspace = make_workspace()
    make_account(workspace, account_id="123456789012")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_account(workspace, account_id="123456789012")


def test_editing_an_account_keeps_its_own_account_id(owner_client):
    client, workspace = owner_client
    account = make_account(workspace, account_id="123456789012")
    response = client.post(
        reverse("accounts:edit", args=[account.pk]),
        {
            "name": "renamed",
            "account_id": "123456789012",
            "role_arn": account.role_arn,
            "regions": ["us-east-1"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "renamed"


def test_external_ids_are_unique_per_account():
    workspace = make_workspace()
    ids = {
        AwsAccount.objects.create(
            workspace=workspace,
            name=f"a{i}",
            account_id=f"{123456789000 + i}",
            role_arn="arn:aws:iam::123456789012:role/R",
            regions=["us-east-1"],
        ).external_id
        for i in range(20)
    }
    assert len(ids) == 20


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"account_id": "12345"}, "account_id", "exactly 12 digits"),
        ({"account_id": "12345678901a"}, "account_id", "exactly 12 digits"),
        ({"role_arn": "arn:aws:iam::123456789012:user/bob"}, "role_arn", "not an IAM role ARN"),
        ({"role_arn": "not-an-arn"}, "role_arn", "not an IAM role ARN"),
        (
            {"role_arn": "arn:aws:iam::999999999999:role/LambdaAdvisorReadOnly"},
            "role_arn",
            "belongs to account 999999999999, not 123456789012",
        ),
        ({"regions": ["us-east-1", "mars-north-1"]}, "regions", "not one of the available"),
        ({"regions": []}, "regions", "required"),
    ],
)
def test_bad_input_is_explained_next_to_the_field(owner_client, changes, field, message):
    client, workspace = owner_client
    _, external_id = connect_form(client)
    response = client.post(
        reverse("accounts:connect"), valid_data(workspace, external_id, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode() or field == "regions"
    assert not AwsAccount.objects.exists()


def test_endpoint_url_refused_when_the_server_does_not_allow_it(owner_client, settings):
    settings.ADVISOR_ALLOW_ENDPOINT_URL = False
    client, workspace = owner_client
    _, external_id = connect_form(client)
    client.post(
        reverse("accounts:connect"),
        valid_data(workspace, external_id, endpoint_url="http://169.254.169.254/"),
    )
    assert AwsAccount.objects.get(name="acme-prod").endpoint_url == ""


def test_duplicate_name_in_workspace_is_refused(owner_client):
    client, workspace = owner_client
    _, external_id = connect_form(client)
    client.post(reverse("accounts:connect"), valid_data(workspace, external_id))
    _, external_id = connect_form(client)
    response = client.post(
        reverse("accounts:connect"), valid_data(workspace, external_id, account_id="123456789013")
    )
    assert "already has an account with this name" in " ".join(
        response.context["form"].errors["name"]
    )
    assert AwsAccount.objects.count() == 1


def test_test_connection_reports_each_permission(client, aws):
    user = make_user()
    account = AwsAccount.objects.create(
        workspace=make_workspace(members={user: "admin"}),
        name="probe-me",
        account_id="777788889999",
        role_arn="arn:aws:iam::777788889999:role/LambdaAdvisorReadOnly",
        regions=["us-east-1"],
        endpoint_url=aws,
    )
    reader_role(aws, account_id=account.account_id, external_id=account.external_id)
    client.force_login(user)

    page = client.post(reverse("accounts:test-connection", args=[account.pk])).content.decode()

    assert 'data-action="sts:AssumeRole" data-ok="yes"' in page
    assert 'data-action="lambda:ListFunctions" data-ok="yes"' in page
    assert 'data-ok="no"' not in page
    assert "Every permission the scanner needs works" in page


def test_viewers_cannot_run_the_connection_test(client):
    user = make_user()
    account = AwsAccount.objects.create(
        workspace=make_workspace(members={user: "viewer"}),
        name="x",
        account_id="777788889999",
        role_arn="arn:aws:iam::777788889999:role/R",
        regions=["us-east-1"],
    )
    client.force_login(user)
    assert client.post(reverse("accounts:test-connection", args=[account.pk])).status_code == 403


def test_the_admin_link_is_shown_only_to_staff(client):
    user = make_user()
    make_workspace(members={user: "owner"})
    client.force_login(user)
    assert 'href="/admin/"' not in client.get(reverse("advisor:overview")).content.decode()
    user.is_staff = True
    user.save()
    assert 'href="/admin/"' in client.get(reverse("advisor:overview")).content.decode()


@pytest.mark.django_db(transaction=True)  # schema changes outside a test transaction
def test_the_migration_names_duplicate_connections_instead_of_failing_obscurely():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite rebuilds the table with the model's constraints: it cannot be dropped")
    # given a database from before the constraint, where one workspace connects an account twice
    migration = importlib.import_module(
        "accounts.migrations.0004_pending_connection_and_one_connection_per_aws_account"
    )
    constraint = next(
        c for c in AwsAccount._meta.constraints if c.name == "one_connection_per_aws_account"
    )
    workspace = make_workspace("Old team")
    with connection.schema_editor() as editor:
        editor.remove_constraint(AwsAccount, constraint)
    try:
        make_account(workspace, name="first", account_id="123456789012")
        make_account(workspace, name="second", account_id="123456789012")
        # when the migration's check runs, then it names them
        with pytest.raises(RuntimeError, match=r"Old team: 123456789012 \(2 times\)"):
            migration.refuse_duplicate_connections(django_apps, None)
    finally:
        AwsAccount.objects.filter(name="second").delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(AwsAccount, constraint)
    migration.refuse_duplicate_connections(django_apps, None)  # one each: nothing to say


def test_every_form_with_a_url_field_names_its_scheme(client):
    """Django 5.x warns (RemovedInDjango60Warning, a DeprecationWarning) when a form's URLField
    leaves the scheme to its default; every page with one renders with that warning an error."""
    staff = make_user("root", is_staff=True, is_superuser=True)
    workspace = make_workspace(members={staff: "owner"})
    account = make_account(workspace)
    client.force_login(staff)
    pages = [
        reverse("accounts:connect"),
        reverse("accounts:edit", args=[account.pk]),
        reverse("accounts:organization-connect"),
        "/admin/accounts/awsaccount/add/",
        f"/admin/accounts/awsaccount/{account.pk}/change/",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert 'name="endpoint_url"' in response.content.decode(), url

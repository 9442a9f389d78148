"""Connecting an account: validation next to the field, ExternalId made by the server."""

import re

import pytest
from django.urls import reverse

from accounts.models import AwsAccount
from tests.factories import make_user, make_workspace
from tests.fixtures.aws_state import reader_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    user = make_user()
    workspace = make_workspace(members={user: "owner"})
    client.force_login(user)
    return client, workspace


def connect_form(client):
    page = client.get(reverse("accounts:connect"))
    signed = re.search(r'name="external_id_signed" value="([^"]+)"', page.content.decode())
    return page, signed.group(1)


def valid_data(workspace, signed, **changes):
    data = {
        "workspace": workspace.pk,
        "name": "acme-prod",
        "account_id": "123456789012",
        "role_arn": "arn:aws:iam::123456789012:role/LambdaAdvisorReadOnly",
        "regions": ["us-east-1", "eu-west-1"],
        "enabled": "on",
        "external_id_signed": signed,
    }
    data.update(changes)
    return data


def test_connect_page_shows_policies_with_the_external_id(owner_client):
    client, _ = owner_client
    page, signed = connect_form(client)
    body = page.content.decode()
    external_id = signed.rsplit(":", 1)[0]
    assert external_id.startswith("lambda-advisor-") and len(external_id) > 30
    assert body.count(external_id) >= 3  # shown, in the trust policy, in the template
    assert "lambda:ListFunctions" in body
    assert "AWS::IAM::Role" in body
    assert "lambda:UpdateFunctionConfiguration" not in body  # read-only


def test_connect_saves_the_account_with_the_shown_external_id(owner_client):
    client, workspace = owner_client
    _, signed = connect_form(client)
    response = client.post(reverse("accounts:connect"), valid_data(workspace, signed))
    account = AwsAccount.objects.get(name="acme-prod")
    assert response.status_code == 302
    assert account.external_id == signed.rsplit(":", 1)[0]
    assert account.regions == ["us-east-1", "eu-west-1"]


def test_tampered_external_id_is_replaced_by_a_server_made_one(owner_client):
    client, workspace = owner_client
    client.post(reverse("accounts:connect"), valid_data(workspace, "guessable:forged"))
    account = AwsAccount.objects.get(name="acme-prod")
    assert account.external_id != "guessable"
    assert account.external_id.startswith("lambda-advisor-")


def test_external_ids_are_unique_per_account():
    workspace = make_workspace()
    ids = {
        AwsAccount.objects.create(
            workspace=workspace,
            name=f"a{i}",
            account_id="123456789012",
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
    _, signed = connect_form(client)
    response = client.post(reverse("accounts:connect"), valid_data(workspace, signed, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode() or field == "regions"
    assert not AwsAccount.objects.exists()


def test_endpoint_url_refused_when_the_server_does_not_allow_it(owner_client, settings):
    settings.ADVISOR_ALLOW_ENDPOINT_URL = False
    client, workspace = owner_client
    _, signed = connect_form(client)
    client.post(
        reverse("accounts:connect"),
        valid_data(workspace, signed, endpoint_url="http://169.254.169.254/"),
    )
    assert AwsAccount.objects.get(name="acme-prod").endpoint_url == ""


def test_duplicate_name_in_workspace_is_refused(owner_client):
    client, workspace = owner_client
    _, signed = connect_form(client)
    client.post(reverse("accounts:connect"), valid_data(workspace, signed))
    _, signed = connect_form(client)
    response = client.post(reverse("accounts:connect"), valid_data(workspace, signed))
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

"""With ADVISOR_ALLOW_ENDPOINT_URL off (production), an endpoint URL stored on an account, or
given to the scan command, receives nothing: not from *Scan now*, *Test connection*, the scan
command, a scheduled scan or a scan queued before the flag went off. The endpoint is a real HTTP
server on loopback that records every request; with the flag on it receives the app's own
credentials, which is what the flag prevents."""

import ast
from pathlib import Path

import boto3
import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import AwsAccount, ScanSchedule
from advisor.collect.errors import AwsAccessError
from advisor.collect.probe import probe_connection
from advisor.collect.session import EndpointNotAllowed, assume_role_session, aws_client
from advisor.models import Scan
from advisor.periodic.tasks import scheduled_scan_task
from advisor.services.endpoints import checked_endpoint
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
APP_KEY_ID = "AKIAAPPOWNCREDENTIAL"
APP_SESSION_TOKEN = "the-app-s-own-session-token"
flag_off = override_settings(ADVISOR_ALLOW_ENDPOINT_URL=False)
REFUSED = "this server sends requests only to AWS itself"


@pytest.fixture(autouse=True)
def app_credentials(monkeypatch):
    """The app's own credentials, as boto3's default chain finds them on a production host."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", APP_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the-app-s-own-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", APP_SESSION_TOKEN)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it caches what it found first


@pytest.fixture
def tenant(client, recording_server):
    """An owner signed in, with an account whose stored endpoint is the recording server."""
    owner = make_user()
    workspace = make_workspace(members={owner: "owner"})
    account = make_account(workspace, name="tenant-acct", endpoint_url=recording_server.url)
    client.force_login(owner)
    return client, account


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_with_the_flag_on_the_app_signs_assume_role_to_the_stored_endpoint(recording_server):
    # Why the flag matters, and proof that the server records what reaches it.
    with pytest.raises(AwsAccessError):
        assume_role_session(
            role_arn="arn:aws:iam::123456789012:role/R",
            external_id="tenant-external-id",
            region="us-east-1",
            endpoint_url=checked_endpoint(recording_server.url),
        )
    [request] = recording_server.requests
    assert APP_KEY_ID in request.headers["Authorization"]
    assert request.headers["X-Amz-Security-Token"] == APP_SESSION_TOKEN


@flag_off
def test_the_session_builder_refuses_the_endpoint_before_sending(recording_server):
    with pytest.raises(EndpointNotAllowed, match="ADVISOR_ALLOW_ENDPOINT_URL is off"):
        assume_role_session(
            role_arn="arn:aws:iam::123456789012:role/R",
            external_id="tenant-external-id",
            region="us-east-1",
            endpoint_url=recording_server.url,
        )
    with pytest.raises(EndpointNotAllowed):
        probe_connection(
            role_arn="arn:aws:iam::123456789012:role/R",
            external_id="tenant-external-id",
            region="us-east-1",
            endpoint_url=recording_server.url,
        )
    assert recording_server.requests == []


def test_a_client_sends_only_to_an_endpoint_the_caller_allowed(recording_server):
    # The flag is on here; the collector still refuses a URL no caller checked against it.
    with pytest.raises(EndpointNotAllowed):
        aws_client("sts", region="us-east-1", endpoint_url=recording_server.url)
    with pytest.raises(EndpointNotAllowed):
        assume_role_session(
            role_arn="arn:aws:iam::123456789012:role/R",
            external_id="tenant-external-id",
            region="us-east-1",
            endpoint_url=recording_server.url,
        )
    assert recording_server.requests == []
    allowed = checked_endpoint(recording_server.url)
    assert aws_client("sts", region="us-east-1", endpoint_url=allowed).meta.endpoint_url == (
        recording_server.url
    )
    with flag_off, pytest.raises(EndpointNotAllowed):
        checked_endpoint(allowed)  # decided afresh: an allowed URL is not allowed for good


@flag_off
def test_scan_now_is_refused_with_the_reason_and_leaves_nothing_queued(tenant, recording_server):
    client, account = tenant

    response = client.post(reverse("advisor:scan-now", args=[account.pk]))

    assert response.status_code == 302
    [message] = texts(response)
    assert "tenant-acct is not scanned" in message and REFUSED in message
    assert "clear its endpoint URL" in message
    assert not Scan.objects.filter(account=account).exists()
    assert recording_server.requests == []
    page = client.get(response.url)
    assert REFUSED in page.content.decode()


@flag_off
def test_test_connection_is_refused_with_the_reason(tenant, recording_server):
    client, account = tenant

    response = client.post(reverse("accounts:test-connection", args=[account.pk]))

    assert response.status_code == 302
    assert response.url == reverse("accounts:detail", args=[account.pk])
    [message] = texts(response)
    assert "not tested" in message and "ADVISOR_ALLOW_ENDPOINT_URL is off" in message
    assert recording_server.requests == []


@flag_off
@pytest.mark.parametrize("mode", [[], ["--inline"], ["--wait"]])
def test_the_scan_command_refuses_the_account_and_exits_2(tenant, recording_server, capsys, mode):
    _, account = tenant

    with pytest.raises(SystemExit) as exit_:
        call_command("scan", "--account", account.name, *mode)

    assert exit_.value.code == 2
    assert REFUSED in capsys.readouterr().err
    assert not Scan.objects.filter(account=account).exists()
    assert recording_server.requests == []


@flag_off
@pytest.mark.parametrize(
    "role",
    [[], ["--role-arn", "arn:aws:iam::123456789012:role/R", "--external-id", "tenant-ext-id"]],
)
def test_an_ad_hoc_scan_refuses_the_endpoint_and_exits_2(recording_server, capsys, role):
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "scan", "--regions", "us-east-1", "--endpoint-url", recording_server.url, *role
        )

    assert exit_.value.code == 2
    assert "ADVISOR_ALLOW_ENDPOINT_URL is off" in capsys.readouterr().err
    assert recording_server.requests == []


@flag_off
@pytest.mark.usefixtures("eager_celery")
def test_a_scheduled_scan_is_skipped_with_the_reason_on_the_schedule(tenant, recording_server):
    _, account = tenant
    ScanSchedule.objects.create(account=account, frequency="hourly")

    scheduled_scan_task.apply(kwargs={"account_id": account.pk, "spread": False})

    schedule = ScanSchedule.objects.get(account=account)
    assert REFUSED in schedule.last_skip_reason
    assert not Scan.objects.filter(account=account).exists()
    assert recording_server.requests == []


def test_a_scan_queued_before_the_flag_went_off_fails_without_sending(tenant, recording_server):
    _, account = tenant
    scan = scan_create(account=account)  # allowed when it was queued

    with override_settings(ADVISOR_ALLOW_ENDPOINT_URL=False):
        scan = run_scan_inline(scan)  # what the workers' tasks run, region by region

    assert scan.status == Scan.Status.FAILED
    assert "ADVISOR_ALLOW_ENDPOINT_URL is off" in scan.error
    assert not Scan.objects.filter(status__in=Scan.ACTIVE).exists()
    assert recording_server.requests == []


@flag_off
def test_the_account_form_shows_a_stored_endpoint_so_that_it_can_be_cleared(tenant):
    client, account = tenant
    url = reverse("accounts:edit", args=[account.pk])
    data = {
        "name": account.name,
        "account_id": account.account_id,
        "role_arn": account.role_arn,
        "regions": account.regions,
        "enabled": "on",
        "endpoint_url": account.endpoint_url,
    }

    kept = client.post(url, data)
    assert kept.status_code == 200
    assert "clear the field to save the account" in kept.content.decode()
    assert AwsAccount.objects.get(pk=account.pk).endpoint_url == account.endpoint_url

    cleared = client.post(url, {**data, "endpoint_url": ""})
    assert cleared.status_code == 302
    assert AwsAccount.objects.get(pk=account.pk).endpoint_url == ""


@flag_off
def test_the_account_form_has_no_endpoint_field_for_an_account_without_one(client):
    owner = make_user()
    account = make_account(make_workspace(members={owner: "owner"}))
    client.force_login(owner)

    page = client.get(reverse("accounts:edit", args=[account.pk]))

    assert 'name="endpoint_url"' not in page.content.decode()


def test_every_boto3_client_gets_its_endpoint_from_the_session_module():
    """One place decides: outside advisor/collect/session.py (and the demo's emulator tooling)
    no code hands boto3 an endpoint_url itself."""
    offenders = []
    for package in ("accounts", "advisor", "config"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "demo" in relative.parts or relative == Path("advisor/collect/session.py"):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("client", "resource")
                    and any(k.arg == "endpoint_url" for k in node.keywords)
                ):
                    offenders.append(f"{relative}:{node.lineno}")
    assert not offenders

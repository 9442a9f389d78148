"""A scan end to end in this process: emulator over HTTP -> collector -> rules -> database."""

import datetime as dt

import boto3
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from advisor.models import Finding, Scan, ScanRegion
from advisor.services.scan_run import run_scan_inline, scan_finish, scan_region
from advisor.services.scans import ScanAlreadyRunning, ScanRefused, scan_create
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role
from tests.fixtures.emulator import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(aws):
    """An account connected to the emulator, its role trusting the account's ExternalId."""
    account = make_account(make_workspace(), endpoint_url=aws, account_id="222233334444")
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    return account, session


def test_scan_stores_functions_and_deprecated_runtime_findings(connected, aws):
    account, session = connected
    old = create_function(session, aws, name="legacy-report", runtime="python3.8")
    create_function(session, aws, name="orders-api", runtime="python3.13")

    scan = run_scan_inline(scan_create(account=account))

    assert scan.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL), scan.error
    assert scan.function_count == 2
    assert scan.api_calls.get("lambda.ListFunctions", 0) >= 1
    assert sorted(scan.functions.values_list("name", flat=True)) == ["legacy-report", "orders-api"]
    finding = Finding.objects.get(account=account, rule_id="deprecated-runtime")
    assert finding.resource_arn == old
    assert finding.severity == "high"
    assert finding.status == Finding.Status.OPEN
    assert "python3.8" in finding.message
    # the newest Python the runtime table lists (python3.13 shares its date; 3.14 is newer)
    assert "--runtime python3.14" in finding.remediation_cli
    # the overview's cost opportunities are worked out once, when the scan finishes
    assert set(scan.cost_opportunities) == {
        "opportunities",
        "total_saving",
        "count",
        "functions",
        "no_prices",
    }
    # the region's trigger lists are stored apart from its (bulky) inventory
    [part] = ScanRegion.objects.filter(scan=scan)
    assert set(part.relations) == {
        "event_source_mappings",
        "api_integrations",
        "push_sources",
        "queues",
    }


def test_finding_resolves_when_fixed_and_reopens_when_it_returns(connected, aws):
    account, session = connected
    create_function(session, aws, name="legacy-report", runtime="python3.8")
    lam = session.client("lambda", endpoint_url=aws, region_name="us-east-1")

    first = run_scan_inline(scan_create(account=account))
    lam.update_function_configuration(FunctionName="legacy-report", Runtime="python3.13")
    second = run_scan_inline(scan_create(account=account))
    finding = Finding.objects.get(account=account, rule_id="deprecated-runtime")
    assert finding.status == Finding.Status.RESOLVED
    assert finding.first_seen_scan == first
    assert finding.last_seen_scan == first
    assert finding.resolved_at == second.finished_at

    lam.update_function_configuration(FunctionName="legacy-report", Runtime="python3.9")
    third = run_scan_inline(scan_create(account=account))
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    assert finding.times_reopened == 1
    assert finding.last_seen_scan == third
    assert finding.evidence["runtime"] == "python3.9"
    assert finding.occurrences.count() == 2
    # the first and the third scan each opened it: what a report calls "new"
    opened = dict(finding.occurrences.values_list("scan_id", "opened"))
    assert opened == {first.pk: True, third.pk: True}
    fourth = run_scan_inline(scan_create(account=account))
    assert finding.occurrences.get(scan=fourth).opened is False  # still open: not news


def test_unreachable_endpoint_fails_with_reason_and_keeps_earlier_scans(connected, aws):
    account, session = connected
    create_function(session, aws, name="legacy-report", runtime="python3.8")
    good = run_scan_inline(scan_create(account=account))

    account.endpoint_url = f"http://127.0.0.1:{free_port()}"
    account.save()
    bad = run_scan_inline(scan_create(account=account))

    assert bad.status == Scan.Status.FAILED
    assert "Could not assume" in bad.error and "us-east-1" in bad.error
    assert bad.parts.get().status == ScanRegion.Status.FAILED
    good.refresh_from_db()
    assert good.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL)
    # A failed scan looked nowhere: it resolves nothing.
    assert Finding.objects.get(account=account, rule_id="deprecated-runtime").status == "open"


def test_wrong_external_id_fails_with_access_denied(connected, aws):
    account, _ = connected
    account.external_id = "lambda-advisor-not-the-one-in-the-trust-policy"
    account.save()

    scan = run_scan_inline(scan_create(account=account))

    assert scan.status == Scan.Status.FAILED
    assert "AccessDenied" in scan.error


def test_invalid_app_credentials_fail_the_scan(connected, aws, monkeypatch):
    account, _ = connected
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    boto3.DEFAULT_SESSION = None

    scan = run_scan_inline(scan_create(account=account))

    assert scan.status == Scan.Status.FAILED
    assert "credentials" in scan.error.lower()


def test_second_scan_is_refused_while_one_is_active(connected):
    account, _ = connected
    running = scan_create(account=account)
    with pytest.raises(ScanAlreadyRunning) as refused:
        scan_create(account=account)
    assert refused.value.scan == running
    assert "already queued" in str(refused.value)


def test_disabled_account_is_not_scanned(connected):
    account, _ = connected
    account.enabled = False
    account.save()
    with pytest.raises(ScanRefused, match="disabled"):
        scan_create(account=account)
    assert not Scan.objects.filter(account=account).exists()


def test_redelivered_region_task_does_not_collect_twice(connected, aws):
    account, session = connected
    create_function(session, aws, name="orders-api")
    scan = run_scan_inline(scan_create(account=account))
    calls = dict(scan.api_calls)

    assert scan_region(scan_id=scan.pk, region="us-east-1") is False  # scan already finished
    assert scan_finish(scan_id=scan.pk).api_calls == calls


def test_workspace_rule_options_change_a_threshold(connected, aws):
    account, session = connected
    create_function(session, aws, name="soon-old", runtime="python3.11")  # deprecated 2027-06-30
    today = {"today": "2026-11-25"}  # a fixed day to judge from: 217 days before
    account.workspace.rule_options = {"deprecated-runtime": today}
    account.workspace.save()
    run_scan_inline(scan_create(account=account))
    assert not Finding.objects.filter(account=account, rule_id="deprecated-runtime").exists()

    account.workspace.rule_options = {"deprecated-runtime": {"warn_days": 3650, **today}}
    account.workspace.save()
    run_scan_inline(scan_create(account=account))

    finding = Finding.objects.get(account=account, rule_id="deprecated-runtime")
    assert finding.severity == "medium"
    assert finding.evidence["warn_days"] == 3650


def test_a_scan_whose_worker_vanished_is_failed_when_the_next_one_starts(connected):
    account, _ = connected
    lost = scan_create(account=account)
    Scan.objects.filter(pk=lost.pk).update(
        status=Scan.Status.RUNNING, created_at=timezone.now() - dt.timedelta(hours=3)
    )

    fresh = scan_create(account=account)

    lost.refresh_from_db()
    assert lost.status == Scan.Status.FAILED
    assert "its worker was probably stopped" in lost.error
    assert "running" in lost.error
    assert fresh.status == Scan.Status.QUEUED


def test_each_function_stores_its_recommendation(connected, aws):
    account, session = connected
    create_function(session, aws, name="orders-api")

    scan = run_scan_inline(scan_create(account=account))

    record = scan.functions.get(name="orders-api")
    assert record.recommendation is not None
    assert record.verdict == record.recommendation["verdict"] == "lambda"
    assert set(record.recommendation["monthly_cost_usd"]) == {
        "lambda_x86_64",
        "lambda_arm64",
        "fargate",
        "ec2",
    }
    assert record.recommendation["reasons"]


def test_scan_page_lists_rules_not_evaluated(connected, client):
    account, _ = connected
    scan = Scan.objects.create(
        account=account,
        regions=["us-east-1"],
        status=Scan.Status.PARTIAL,
        not_evaluated=[
            {
                "rule_id": "high-error-rate",
                "region": "us-east-1",
                "resource_arn": None,
                "reason": "cloudwatch:GetMetricData AccessDenied hides metrics",
            },
        ],
    )
    user = make_user()
    Membership.objects.create(user=user, workspace=account.workspace, role="viewer")
    client.force_login(user)

    page = client.get(reverse("advisor:scan-detail", args=[scan.pk])).content.decode()

    assert "Rules not evaluated (1)" in page
    assert "cloudwatch:GetMetricData AccessDenied hides metrics" in page

"""`manage.py scan` end to end against the emulator: JSON shape, exit codes, --fail-on."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from advisor.models import Scan
from tests.factories import make_account, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

ROOT = Path(__file__).resolve().parent.parent.parent


def run_scan(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", "scan", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


@pytest.fixture
def demo_role(aws):
    role_arn, session = reader_role(aws, account_id="444455556666", external_id="ext-123456")
    create_function(session, aws, name="legacy-etl", runtime="python3.8")
    create_function(session, aws, name="orders-api", runtime="python3.13")
    return role_arn


def ad_hoc(aws: str, role_arn: str) -> list[str]:
    """An ad hoc JSON scan of the emulator's us-east-1 through the demo role."""
    return [
        *("--regions", "us-east-1", "--endpoint-url", aws),
        *("--role-arn", role_arn, "--external-id", "ext-123456"),
        *("--format", "json", "--no-rate-limit"),
    ]


def test_json_report_has_the_documented_shape(aws, demo_role):
    result = run_scan(*ad_hoc(aws, demo_role))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)  # stdout is clean JSON, progress went to stderr
    assert "us-east-1" in result.stderr
    scan = document["scan"]
    assert scan["status"] in ("succeeded", "partial")
    assert scan["regions"] == ["us-east-1"]
    assert scan["account_id"] == "444455556666"
    assert scan["api_calls"]["lambda.ListFunctions"] >= 1
    assert {"started_at", "finished_at", "coverage_gaps"} <= scan.keys()
    names = sorted(f["name"] for f in document["functions"])
    assert names == ["legacy-etl", "orders-api"]
    assert {"arn", "name", "region"} <= document["functions"][0].keys()
    [finding] = [f for f in document["findings"] if f["rule_id"] == "deprecated-runtime"]
    assert finding["resource_arn"].endswith(":function:legacy-etl")
    assert finding["severity"] == "high"
    assert finding["pillar"] == "security"
    assert finding["evidence"]["runtime"] == "python3.8"
    assert "update-function-configuration" in finding["remediation"]


def test_one_assume_role_serves_every_region_and_the_account_is_the_roles(
    aws, demo_role, counting_proxy
):
    result = run_scan(
        *("--regions", "us-east-1,eu-west-1", "--endpoint-url", counting_proxy.url),
        *("--role-arn", demo_role, "--external-id", "ext-123456"),
        *("--format", "json", "--no-rate-limit"),
    )
    assert result.returncode == 0, result.stderr
    scan = json.loads(result.stdout)["scan"]
    assert scan["regions"] == ["us-east-1", "eu-west-1"] and scan["account_id"] == "444455556666"
    assert counting_proxy.of("sts") == {"AssumeRole": 1}  # and no GetCallerIdentity


def test_credentials_about_to_expire_are_assumed_again_for_the_next_region(
    aws, demo_role, counting_proxy, monkeypatch, capsys
):
    # given credentials that never have the margin a region needs (AssumeRole gives an hour)
    monkeypatch.setattr("advisor.collect.session.REUSE_MARGIN", dt.timedelta(hours=2))
    call_command(
        "scan",
        *("--regions", "us-east-1,eu-west-1", "--endpoint-url", counting_proxy.url),
        *("--role-arn", demo_role, "--external-id", "ext-123456"),
        *("--format", "json", "--no-rate-limit"),
    )
    # then each region assumed the role afresh
    assert counting_proxy.of("sts") == {"AssumeRole": 2}
    assert json.loads(capsys.readouterr().out)["scan"]["status"] in ("succeeded", "partial")


def test_fail_on_exits_1_at_or_above_the_severity(aws, demo_role, tmp_path):
    out = tmp_path / "report.json"
    common = [*ad_hoc(aws, demo_role), "--output", str(out)]
    high = run_scan(*common, "--fail-on", "high")
    assert high.returncode == 1, high.stderr
    assert "at or above high" in high.stderr
    assert json.loads(out.read_text())["findings"]
    critical = run_scan(*common, "--fail-on", "critical")
    worst = {f["severity"] for f in json.loads(out.read_text())["findings"]}
    assert critical.returncode == (1 if "critical" in worst else 0), critical.stderr


def test_usage_errors_exit_2_with_the_reason():
    result = run_scan("--regions", "us-east-1,mars-north-1", "--format", "json")
    assert result.returncode == 2
    assert "mars-north-1" in result.stderr
    assert result.stdout == ""
    both = run_scan("--regions", "us-east-1", "--role-arn", "arn:aws:iam::1:role/x")
    assert both.returncode == 2
    assert "--external-id" in both.stderr


def test_failed_scan_exits_2(aws):
    result = run_scan(
        "--regions",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--format",
        "json",
        env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"},
    )
    assert result.returncode == 2
    assert json.loads(result.stdout)["scan"]["status"] == "failed"
    assert "the scan failed" in result.stderr


@pytest.mark.django_db
def test_connected_account_scan_is_stored_and_reported(aws, capsys):
    account = make_account(
        make_workspace(), name="acme-cli", endpoint_url=aws, account_id="555566667777"
    )
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    create_function(session, aws, name="legacy-etl", runtime="python3.8")

    call_command("scan", "--account", "acme-cli", "--inline", "--format", "json")

    document = json.loads(capsys.readouterr().out)
    scan = Scan.objects.get(account=account)
    assert document["scan"]["id"] == scan.pk
    assert document["scan"]["status"] == scan.status
    assert scan.trigger == Scan.Trigger.COMMAND
    assert [f["name"] for f in document["functions"]] == ["legacy-etl"]
    assert "deprecated-runtime" in {f["rule_id"] for f in document["findings"]}


@pytest.mark.django_db
def test_unknown_account_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("scan", "--account", "no-such-account")
    assert exit_.value.code == 2
    assert "no connected account" in capsys.readouterr().err

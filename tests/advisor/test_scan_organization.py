"""`manage.py scan --organization` over the emulator: the caller's credentials (the management
account) list the organisation, each active member is scanned through the named role, a member
without it is skipped with STS's error, and the document is README's, key for key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.advisor.test_scan_command import run_scan
from tests.advisor.test_scan_document import readme_document, shape_errors
from tests.fixtures.organizations import MANAGEMENT_ACCOUNT, build_organization

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL_ID = "org-cli-external-id"


def readme_organization_document() -> dict:
    """The example of README's "A whole organisation", its scan parts the single document's."""
    section = (ROOT / "README.md").read_text().split("### A whole organisation", 1)[1]
    section = section.split("\n## ", 1)[0]
    contract = json.loads(re.search(r"```json\n(.+?)```", section, re.S).group(1))
    single = readme_document()
    [entry] = contract["accounts"]
    contract["accounts"] = [
        {
            **entry,
            "scan": single["scan"],
            "functions": single["functions"],
            "findings": single["findings"],
        }
    ]
    return contract


@pytest.fixture
def emulated(aws):
    return build_organization(
        aws,
        external_id=EXTERNAL_ID,
        with_role={"alpha": [("legacy-etl", "python3.8")], "delta": []},
        without_role=("beta",),
        suspended=("gamma",),
    )


def arguments(aws, *extra):
    return [
        *("--organization", "--org-role-name", "LambdaAdvisorReadOnly"),
        *("--external-id", EXTERNAL_ID, "--regions", "us-east-1"),
        *("--endpoint-url", aws, "--no-rate-limit", "--format", "json", *extra),
    ]


def test_the_organisation_document_is_readme_s_with_skipped_members(aws, emulated, capsys):
    call_command("scan", *arguments(aws))
    document = json.loads(capsys.readouterr().out)

    assert shape_errors(readme_organization_document(), document) == []
    assert document["schema_version"] == 1
    entries = {e["account_id"]: e for e in document["accounts"]}
    members = emulated.members
    assert set(entries) == {MANAGEMENT_ACCOUNT, *members.values()}
    alpha = entries[members["alpha"]]
    assert alpha["status"] in ("succeeded", "partial")
    assert alpha["scan"]["account_id"] == members["alpha"]
    assert [f["name"] for f in alpha["functions"]] == ["legacy-etl"]
    assert any(f["rule_id"] == "deprecated-runtime" for f in alpha["findings"])
    beta = entries[members["beta"]]
    assert beta["status"] == "skipped" and beta["scan"] is None
    assert "AccessDenied" in beta["reason"] and "LambdaAdvisorReadOnly" in beta["reason"]
    assert beta["functions"] == [] and beta["findings"] == []
    gamma = entries[members["gamma"]]
    assert gamma["status"] == "skipped" and "SUSPENDED" in gamma["reason"]
    assert entries[members["delta"]]["status"] in ("succeeded", "partial")
    assert entries[MANAGEMENT_ACCOUNT]["status"] == "skipped"  # no scan role of its own


def test_exit_codes_cover_every_account(aws, emulated):
    done = run_scan(*arguments(aws))
    assert done.returncode == 0, done.stderr
    assert f"{emulated.members['beta']} skipped" in done.stderr
    json.loads(done.stdout)  # stdout is the document alone

    failing = run_scan(*arguments(aws, "--fail-on", "high"))
    assert failing.returncode == 1, failing.stderr
    assert "at or above high" in failing.stderr


def test_an_organisation_nobody_may_list_is_a_usage_error(aws):
    result = run_scan(*arguments(aws))  # the caller's account is in no organisation
    assert result.returncode == 2
    assert "could not be listed" in result.stderr and "not in an organisation" in result.stderr


def test_no_account_scanned_exits_2(aws, emulated):
    result = run_scan(*arguments(aws)[:-2], "--org-role-name", "NoSuchRole", "--format", "json")
    assert result.returncode == 2
    assert "no account was scanned" in result.stderr
    assert all(e["status"] == "skipped" for e in json.loads(result.stdout)["accounts"])


def test_the_table_names_each_account(aws, emulated):
    result = run_scan(*arguments(aws)[:-2], "--format", "table")
    assert result.returncode == 0, result.stderr
    assert f"== {emulated.members['alpha']}: " in result.stdout
    assert f"== {emulated.members['beta']}: skipped (Could not assume" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--organization", "--regions", "us-east-1"], "--org-role-name"),
        (["--org-role-name", "R", "--regions", "us-east-1"], "--organization"),
        (
            [
                *("--organization", "--org-role-name", "R", "--regions", "us-east-1"),
                *("--role-arn", "arn:aws:iam::123456789012:role/X"),
            ],
            "not --role-arn",
        ),
    ],
)
def test_usage_errors(args, message):
    result = run_scan(*args)
    assert result.returncode == 2 and message in result.stderr

"""`manage.py scan --organization` over the emulator: the caller's credentials (the management
account) list the organisation, each active member is scanned through the named role, a member
without it is skipped with STS's error, and the document is README's, key for key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from advisor.services import scan_organization
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


def without_times(document: dict) -> dict:
    """The document with each scan's start and finish left out: the rest is the same run to run."""
    for entry in document["accounts"]:
        if entry["scan"] is not None:
            entry["scan"] = {
                k: v for k, v in entry["scan"].items() if k not in ("started_at", "finished_at")
            }
    return document


@pytest.fixture
def larger(aws):
    return build_organization(
        aws,
        external_id=EXTERNAL_ID,
        with_role={
            "alpha": [("legacy-etl", "python3.8")],
            "delta": [],
            "epsilon": ["orders-api", ("old-node", "nodejs16.x")],
            "zeta": ["billing"],
        },
        without_role=("beta",),
        suspended=("gamma",),
    )


def test_members_scanned_side_by_side_give_the_one_at_a_time_document(aws, larger, capsys):
    call_command("scan", *arguments(aws, "--parallel", "1"))
    one_at_a_time = json.loads(capsys.readouterr().out)
    call_command("scan", *arguments(aws, "--parallel", "3"))
    done = capsys.readouterr()
    side_by_side = json.loads(done.out)

    assert without_times(side_by_side) == without_times(one_at_a_time)
    ids = [e["account_id"] for e in side_by_side["accounts"]]
    assert ids == sorted(ids) and len(ids) == 7  # the builder's order, not the finishing order
    statuses = {e["account_id"]: e["status"] for e in side_by_side["accounts"]}
    assert statuses[larger.members["beta"]] == statuses[larger.members["gamma"]] == "skipped"
    assert {statuses[larger.members[n]] for n in ("alpha", "delta", "epsilon", "zeta")} <= {
        "succeeded",
        "partial",
    }
    # every progress line is whole and names its account (the closing summary lines aside)
    members = set(larger.members.values()) | {MANAGEMENT_ACCOUNT}
    lines = [line for line in done.err.splitlines() if not line.startswith("scan: ")]
    assert lines[0].startswith("organisation ")
    for line in lines[1:]:
        account, _, rest = line.partition(": ")
        assert account in members and rest and ": " not in account, line
    for name in ("alpha", "epsilon", "zeta"):
        assert f"{larger.members[name]}: done: " in done.err


def test_each_member_costs_one_assume_role_whatever_its_regions(
    aws, larger, counting_proxy, capsys
):
    # given the organisation scanned in two regions, every request counted on the wire
    args = arguments(counting_proxy.url)
    args[args.index("us-east-1")] = "us-east-1,eu-west-1"
    call_command("scan", *args)
    entries = json.loads(capsys.readouterr().out)["accounts"]
    scanned = [e for e in entries if e["status"] in ("succeeded", "partial")]
    tried = [e for e in entries if "Could not assume" in (e["reason"] or "")]
    assert len(scanned) == 4 and len(tried) == 2  # beta, and the management account
    # then each scanned member's role was assumed once (its first try scans it), each member
    # without the role was tried once, the suspended one not at all, and no GetCallerIdentity
    assert counting_proxy.of("sts") == {"AssumeRole": len(scanned) + len(tried)}
    assert all(e["scan"]["regions"] == ["us-east-1", "eu-west-1"] for e in scanned)


def test_a_member_whose_scan_raises_fails_alone(aws, larger, capsys, monkeypatch):
    broken = larger.members["epsilon"]
    real_scan = scan_organization.scan_ad_hoc

    def scan_or_raise(**kwargs):
        if f"::{broken}:" in kwargs["role_arn"]:
            raise RuntimeError("the collector fell over")
        return real_scan(**kwargs)

    monkeypatch.setattr(scan_organization, "scan_ad_hoc", scan_or_raise)
    with pytest.raises(SystemExit) as exited:
        call_command("scan", *arguments(aws, "--parallel", "3"))
    assert exited.value.code == 2  # a failed account's scan
    done = capsys.readouterr()
    entries = {e["account_id"]: e for e in json.loads(done.out)["accounts"]}

    failed = entries[broken]
    assert failed["status"] == "failed" and failed["scan"] is None
    assert failed["reason"] == (
        "Internal error while scanning: RuntimeError: the collector fell over"
    )
    for name in ("alpha", "delta", "zeta"):
        assert entries[larger.members[name]]["status"] in ("succeeded", "partial")
    assert [f["name"] for f in entries[larger.members["alpha"]]["functions"]] == ["legacy-etl"]
    assert f"scan: {broken} failed: Internal error" in done.err


@pytest.mark.parametrize("value", ["0", "-2", "four"])
def test_parallel_takes_one_or_more_accounts(value):
    result = run_scan(*arguments("http://127.0.0.1:1", "--parallel", value))
    assert result.returncode == 2
    assert f"--parallel takes a whole number of accounts, 1 or more, not '{value}'" in (
        result.stderr
    )


def test_parallel_goes_with_organization():
    result = run_scan("--regions", "us-east-1", "--parallel", "2")
    assert result.returncode == 2 and "--parallel goes with --organization" in result.stderr


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

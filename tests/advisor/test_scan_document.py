"""The scan JSON is one contract, README's: a stored scan (``--account``) and an ad hoc one
(``--regions``) of the same estate print the README's document key for key, and the same
functions and findings."""

import json
import re
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from advisor.demo.emulator_lambda import FAULTS_PATH
from tests.factories import make_account, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "666677778888"


def readme_document() -> dict:
    """The example document of README's "The `scan` command" section."""
    section = (ROOT / "README.md").read_text().split("## The `scan` command", 1)[1]
    section = section.split("\n## ", 1)[0]
    return json.loads(re.search(r"```json\n(.+?)```", section, re.S).group(1))


def free_form(contract: dict) -> bool:
    """A map whose keys vary (``evidence``, ``api_calls``): written ``{}`` or with a "…" key."""
    return not contract or "…" in contract


def shape_errors(contract, actual, path: str = "$") -> list[str]:
    """Where ``actual`` differs from the contract's keys (``null`` stands for any value)."""
    if actual is None:
        return []
    if isinstance(contract, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        if free_form(contract):
            return []
        if set(actual) != set(contract):
            return [f"{path}: keys {sorted(actual)} instead of {sorted(contract)}"]
        return [
            e for key in contract for e in shape_errors(contract[key], actual[key], f"{path}.{key}")
        ]
    if isinstance(contract, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r}"]
        return [
            e
            for i, item in enumerate(actual)
            for e in shape_errors(contract[0], item, f"{path}[{i}]")
        ]
    return []


def faults(endpoint: str, method: str, **body) -> None:
    request = urllib.request.Request(  # noqa: S310
        endpoint + FAULTS_PATH,
        data=json.dumps({"account_id": ACCOUNT_ID, "region": "us-east-1", **body}).encode(),
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


@pytest.fixture
def estate(aws):
    """An account whose estate has a finding, a function with a recommendation and one whose
    GetPolicy fails (a coverage gap, rules not evaluated for it)."""
    account = make_account(
        make_workspace(), name="acme-json", endpoint_url=aws, account_id=ACCOUNT_ID
    )
    role_arn, session = reader_role(aws, account_id=ACCOUNT_ID, external_id=account.external_id)
    account.role_arn = role_arn
    account.save()
    create_function(session, aws, name="legacy-etl", runtime="python3.8")
    create_function(session, aws, name="orders-api", runtime="python3.13", Architectures=["arm64"])
    create_function(session, aws, name="flaky-fn", runtime="python3.13")
    faults(aws, "POST", function_name="flaky-fn", operation="GetPolicy", status=500)
    yield account
    faults(aws, "DELETE")


def json_of(capsys, *args) -> dict:
    call_command("scan", *args, "--format", "json")
    return json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_stored_and_ad_hoc_scans_print_the_readme_document(estate, aws, capsys):
    contract = readme_document()
    # when the connected account is scanned, and the same estate ad hoc
    stored = json_of(capsys, "--account", "acme-json", "--inline")
    ad_hoc = json_of(
        capsys,
        *("--regions", "us-east-1", "--endpoint-url", aws, "--no-rate-limit"),
        *("--role-arn", estate.role_arn, "--external-id", estate.external_id),
    )
    # then each is the README's document, key for key, with something in every list
    for document in (stored, ad_hoc):
        assert shape_errors(contract, document) == []
        for part in ("coverage_gaps", "not_evaluated"):
            assert document["scan"][part], part
        assert document["findings"]
        assert any(f["recommendation"] for f in document["functions"])
    # and both say the same of the estate
    assert stored["scan"]["id"] is not None and ad_hoc["scan"]["id"] is None
    assert stored["scan"]["status"] == ad_hoc["scan"]["status"] == "partial"
    for key in ("account_id", "regions", "coverage_gaps", "not_evaluated", "errors"):
        assert stored["scan"][key] == ad_hoc["scan"][key], key
    assert stored["functions"] == ad_hoc["functions"]
    assert stored["findings"] == ad_hoc["findings"]
    # the findings worst first, each remediation with its IaC header
    ranks = ["critical", "high", "medium", "low", "info"]
    order = [ranks.index(f["severity"]) for f in stored["findings"]]
    assert order == sorted(order)
    assert all("\n\n# CloudFormation" in f["remediation"] for f in stored["findings"])
    orders = next(f for f in stored["functions"] if f["name"] == "orders-api")
    assert orders["architecture"] == "arm64" and orders["package_type"] == "Zip"
    assert orders["code_size"] > 0 and orders["invocations_14d"] is not None


def test_the_contract_checker_finds_a_missing_and_an_extra_key():
    contract = readme_document()
    assert shape_errors(contract, {**contract}) == []
    missing = {**contract, "scan": {k: v for k, v in contract["scan"].items() if k != "id"}}
    assert shape_errors(contract, missing) == [
        f"$.scan: keys {sorted(missing['scan'])} instead of {sorted(contract['scan'])}"
    ]
    extra = {**contract, "functions": [{**contract["functions"][0], "extra": 1}]}
    assert shape_errors(contract, extra)[0].startswith("$.functions[0]: keys")

"""One function's GetFunction and GetPolicy answering an error without an error code.

The fault is injected into the emulator process over HTTP (its ``FAULTS_PATH`` endpoint), so the
collector sees it on the wire exactly as it would see AWS's answer. What must hold: the error is
a gap for that function only, every other function is still read and judged, rules that needed
the missing data say "not evaluated" for that function alone, and a transient fault that
botocore's retries absorb changes nothing.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from advisor.demo.emulator_lambda import FAULTS_PATH
from advisor.demo.seed import DEMO_ACCOUNT_ID, SeedReport, seed_demo
from advisor.models import FindingOccurrence, Scan
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create
from tests.factories import make_account, make_workspace
from tests.fixtures.emulator import reset_emulator

pytestmark = [pytest.mark.chaos, pytest.mark.django_db]

REGION = "us-east-1"
# Invoked by S3 with no failure path and unbounded concurrency: two of its findings need the
# policy (GetPolicy) and the reserved concurrency (GetFunction).
FAULTED = "thumbnail-generator"
FAULTED_ARN = f"arn:aws:lambda:{REGION}:{DEMO_ACCOUNT_ID}:function:{FAULTED}"


def faults(endpoint: str, method: str, **body) -> None:
    body = {"account_id": DEMO_ACCOUNT_ID, "region": REGION, **body}
    request = urllib.request.Request(  # noqa: S310
        endpoint + FAULTS_PATH, data=json.dumps(body).encode(), method=method
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def inject(endpoint: str, operation: str, **fault) -> None:
    faults(endpoint, "POST", function_name=FAULTED, operation=operation, **fault)


def findings_of(scan: Scan) -> set[tuple[str, str]]:
    return set(
        FindingOccurrence.objects.filter(scan=scan).values_list(
            "finding__rule_id", "finding__resource_arn"
        )
    )


def not_evaluated_of(scan: Scan) -> set[tuple[str, str | None]]:
    return {(item["rule_id"], item["resource_arn"]) for item in scan.not_evaluated}


@pytest.fixture(scope="module")
def seeded(aws_endpoint: str) -> Iterator[SeedReport]:
    """The demo region, seeded once for the module (seeding is the slow part)."""
    reset_emulator(aws_endpoint)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        yield seed_demo(endpoint_url=aws_endpoint, regions=[REGION])


@pytest.fixture
def demo(seeded: SeedReport, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    account = make_account(
        make_workspace(),
        endpoint_url=aws_endpoint,
        account_id=DEMO_ACCOUNT_ID,
        regions=[REGION],
        role_arn=seeded.role_arn,
        external_id=seeded.external_id,
    )
    yield account, aws_endpoint
    faults(aws_endpoint, "DELETE")


def test_an_error_without_a_code_is_a_gap_for_that_function_only(demo):
    account, endpoint = demo
    clean = run_scan_inline(scan_create(account=account))
    assert clean.status == Scan.Status.SUCCEEDED, clean.coverage_gaps
    assert (("async-without-failure-destination", FAULTED_ARN)) in findings_of(clean)

    # given: the function's GetFunction answers a bare 404 and its GetPolicy a bare 500, always
    inject(endpoint, "GetFunction", status=404)
    inject(endpoint, "GetPolicy", status=500)

    # when
    faulted = run_scan_inline(scan_create(account=account))

    # then: two gaps, both on that function, and no call of either operation was skipped
    assert faulted.status == Scan.Status.PARTIAL
    assert sorted(
        (g["operation"], g["error_code"], g["resource_arn"]) for g in faulted.coverage_gaps
    ) == [("GetFunction", "404", FAULTED_ARN), ("GetPolicy", "500", FAULTED_ARN)]
    for operation in ("lambda.GetFunction", "lambda.GetPolicy"):
        assert faulted.api_calls[operation] == clean.api_calls[operation], operation
    # every other function is judged as before; the faulted one loses only what needed the data
    others = {f for f in findings_of(clean) if f[1] != FAULTED_ARN}
    assert {f for f in findings_of(faulted) if f[1] != FAULTED_ARN} == others
    assert ("arm64-candidate", FAULTED_ARN) in findings_of(faulted)  # from ListFunctions alone
    new_not_evaluated = not_evaluated_of(faulted) - not_evaluated_of(clean)
    assert ("async-without-failure-destination", FAULTED_ARN) in new_not_evaluated
    assert {arn for _, arn in new_not_evaluated} == {FAULTED_ARN}
    assert all(arn is not None for _, arn in not_evaluated_of(faulted))


def test_a_transient_error_without_a_code_changes_nothing(demo):
    account, endpoint = demo
    clean = run_scan_inline(scan_create(account=account))

    # given: one bare 500 from each operation, which botocore retries
    inject(endpoint, "GetFunction", status=500, times=1)
    inject(endpoint, "GetPolicy", status=500, times=1)

    # when
    retried = run_scan_inline(scan_create(account=account))

    # then
    assert retried.status == Scan.Status.SUCCEEDED, retried.coverage_gaps
    assert findings_of(retried) == findings_of(clean)
    assert not_evaluated_of(retried) == not_evaluated_of(clean)

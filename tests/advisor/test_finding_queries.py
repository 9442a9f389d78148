"""The named questions asked of findings (``Finding.objects``) and the named status sets of scans
and their regions."""

import datetime as dt

import pytest
from django.utils import timezone

from advisor.models import Finding, Scan, ScanRegion, Suppression
from tests.dashboard.builders import make_finding, make_function, make_scan
from tests.factories import make_account, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings():
    """One account's findings in every state, and an open finding of another account."""
    workspace = make_workspace()
    account = make_account(workspace)
    scan = make_scan(account)
    now = timezone.now()

    def suppress(finding: Finding, *, expires_at: dt.datetime | None) -> None:
        finding.suppression = Suppression.objects.create(
            account=account,
            rule_id=finding.rule_id,
            resource_pattern=finding.resource_arn,
            reason="accepted",
            expires_at=expires_at,
        )
        finding.save(update_fields=["suppression"])

    made = {
        "open": make_finding(make_function(scan, name="open"), severity="low"),
        "critical": make_finding(make_function(scan, name="critical"), severity="critical"),
        "suppressed": make_finding(make_function(scan, name="suppressed")),
        "expired": make_finding(make_function(scan, name="expired"), severity="high"),
        "resolved": make_finding(make_function(scan, name="resolved"), status="resolved"),
    }
    suppress(made["suppressed"], expires_at=now + dt.timedelta(days=1))
    suppress(made["expired"], expires_at=now - dt.timedelta(seconds=1))
    other = make_account(workspace, name="other")
    make_finding(make_function(make_scan(other), name="elsewhere"))
    return account, made


def names(findings) -> list[str]:
    return [f.resource_name for f in findings]


def test_each_question_picks_the_findings_it_names(findings):
    account, _ = findings
    mine = Finding.objects.for_account(account)
    assert sorted(names(mine.open())) == ["critical", "expired", "open", "suppressed"]
    assert names(mine.resolved()) == ["resolved"]
    # A suppression past its expiry hides nothing.
    assert names(mine.suppressed()) == ["suppressed"]
    assert sorted(names(mine.unsuppressed())) == ["critical", "expired", "open", "resolved"]
    assert names(mine.open_unsuppressed().worst_first()) == ["critical", "expired", "open"]
    assert Finding.objects.open_unsuppressed().count() == 4  # the other account's too


def test_suppression_is_judged_at_the_time_given(findings):
    account, _ = findings
    mine = Finding.objects.for_account(account)
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    assert sorted(names(mine.suppressed(two_days_ago))) == ["expired", "suppressed"]
    assert names(mine.open_unsuppressed(two_days_ago).worst_first()) == ["critical", "open"]


def test_state_counts_and_suppressed_now_agree_with_the_filters(findings):
    account, made = findings
    mine = Finding.objects.for_account(account)
    assert mine.state_counts() == {"open": 3, "suppressed": 1, "resolved": 1, "all": 5}
    flags = {f.resource_name: f.suppressed_now for f in mine.with_suppressed_now()}
    assert flags == {
        "open": False,
        "critical": False,
        "suppressed": True,
        "expired": False,
        "resolved": False,
    }
    assert Finding.objects.for_accounts([account.pk]).count() == len(made)


def test_status_sets_cover_every_status_once():
    assert set(Scan.ACTIVE) | set(Scan.ENDED) == set(Scan.Status.values)
    assert not set(Scan.ACTIVE) & set(Scan.ENDED)
    assert set(Scan.WITH_RESULTS) == set(Scan.ENDED) - {Scan.Status.FAILED}
    assert set(ScanRegion.ACTIVE) | set(ScanRegion.ENDED) == set(ScanRegion.Status.values)
    assert not set(ScanRegion.ACTIVE) & set(ScanRegion.ENDED)

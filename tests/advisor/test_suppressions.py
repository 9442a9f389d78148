"""Suppressed findings are kept, shown apart, and return when the suppression expires."""

import datetime as dt

import pytest
from django.utils import timezone

from advisor.models import Finding, Scan
from advisor.services.suppressions import (
    SuppressionError,
    apply_suppressions,
    suppress_findings,
    suppression_create,
    suppression_delete,
)
from tests.factories import make_account, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def account_with_findings():
    account = make_account(make_workspace())
    scan = Scan.objects.create(account=account, regions=["us-east-1"], status="succeeded")
    now = timezone.now()
    for name in ["legacy-a", "legacy-b", "orders"]:
        Finding.objects.create(
            account=account,
            rule_id="deprecated-runtime",
            resource_arn=f"arn:aws:lambda:us-east-1:{account.account_id}:function:{name}",
            region="us-east-1",
            severity="high",
            pillar="security",
            title="t",
            message="m",
            first_seen_scan=scan,
            last_seen_scan=scan,
            first_seen_at=now,
            last_seen_at=now,
        )
    return account


def open_findings(account):
    return Finding.objects.for_account(account).open_unsuppressed()


def names(findings):
    return sorted(f.resource_name for f in findings)


def test_pattern_suppression_hides_matching_findings_and_keeps_them(account_with_findings):
    account = account_with_findings
    suppression_create(
        account=account,
        rule_id="deprecated-runtime",
        resource_pattern="arn:aws:lambda:*:function:legacy-*",
        reason="retiring in Q1",
    )
    assert names(open_findings(account)) == ["orders"]
    assert names(Finding.objects.for_account(account).suppressed()) == [
        "legacy-a",
        "legacy-b",
    ]
    assert Finding.objects.filter(account=account).count() == 3


def test_other_rules_are_not_hidden_by_a_rule_suppression(account_with_findings):
    account = account_with_findings
    suppression_create(
        account=account, rule_id="tracing-disabled", resource_pattern="*", reason="no X-Ray"
    )
    assert len(open_findings(account)) == 3


def test_expired_suppression_lets_findings_return(account_with_findings):
    account = account_with_findings
    [suppression] = suppress_findings(
        findings=Finding.objects.filter(resource_arn__endswith="orders"),
        reason="accepted risk",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    assert names(open_findings(account)) == [
        "legacy-a",
        "legacy-b",
    ]
    suppression.expires_at = timezone.now() - dt.timedelta(seconds=1)
    suppression.save()
    assert names(open_findings(account)) == [
        "legacy-a",
        "legacy-b",
        "orders",
    ]
    apply_suppressions(account=account)  # the next scan clears the link
    assert not Finding.objects.filter(suppression__isnull=False).exists()


def test_deleting_a_suppression_shows_its_findings_again(account_with_findings):
    account = account_with_findings
    suppression = suppression_create(
        account=account, rule_id="deprecated-runtime", resource_pattern="*", reason="later"
    )
    assert len(open_findings(account)) == 0
    suppression_delete(suppression=suppression)
    assert len(open_findings(account)) == 3


@pytest.mark.parametrize(
    ("reason", "expires", "message"),
    [("  ", None, "Say why"), ("ok", dt.timedelta(days=-1), "in the future")],
)
def test_bad_suppressions_are_refused(account_with_findings, reason, expires, message):
    with pytest.raises(SuppressionError, match=message):
        suppression_create(
            account=account_with_findings,
            rule_id="deprecated-runtime",
            resource_pattern="*",
            reason=reason,
            expires_at=timezone.now() + expires if expires else None,
        )

"""The scan's email shows one reconciled change for a function whose findings disagree."""

import pytest

from advisor.reports.email import scan_report_message
from advisor.reports.scan_report import build_scan_report
from tests.dashboard.builders import make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db


def test_the_email_settles_a_disputed_timeout_once_with_both_reasons():
    # given checkout-api behind a 29 s API, its invocations asking for a 90 s timeout
    account = make_account(make_workspace(members={make_user(): "owner"}), name="acme-prod")
    scan = make_scan(account)
    checkout = make_function(scan, "checkout-api", timeout_s=120)
    make_finding(
        checkout,
        rule_id="apigw-timeout-exceeds-integration",
        severity="high",
        message="checkout-api's 120 s timeout outlasts its API's 29 s integration timeout.",
        evidence={"suggested_timeout_s": 28},
    )
    make_finding(
        checkout,
        rule_id="timeouts-observed",
        message="checkout-api ran up to 110 s of its 120 s timeout.",
        evidence={"suggested_timeout_s": 165},
    )
    # and a function whose one finding disputes nothing
    other = make_function(scan, "orders-api")
    make_finding(other, rule_id="memory-starved", evidence={"suggested_memory_mb": 1024})
    # when the report is written
    report = build_scan_report(scan)
    message = scan_report_message(report, to="ops@example.com")
    html = message.alternatives[0].content
    # then one change is shown for checkout-api, with both reasons, in both parts
    assert [fix.function_name for fix in report.fixes] == ["checkout-api"]
    for body in (message.body, html):
        assert "One fix per function".upper() in body.upper()
        assert "120 → 28 s" in body or "120 -> 28 s" in body
        assert "29 s integration timeout" in body and "ran up to 110 s" in body
        assert "hard limit" in body
        assert "--function-name checkout-api --timeout 28" in body
        assert "--timeout 165" not in body.split("ONE FIX")[-1].split("COST")[0]
    assert 'data-function="orders-api"' not in html

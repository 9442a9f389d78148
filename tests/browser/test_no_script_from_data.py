"""No script runs from a customer's data, and every page carries the Content-Security-Policy.

Given an AWS account in the emulator whose free-text strings hold script (function descriptions,
tags, REST and HTTP API names, an EventBridge rule named in a resource policy), scanned for real
over HTTP twice (the overview's trend chart needs two scans), and names a user typed holding script
too (workspace, account, report recipient, suppression reason, thresholds, searches, planner
inputs, the connect form), a member visits every page of the dashboard, the report preview, the
admin, and the emails themselves. Any JavaScript dialog, any Content-Security-Policy violation
(the browser's console message or a securitypolicyviolation event), any console error, or a page
without the policy fails the test.
"""

from __future__ import annotations

import contextlib
import urllib.parse

import pytest

from accounts.audit import Action, audit_record
from advisor.models import Finding, FunctionRecord
from advisor.reports.digest import Week, build_workspace_digest
from advisor.reports.email import digest_message, scan_report_message
from advisor.reports.scan_report import build_scan_report
from advisor.reports.unsubscribe import Unsubscribe, unsubscribe_token
from advisor.services.recipients import recipients_set
from tests.browser.conftest import log_in, shot
from tests.browser.planted import Plants, plant_aws_estate
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import reader_role
from tests.reports.builders import scan_inline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reported by an init script in every frame: the policy refusing something is a failure even where
# the browser logs no console error for it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI} ${e.sample}`);
});
"""


def html_of(message) -> str:
    return next(content for content, mime in message.alternatives if mime == "text/html")


@pytest.fixture
def planted(transactional_db, aws) -> dict:
    """Built before the browser starts (see test_dashboard.estate for why)."""
    plant = Plants()
    owner = make_user("pat", email="pat@example.com", is_staff=True, is_superuser=True)
    workspace = make_workspace(plant("workspace name"), members={owner: "owner"})
    account = make_account(
        workspace, name=plant("account name"), endpoint_url=aws, account_id="444455556666"
    )
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    # the audit log shows names and reasons people typed
    audit_record(
        workspace=workspace,
        actor=owner,
        action=Action.FINDINGS_SUPPRESSED,
        target=plant("audit target"),
        reason=plant("audit reason"),
    )
    plant_aws_estate(session, aws, account.account_id, plant)
    scan_inline(account)
    scan = scan_inline(account)
    # A quoted local part may hold any of these characters: Django accepts it, so will AWS SES.
    recipient = f'"{plant("report recipient")}"@example.com'
    recipients_set(account=account, emails=[recipient])
    report = build_scan_report(scan)
    emails = {
        "scan-report": html_of(scan_report_message(report, to=recipient)),
        "digest": html_of(
            digest_message(
                build_workspace_digest(workspace, Week.before(scan.finished_at)), to=recipient
            )
        ),
    }
    return {
        "plant": plant,
        "account": account,
        "scan": scan,
        "orders": FunctionRecord.objects.get(scan=scan, name="orders-api"),
        "events": FunctionRecord.objects.get(scan=scan, name="events-target"),
        "finding": Finding.objects.filter(account=account).first(),
        "emails": emails,
        "token": unsubscribe_token(
            Unsubscribe(workspace_id=workspace.pk, email=recipient, account_id=account.pk)
        ),
    }


def dashboard_pages(planted: dict, plant: Plants) -> list[str]:
    """Every page a member can open (config/urls.py, advisor/urls.py, accounts/urls.py,
    advisor/reports/urls.py), with planted text in every query a page shows back."""
    account, scan = planted["account"], planted["scan"]
    q = urllib.parse.quote(plant("search"))
    planner = urllib.parse.urlencode(
        {
            "monthly_requests": plant("planner requests"),
            "avg_duration_ms": plant("planner duration"),
            "memory_mb": "512",
        }
    )
    return [
        "/",
        "/functions/",
        f"/functions/?q={q}",
        f"/functions/{planted['orders'].pk}/",
        f"/functions/{planted['events'].pk}/",
        "/findings/",
        f"/findings/?q={q}",
        "/findings/?status=resolved",
        "/scans/",
        f"/scans/{scan.pk}/",
        f"/accounts/{account.pk}/cost-opportunities/",
        "/rules/",
        f"/workspaces/{account.workspace_id}/thresholds/",
        "/workspaces/",
        f"/workspaces/{account.workspace_id}/members/",
        f"/workspaces/{account.workspace_id}/audit/",
        "/planner/?monthly_requests=5000000&avg_duration_ms=200&memory_mb=512",
        f"/planner/?{planner}",
        "/aws-accounts/",
        f"/aws-accounts/{account.pk}/",
        f"/aws-accounts/{account.pk}/edit/",
        f"/aws-accounts/{account.pk}/schedule/",
        "/aws-accounts/connect/",
        f"/reports/accounts/{account.pk}/preview/",
        "/admin/",
        "/admin/accounts/awsaccount/",
        f"/admin/accounts/awsaccount/{account.pk}/change/",
        "/admin/accounts/workspace/",
        "/admin/advisor/finding/",
        "/auth/password_change/",
        "/healthz",
    ]


def test_no_page_runs_script_from_data_and_every_page_has_the_policy(
    planted, browser_page, live_server
):
    from playwright.sync_api import Error as PlaywrightError  # the dev extra, as in conftest

    page, problems = browser_page
    plant: Plants = planted["plant"]
    base = live_server.url

    def on_dialog(dialog) -> None:
        problems.append(f"dialog on {page.url}: {dialog.message} ({plant.where(dialog.message)})")
        with contextlib.suppress(PlaywrightError):  # already gone when the page moved on
            dialog.dismiss()

    def on_response(response) -> None:
        if response.request.resource_type != "document" or not response.url.startswith(base):
            return
        policy = response.headers.get("content-security-policy", "")
        if "script-src 'self'" not in policy or "'unsafe-inline'" in policy:
            problems.append(f"no strict Content-Security-Policy on {response.url}: {policy!r}")

    page.on("dialog", on_dialog)
    page.on("response", on_response)
    page.add_init_script(REPORT_VIOLATIONS)

    # the signed-out pages: log in, password reset, and the unsubscribe link's confirmation
    page.goto(f"{base}/reports/unsubscribe/{planted['token']}/")
    page.goto(f"{base}/auth/password_reset/")
    log_in(page, base, "pat")

    # every dashboard page, with charts drawn and htmx's loads swapped in
    for url in dashboard_pages(planted, plant):
        response = page.goto(base + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/functions/{planted['orders'].pk}/")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3")
    page.goto(f"{base}/")
    page.wait_for_selector(".chart .js-plotly-plot, .js-plotly-plot.chart")
    assert problems == []

    # the report preview renders the HTML email in its frame, the planted names as text
    page.goto(f"{base}/reports/accounts/{planted['account'].pk}/preview/")
    frame = page.frame_locator("iframe.report-frame")
    assert "<svg/onload=alert(" in frame.locator("body").inner_text()
    assert "<svg/onload=alert(" in page.locator("pre.report-text").inner_text()
    shot(page, "xss-report-preview")

    # the forms: what a user types is shown back as text, saved or refused
    page.goto(f"{base}/findings/")
    page.locator("input[name=finding]").first.check()
    page.get_by_label("Reason (required)").fill(plant("suppression reason"))
    page.get_by_role("button", name="Suppress selected").click()
    page.wait_for_selector("text=Suppressed 1 finding.")
    page.goto(f"{base}/findings/?status=suppressed")
    assert "<svg/onload=alert(" in page.locator("main").inner_text()

    page.goto(f"{base}/workspaces/{planted['account'].workspace_id}/thresholds/")
    page.locator("main input[type=text]").first.fill(plant("threshold"))
    page.get_by_role("button", name="Save thresholds").click()
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/aws-accounts/{planted['account'].pk}/schedule/")
    page.get_by_label("Report recipients").fill(plant("refused recipient"))
    page.get_by_role("button", name="Save").click()
    assert "Not valid email addresses" in page.locator("main").inner_text()

    page.goto(f"{base}/aws-accounts/connect/")
    page.get_by_label("Name", exact=True).fill(plant("new account name"))
    page.get_by_label("AWS account id").fill(plant("new account id"))
    page.get_by_label("IAM role ARN").fill(plant("new role ARN"))
    page.get_by_role("button", name="Connect").click()
    assert "exactly 12 digits" in page.locator("main").inner_text()

    page.goto(f"{base}/aws-accounts/{planted['account'].pk}/")
    page.get_by_role("button", name="Test connection").click()
    page.wait_for_load_state("networkidle")
    shot(page, "xss-test-connection")

    # the emails themselves, outside the dashboard and its policy, as a mail client shows them
    page.goto("about:blank")  # set_content keeps the current document's policy
    for name, html in planted["emails"].items():
        page.set_content(html)
        assert "<svg/onload=alert(" in page.locator("body").inner_text(), name
        shot(page, f"xss-email-{name}")

    assert problems == []

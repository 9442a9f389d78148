"""Accessibility in a real browser: axe-core's WCAG 2.x A and AA checks on every page, keyboard
use (skip link, visible focus, sortable headings reached by Tab), and phone width without the
page scrolling sideways (wide tables scroll inside their own box).

axe-core comes from the axe-playwright-python package (its bundled axe.min.js), injected into
each page; any violation fails with its rule, impact and the offending elements.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import Organization
from advisor.reports.unsubscribe import Unsubscribe, unsubscribe_token
from tests.browser.conftest import log_in, shot
from tests.dashboard.builders import add_api, make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def estate(transactional_db) -> dict:
    owner = make_user("abby")
    workspace = make_workspace(members={owner: "owner"})
    account = make_account(workspace, name="acme-prod")
    make_scan(account, finding_count=3)
    scan = make_scan(account)
    orders = make_function(scan, "orders-api")
    add_api(orders, timeout_ms=29_000)
    make_finding(orders, rule_id="tracing-disabled", severity="low")
    make_finding(orders, rule_id="apigw-timeout-exceeds-integration", severity="high")
    make_finding(orders, rule_id="deprecated-runtime", severity="critical", pillar="security")
    make_function(scan, "nightly-reports", runtime="nodejs20.x", arch="arm64")
    organization = Organization.objects.create(
        workspace=workspace,
        name="acme-org",
        role_arn="arn:aws:iam::210987654321:role/LambdaAdvisorOrganizationReader",
        organization_id="o-a1b2c3d4e5",
        management_account_id="210987654321",
        regions=["us-east-1"],
        last_sync_error="AccessDenied: the role may not list the organisation's accounts",
    )
    for n, (state, role) in enumerate(
        [("ACTIVE", "deployed"), ("ACTIVE", "not_deployed"), ("SUSPENDED", "")]
    ):
        make_account(
            workspace,
            name=f"member-{n}",
            organization=organization,
            external_id=organization.external_id,
            org_state=state,
            role_state=role,
            role_error="AccessDenied: not authorized to perform sts:AssumeRole" if role else "",
        )
    return {"orders": orders, "account": account, "scan": scan, "organization": organization}


def pages(estate) -> list[tuple[str, str]]:
    account, orders, scan = estate["account"], estate["orders"], estate["scan"]
    return [
        ("overview", "/"),
        ("functions", "/functions/?sort=memory&dir=desc"),
        ("function", f"/functions/{orders.pk}/"),
        ("findings", "/findings/"),
        ("findings-resolved", "/findings/?status=resolved"),
        ("scans", "/scans/"),
        ("scan", f"/scans/{scan.pk}/"),
        ("rules", "/rules/"),
        ("fleet", "/fleet/"),
        ("fleet-search", "/fleet/?q=orders"),
        ("planner", "/planner/?monthly_requests=5000000&avg_duration_ms=200&memory_mb=512"),
        ("planner-error", "/planner/?monthly_requests=-5&avg_duration_ms=200&memory_mb=512"),
        ("accounts", "/aws-accounts/"),
        ("account", f"/aws-accounts/{account.pk}/"),
        ("account-edit", f"/aws-accounts/{account.pk}/edit/"),
        ("account-schedule", f"/aws-accounts/{account.pk}/schedule/"),
        ("connect", "/aws-accounts/connect/"),
        ("organization-connect", "/aws-accounts/organizations/connect/"),
        ("organization", f"/aws-accounts/organizations/{estate['organization'].pk}/"),
        ("organization-edit", f"/aws-accounts/organizations/{estate['organization'].pk}/edit/"),
        (
            "organization-schedule",
            f"/aws-accounts/organizations/{estate['organization'].pk}/schedule/",
        ),
        ("thresholds", f"/workspaces/{account.workspace_id}/thresholds/"),
        ("workspaces", "/workspaces/"),
        ("members", f"/workspaces/{account.workspace_id}/members/"),
        ("audit-log", f"/workspaces/{account.workspace_id}/audit/"),
        ("report-preview", f"/reports/accounts/{account.pk}/preview/"),
    ]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]


def settle(page) -> None:
    """Wait until charts are drawn and htmx has swapped what it loads after the page."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "document.querySelectorAll('.chart').length === "
        "document.querySelectorAll('.chart .js-plotly-plot, .js-plotly-plot.chart').length"
    )


def test_every_page_passes_axe_wcag_checks(estate, browser_page, live_server):
    page, problems = browser_page
    log_in(page, live_server.url, "abby")
    found = {}
    for name, url in pages(estate):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        settle(page)
        violations = axe_violations(page)
        if violations:
            found[url] = violations
            shot(page, f"a11y-{name}")
    assert not found, "\n".join(f"{url}: {v}" for url, vs in found.items() for v in vs)
    # The pages a signed-out visitor sees: log in, and a report's unsubscribe link.
    page.context.clear_cookies()
    token = unsubscribe_token(
        Unsubscribe(workspace_id=estate["account"].workspace_id, email="ops@example.com")
    )
    for url in ["/auth/login/", f"/reports/unsubscribe/{token}/", "/reports/unsubscribe/bad/"]:
        page.goto(live_server.url + url)
        assert axe_violations(page) == [], url
    # The damaged link's page is a 400 on purpose; Chromium logs that as a console error.
    expected = "the server responded with a status of 400"
    problems[:] = [p for p in problems if expected not in p]
    page.goto(f"{live_server.url}/reports/unsubscribe/{token}/")
    page.get_by_role("button").click()  # the confirmation, after the POST
    assert axe_violations(page) == []
    assert problems == []


def test_the_sign_in_lockout_page_passes_axe_wcag_checks(estate, browser_page, live_server):
    page, problems = browser_page
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/auth/login/")
        page.get_by_label("Username").fill("abby")
        page.get_by_label("Password").fill("not-her-password")
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Too many failed sign-ins").is_visible()
    assert axe_violations(page) == []
    shot(page, "login-locked-out")
    # The lockout is a 429 on purpose; Chromium logs that as a console error.
    assert [p for p in problems if "status of 429" not in p] == []


def test_keyboard_reaches_content_and_shows_focus(estate, browser_page, live_server):
    page, problems = browser_page
    log_in(page, live_server.url, "abby")
    page.goto(f"{live_server.url}/functions/")
    # The first Tab lands on the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Every focusable element shows where focus is (an outline or a box shadow).
    for _ in range(12):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth,"
            " s.boxShadow]; })()"
        )
        tag, outline_style, outline_width, shadow = style
        assert tag != "BODY", "focus fell off the page"
        assert (outline_style != "none" and outline_width != "0px") or shadow != "none", style
    # A sortable column heading is a link reached and followed by the keyboard.
    heading = page.get_by_role("link", name="Memory (MB)")
    heading.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/functions/?*sort=memory*")
    assert page.locator("th[aria-sort]").first.get_attribute("aria-sort") in (
        "ascending",
        "descending",
    )
    assert problems == []


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_the_width_without_sideways_scrolling(estate, browser_page, live_server, width):
    page, problems = browser_page
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server.url, "abby")
    too_wide = {}
    for name, url in pages(estate):
        page.goto(live_server.url + url)
        settle(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            too_wide[url] = overflow
        shot(page, f"width-{width}-{name}")
    assert too_wide == {}
    assert problems == []

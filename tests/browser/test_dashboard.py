"""The dashboard in a real browser: headless Chromium driven by Playwright against a live server.

Log in, open the overview, the functions list and a function (its Plotly charts drawn), suppress a
finding and see it on the suppressed tab, export CSV and read its rows, use the planner. Any
browser console error or page error fails the test. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.conftest import log_in, shot
from tests.dashboard.builders import add_api, make_finding, make_function, make_scan
from tests.factories import PASSWORD, make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def estate(transactional_db) -> dict:
    """An owner with one scanned account: a function behind an API, with findings.

    Built before the browser starts: Playwright's sync API runs the test in a greenlet with its
    own context, where the ORM would open a second connection that is never closed."""
    owner = make_user("olivia")
    workspace = make_workspace(members={owner: "owner"})
    account = make_account(workspace, name="acme-prod")
    make_scan(account, finding_count=3)  # an earlier scan, for the trend
    scan = make_scan(account)
    orders = make_function(scan, "orders-api")
    add_api(orders, timeout_ms=29_000)
    make_finding(orders, rule_id="tracing-disabled", severity="low")
    make_finding(
        orders,
        rule_id="apigw-timeout-exceeds-integration",
        severity="high",
        pillar="reliability",
    )
    make_function(scan, "nightly-reports", runtime="nodejs20.x", arch="arm64")
    return {"orders": orders, "account": account}


def test_dashboard_end_to_end(estate, browser_page, live_server):
    # given the estate above
    page, problems = browser_page
    orders = estate["orders"]
    base = live_server.url

    # when she logs in through the form
    page.goto(f"{base}/auth/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    # then the overview shows her account
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert page.get_by_text("acme-prod").first.is_visible()
    # the trend chart is drawn and htmx has loaded the cost opportunities in place
    page.wait_for_selector("#chart-trend ~ * .js-plotly-plot, .chart.js-plotly-plot")
    page.wait_for_selector(f"#opps-{estate['account'].pk}")
    shot(page, "overview")

    # the functions list, searched
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Functions").click()
    assert page.locator("tbody tr").count() == 2
    assert page.locator("td[data-verdict='lambda']").count() == 2
    page.get_by_label("Search").fill("orders")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/functions/?q=orders*")
    assert page.locator("tbody tr").count() == 1
    shot(page, "functions")

    # a function: charts drawn by Plotly, findings with fixes, the decision card
    page.get_by_role("link", name="orders-api").click()
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3")
    assert page.locator(".js-plotly-plot").count() >= 3
    assert page.get_by_text("GET /orders").is_visible()
    assert page.get_by_role("heading", name="Where this workload belongs").is_visible()
    # the decision's cost chart, built server-side as plain JSON, drawn with a line per option
    page.wait_for_selector('[data-figure="chart-cost"].js-plotly-plot')
    assert page.locator('[data-figure="chart-cost"] .scatterlayer .trace').count() >= 2
    assert page.locator("[data-copy]").first.is_visible()
    shot(page, "function-detail")

    # suppress a finding; it moves to the suppressed tab
    page.goto(f"{base}/findings/")
    page.get_by_label("Select tracing-disabled on orders-api").check()
    page.get_by_label("Reason (required)").fill("internal tool, accepted")
    page.get_by_role("button", name="Suppress selected").click()
    page.wait_for_selector("text=Suppressed 1 finding.")
    assert page.locator("tbody tr").count() == 1
    page.get_by_role("link", name="Suppressed 1").click()
    page.wait_for_url("**/findings/?status=suppressed*")
    assert page.get_by_text("internal tool, accepted").is_visible()
    shot(page, "findings-suppressed")

    # export the open findings as CSV and read its rows
    page.get_by_role("link", name="Open 1").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text())))
    assert [(r["rule_id"], r["resource_arn"]) for r in rows] == [
        ("apigw-timeout-exceeds-integration", orders.arn)
    ]

    # the planner: an error next to its field, then a verdict with its chart
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Planner").click()
    page.get_by_label("Requests per month").fill("-5")
    page.get_by_label("Average duration (ms)").fill("200")
    page.get_by_label("Memory (MB)").fill("512")
    page.get_by_role("button", name="Show the verdict").click()
    assert "cannot be negative" in page.locator("#p-monthly_requests-error").inner_text()
    page.get_by_label("Requests per month").fill("5000000")
    page.get_by_role("button", name="Show the verdict").click()
    page.wait_for_selector(".js-plotly-plot")
    assert "monthly_requests=5000000" in page.url
    assert page.locator("[data-verdict]").inner_text()
    shot(page, "planner")

    # and a phone-width look at the function page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/functions/{orders.pk}/")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3")
    shot(page, "function-detail-phone")

    assert problems == []


@pytest.fixture
def connected_account(transactional_db, aws) -> dict:
    """An admin and an account connected to the emulator, with two functions to scan."""
    admin = make_user("arthur")
    account = make_account(
        make_workspace(members={admin: "admin"}),
        name="acme-live",
        endpoint_url=aws,
        account_id="343434343434",
    )
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    create_function(session, aws, name="legacy-billing", runtime="python3.8")
    create_function(session, aws, name="orders-api")
    return {"account": account}


def test_scan_now_runs_in_the_worker_and_the_page_follows_it(
    connected_account, celery_worker_process, browser_page, live_server
):
    # given an account connected to the emulator and a worker on Redis
    page, problems = browser_page
    base = live_server.url
    log_in(page, base, "arthur")

    # when he presses "Scan now"
    page.get_by_role("button", name="Scan now").click()

    # then the scan page follows the worker until the scan has finished
    page.wait_for_url("**/scans/*/")
    page.wait_for_selector(
        "[data-status=succeeded], [data-status=partial], [data-status=failed]", timeout=90_000
    )
    shot(page, "scan-finished")
    assert page.locator("[data-status=succeeded], [data-status=partial]").count() >= 1, (
        celery_worker_process.read_text()[-2000:]
    )
    # and the findings are on the overview
    page.goto(f"{base}/")
    assert page.get_by_text("legacy-billing").first.is_visible()
    assert problems == []

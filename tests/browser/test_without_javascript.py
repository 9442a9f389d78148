"""The dashboard with JavaScript turned off: everything but the charts and live updates works
through links and forms (a running scan's page refreshes itself instead)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from advisor.models import Scan
from tests.browser.conftest import log_in, shot
from tests.dashboard.builders import add_api, make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def javascript() -> bool:
    return False


@pytest.fixture
def estate(transactional_db) -> dict:
    owner = make_user("nojs")
    account = make_account(make_workspace(members={owner: "owner"}), name="acme-prod")
    scan = make_scan(account)
    orders = make_function(scan, "orders-api", memory_mb=1024)
    add_api(orders, timeout_ms=29_000)
    make_finding(orders, rule_id="tracing-disabled", severity="low")
    make_finding(orders, rule_id="deprecated-runtime", severity="critical", pillar="security")
    make_function(scan, "nightly-reports", memory_mb=256)
    running = make_scan(account, status=Scan.Status.RUNNING)
    return {"orders": orders, "account": account, "running": running}


def finish_in_another_thread(scan_pk: int) -> None:
    """Mark the scan finished as a worker would: from another thread, with its own connection,
    closed afterwards (the test body runs in Playwright's greenlet, where a connection opened by
    the ORM would outlive the test)."""

    def finish() -> None:
        try:
            Scan.objects.filter(pk=scan_pk).update(
                status=Scan.Status.SUCCEEDED, finished_at=timezone.now()
            )
        finally:
            connection.close()

    thread = threading.Thread(target=finish)
    thread.start()
    thread.join()


def test_every_task_but_charts_and_live_updates_works_without_javascript(
    estate, browser_page, live_server
):
    page, problems = browser_page
    base = live_server.url
    log_in(page, base, "nojs")

    # the overview links to the cost opportunities htmx would have loaded in place
    page.get_by_role("link", name="See the cost opportunities").click()
    page.wait_for_url(f"**/accounts/{estate['account'].pk}/cost-opportunities/")
    assert page.get_by_role("heading", level=1).is_visible()

    # the functions list: search with the form, sort with a heading link
    page.goto(f"{base}/functions/")
    page.get_by_label("Search").fill("orders")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/functions/?q=orders*")
    assert page.locator("tbody tr").count() == 1
    page.goto(f"{base}/functions/")
    page.get_by_role("link", name="Memory (MB)").click()
    page.wait_for_url("**sort=memory*")
    names = page.locator("tbody tr th").all_inner_texts()
    assert [n.strip() for n in names] == ["orders-api", "nightly-reports"]  # biggest first

    # a function's page: everything but the charts, the fixes shown to select by hand
    page.get_by_role("link", name="orders-api").click()
    assert page.get_by_role("heading", name="Where this workload belongs").is_visible()
    assert page.get_by_text("GET /orders").is_visible()
    assert page.locator(".js-plotly-plot").count() == 0
    page.locator("summary", has_text="day by day").click()  # the charts' numbers instead
    assert page.locator("details.daily tbody tr").count() >= 14
    assert page.get_by_text("aws lambda update-function-configuration").first.is_visible()
    assert not page.locator("[data-copy]").first.is_visible()  # copying needs a script
    shot(page, "nojs-function")

    # suppress a finding with the plain form
    page.goto(f"{base}/findings/")
    page.get_by_label("Select tracing-disabled on orders-api").check()
    page.get_by_label("Reason (required)").fill("accepted")
    page.get_by_role("button", name="Suppress selected").click()
    page.wait_for_selector("text=Suppressed 1 finding.")
    assert page.locator("tbody tr").count() == 1

    # the planner answers a submitted form
    page.goto(f"{base}/planner/")
    page.get_by_label("Requests per month").fill("5000000")
    page.get_by_label("Average duration (ms)").fill("200")
    page.get_by_label("Memory (MB)").fill("512")
    page.get_by_role("button", name="Show the verdict").click()
    assert page.locator("[data-verdict]").inner_text()

    # a running scan's page reloads itself until the scan has finished
    running = estate["running"]
    page.goto(f"{base}/scans/{running.pk}/")
    assert page.locator("[data-status=running]").count() == 1
    finish_in_another_thread(running.pk)
    page.wait_for_selector("[data-status=succeeded]", timeout=10_000)
    shot(page, "nojs-scan-finished")
    assert problems == []

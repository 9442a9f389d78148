"""In a real browser, at phone and laptop widths: the planner's cost table and the cost
opportunities at the edge of the model's range keep every figure inside its own cell."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.browser.conftest import log_in, shot
from tests.dashboard.builders import make_function, make_scan
from tests.factories import make_account, make_user, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HUGE = (
    "/planner/?monthly_requests=1000000000000&avg_duration_ms=900000&memory_mb=10240"
    "&front_door=apigw-rest&init_duration_ms=9000&cold_start_percent=100"
)

# Cells whose content is wider than the cell itself: what runs into the next column.
OVERFLOWING = """selector => [...document.querySelectorAll(selector)]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent.trim())"""
# Tables wider than the box that holds them.
TOO_WIDE = """selector => [...document.querySelectorAll(selector)]
  .filter(t => t.offsetWidth > t.parentElement.clientWidth + 1)
  .map(t => t.className + ': ' + t.offsetWidth + ' > ' + t.parentElement.clientWidth)"""


@pytest.fixture
def estate(transactional_db) -> dict:
    owner = make_user("abby")
    account = make_account(make_workspace(members={owner: "owner"}), name="acme-prod")
    scan = make_scan(account)
    make_function(scan, "enormous", per_hour=10_000_000, duration_ms=600_000, memory_mb=10240)
    call_command("analyse_scans", stdout=io.StringIO())  # as a scan's finish stores it
    return {"account": account}


@pytest.mark.parametrize("width", [390, 1280])
def test_no_figure_runs_into_the_next_column(estate, browser_page, live_server, width):
    page, problems = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "abby")

    page.goto(live_server.url + HUGE, timeout=60_000)  # a loaded machine may be slow
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-verdict]").count() == 1
    assert page.evaluate(OVERFLOWING, "table.costs td, table.costs th") == []
    assert page.evaluate(OVERFLOWING, ".decision .reasons li, .decision .notes li") == []
    assert page.evaluate(TOO_WIDE, "table.costs") == []
    shot(page, f"wide-figures-planner-{width}")

    page.goto(
        f"{live_server.url}/accounts/{estate['account'].pk}/cost-opportunities/", timeout=60_000
    )
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("enormous").count() >= 1
    assert page.evaluate(OVERFLOWING, ".opportunities td, .opportunities th") == []
    assert page.evaluate(TOO_WIDE, ".opportunities table") == []
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 1
    )
    shot(page, f"wide-figures-opportunities-{width}")
    assert problems == []

"""The overview: each account's latest scan and worst findings, the trend of findings over the
last scans, and the biggest cost opportunities (loaded after the page, see below)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import account_for
from advisor import charts
from advisor.selectors import common
from advisor.selectors import overview as selectors

ACCOUNT_PAGE_SIZE = 20


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    rows = selectors.overview_rows(request.user)
    # The workspaces add up every account; the account cards (each with its worst findings and
    # its cost opportunities fragment) come a page at a time.
    page = Paginator(rows, ACCOUNT_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    selectors.attach_worst_findings(shown)
    common.attach_function_links(
        [f for row in shown for f in row["findings"]],
        latest_scan_ids=[row["results_scan_id"] for row in shown if row["results_scan_id"]],
    )
    trend = charts.findings_trend_chart(selectors.findings_trend_rows(request.user))
    return render(
        request,
        "advisor/overview.html",
        {
            "rows": shown,
            "page": page,
            "workspaces": selectors.workspace_summaries(rows),
            "trend": trend,
        },
    )


@require_GET
def cost_opportunities(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's top cost opportunities from its latest scan with results (worked out when
    the scan finished). The overview loads this fragment after it has rendered (htmx), and links to
    it without JavaScript."""
    account = account_for(request.user, pk)
    scan = common.latest_scan_with_results(account)
    context = {"account": account, "scan": scan, "opportunities": [], "no_prices": []}
    if scan is not None and scan.cost_opportunities is not None:
        context.update(scan.cost_opportunities)
    template = (
        "advisor/_opportunities.html"
        if request.headers.get("HX-Request")
        else "advisor/opportunities.html"
    )
    return render(request, template, context)

"""The overview: each account's latest scan and worst findings, the trend of findings over the
last scans, and the biggest cost opportunities (loaded after the page, see below)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import account_for
from advisor import charts
from advisor import selectors_dashboard as sd
from advisor.services.opportunities import opportunities_of


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    rows = sd.overview_rows(request.user)
    trend = charts.findings_trend_chart(sd.findings_trend_rows(request.user))
    return render(
        request,
        "advisor/overview.html",
        {"rows": rows, "workspaces": sd.workspace_summaries(rows), "trend": trend},
    )


@require_GET
def cost_opportunities(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's top cost opportunities from its latest finished scan (worked out when the
    scan finished). The overview loads this fragment after it has rendered (htmx), and links to
    it without JavaScript."""
    account = account_for(request.user, pk)
    scan = sd.latest_finished_scan_of(account)
    context = {"account": account, "scan": scan, "opportunities": [], "no_prices": []}
    if scan is not None:
        context.update(opportunities_of(scan))
    template = (
        "advisor/_opportunities.html"
        if request.headers.get("HX-Request")
        else "advisor/opportunities.html"
    )
    return render(request, template, context)

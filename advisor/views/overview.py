"""The overview: each account's latest scan and worst findings, the trend of findings over the
last scans, and the biggest cost opportunities (loaded after the page, see below)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import account_for
from advisor import charts
from advisor import selectors_dashboard as sd
from advisor.collect.inventory import Inventory, RegionInventory
from advisor.decide import account_cost_opportunities
from advisor.models import FunctionRecord, ScanRegion

TOP_OPPORTUNITIES = 10
# A finished scan never changes, so its opportunities are cached by scan id for a day.
OPPORTUNITIES_CACHE_SECONDS = 24 * 3600


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
    """An account's top cost opportunities from its latest finished scan.

    Reading a scan's whole inventory is the slowest thing the overview could do, so the overview
    asks for this fragment after it has rendered (htmx), and links to it without JavaScript."""
    account = account_for(request.user, pk)
    scan = sd.latest_finished_scan_of(account)
    context = {"account": account, "scan": scan, "opportunities": [], "no_prices": []}
    if scan is not None:
        key = f"advisor:cost-opportunities:{scan.pk}:{TOP_OPPORTUNITIES}"
        found = cache.get(key)
        if found is None:
            found = _top_opportunities(scan)
            cache.set(key, found, OPPORTUNITIES_CACHE_SECONDS)
        context.update(found)
    template = (
        "advisor/_opportunities.html"
        if request.headers.get("HX-Request")
        else "advisor/opportunities.html"
    )
    return render(request, template, context)


def _top_opportunities(scan) -> dict:
    regions = [
        RegionInventory.from_dict(inventory)
        for inventory in ScanRegion.objects.filter(
            scan=scan, status=ScanRegion.Status.DONE, inventory__isnull=False
        ).values_list("inventory", flat=True)
    ]
    result = account_cost_opportunities(
        Inventory(account_id=scan.account.account_id, regions=regions)
    )
    top = result.opportunities[:TOP_OPPORTUNITIES]
    pks = dict(
        FunctionRecord.objects.filter(scan=scan, arn__in=[o.function_arn for o in top]).values_list(
            "arn", "pk"
        )
    )
    return {
        "opportunities": [
            {
                "kind": o.kind,
                "function_name": o.function_name,
                "function_pk": pks.get(o.function_arn),
                "region": o.region,
                "saving": o.monthly_saving_usd,
                "current": o.current_monthly_usd,
                "proposed": o.proposed_monthly_usd,
                "summary": o.summary,
            }
            for o in top
        ],
        "total_saving": round(sum(o.monthly_saving_usd for o in result.opportunities), 2),
        "count": len(result.opportunities),
        "no_prices": result.regions_without_prices,
    }

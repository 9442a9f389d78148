"""The fleet overview: one workspace's accounts side by side (severity and pillar per account,
the worst accounts and functions, totals and their trend per scan day, cost opportunities), and
a search across every account."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from advisor import charts
from advisor.links import url_for_pk
from advisor.models import SEVERITY_ORDER
from advisor.selectors import common
from advisor.selectors import fleet as selectors
from advisor.selectors.overview import PILLARS
from advisor.services.finding_summaries import summaries_refresh
from advisor.views import params

MATRIX_PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 25


def _matrix_rows(rows: list[selectors.FleetAccount], findings_url: str) -> list[dict]:
    """The matrix page's rows with their links and counts worked out here, once per row,
    rather than by template tags and filters in every cell."""
    account_url, scan_url = url_for_pk("accounts:detail"), url_for_pk("advisor:scan-detail")
    return [
        {
            "row": row,
            "account_url": account_url(row.account.pk),
            "scan_url": scan_url(row.scan.pk) if row.scan else None,
            "cells": _count_cells(f"{findings_url}?account={row.account.pk}&", row),
        }
        for row in rows
    ]


_ZERO_CELL = '<td class="num">0</td>'
# The count cells' kinds and keys: constants, nothing of them to escape.
_CELL_KEYS = [("severity", s) for s in SEVERITY_ORDER] + [("pillar", p) for p in PILLARS]


def _count_cells(base: str, row: selectors.FleetAccount) -> SafeString:
    """The row's count cells, by severity then pillar, each count linked to its findings (ten
    cells a row, fifty rows a page: put together once here). The link's base is escaped once;
    the kinds and keys are constants and the counts integers."""
    href = escape(base)
    counts = {"severity": row.severity, "pillar": row.pillar}
    cells = []
    for kind, key in _CELL_KEYS:
        n = int(counts[kind].get(key, 0))
        cells.append(
            f'<td class="num"><a href="{href}{kind}={key}">{n}</a></td>' if n else _ZERO_CELL
        )
    return mark_safe("".join(cells))  # noqa: S308 - every part escaped or a constant above


@require_GET
def fleet(request: HttpRequest) -> HttpResponse:
    q = request.GET
    workspaces = selectors.fleet_workspaces(request.user)
    workspace = selectors.fleet_workspace(workspaces, params.integer(q, "workspace"))
    context = {
        "workspaces": workspaces,
        "workspace": workspace,
        # Reversed once: the matrix links each of its counts to the findings list.
        "findings_url": reverse("advisor:finding-list"),
    }
    if workspace is None:
        return render(request, "advisor/fleet.html", context)
    rows = selectors.fleet_accounts(workspace)
    stale = selectors.stale_scans(rows)
    if stale:  # stored before the counts were, or changed since: counted again, once
        summaries_refresh(stale)
        selectors.attach_summaries([r for r in rows if r.account.pk in stale])
    trend = selectors.fleet_trend(rows)
    search = params.text(q, "q")
    kind = params.choice(q, "kind", selectors.SEARCH_KINDS, selectors.SEARCH_FINDINGS)
    results = None
    if search:
        found = (
            selectors.search_findings(rows, search)
            if kind == selectors.SEARCH_FINDINGS
            else selectors.search_functions(rows, search)
        )
        results = Paginator(found, SEARCH_PAGE_SIZE).get_page(q.get("page"))
        if kind == selectors.SEARCH_FINDINGS:
            common.attach_function_links(list(results.object_list))
    matrix = Paginator(rows, MATRIX_PAGE_SIZE).get_page(q.get("accounts_page"))
    context.update(
        {
            "matrix": matrix,
            "matrix_rows": _matrix_rows(matrix.object_list, context["findings_url"]),
            "totals": selectors.fleet_totals(rows),
            "worst_accounts": selectors.worst_accounts(rows),
            "worst_functions": selectors.worst_functions(rows),
            "opportunities": selectors.fleet_opportunities(rows),
            "trend": trend,
            "trend_chart": charts.fleet_trend_chart(trend),
            "search": search,
            "kind": kind,
            "results": results,
            "search_query": params.query_without(q, "page"),
            "matrix_query": params.query_without(q, "accounts_page"),
        }
    )
    return render(request, "advisor/fleet.html", context)

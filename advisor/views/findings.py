"""The findings page: filters, status tabs, bulk suppress, and export of the filtered set."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from advisor.csv_cells import csv_cell
from advisor.forms import SuppressForm
from advisor.models import Finding
from advisor.selectors import common
from advisor.selectors import findings as selectors
from advisor.services.suppressions import (
    SuppressionError,
    suppress_findings,
    suppression_delete,
)
from advisor.views import params

PAGE_SIZE = 50
EXPORT_FIELDS = (
    "id",
    "account",
    "account_id",
    "region",
    "rule_id",
    "severity",
    "pillar",
    "status",
    "suppressed",
    "resource_arn",
    "resource",
    "title",
    "message",
    "first_seen_at",
    "last_seen_at",
    "remediation_cli",
)


def filters_from(query) -> selectors.FindingFilters:
    return selectors.FindingFilters(
        severity=params.text(query, "severity"),
        pillar=params.text(query, "pillar"),
        rule=params.text(query, "rule"),
        status=params.choice(query, "status", selectors.FINDING_STATUSES, selectors.STATUS_OPEN),
        region=params.text(query, "region"),
        account=params.integer(query, "account"),
        q=params.text(query, "q"),
        function=params.text(query, "function", max_length=2048),
    )


@require_GET
def findings_export_or_list(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request.GET)
    visible = common.visible_accounts(request.user)
    account_ids = visible.ids
    findings = selectors.findings_for(account_ids, filters)
    export = request.GET.get("format")
    if export == "csv":
        return _export_csv(findings)
    if export == "json":
        return _export_json(findings)
    counts = selectors.finding_tab_counts(account_ids, filters)
    # The current tab's count is the list's length: the paginator need not count again.
    rows = selectors.findings_merged(findings, account_ids, filters, count=counts[filters.status])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = common.attach_function_links(
        list(page.object_list), latest_scan_ids=visible.latest_scan_ids
    )
    # Per row: a viewer of one workspace who administers another may suppress only the latter's.
    suppressible = selectors.suppressible_workspace_ids(request.user)
    any_suppressible = any(f.account.workspace_id in suppressible for f in page.object_list)
    return render(
        request,
        "advisor/finding_list.html",
        {
            "page": page,
            "filters": filters,
            "facets": selectors.finding_facets(request.user),
            "accounts": visible.accounts,
            "tabs": _tabs(request, filters, counts),
            "base_query": params.query_without(request.GET, "page"),
            "export_query": params.query_without(request.GET, "page", "format"),
            "suppressible_workspace_ids": suppressible,
            "can_suppress": filters.status == selectors.STATUS_OPEN and any_suppressible,
            "can_unsuppress": filters.status == selectors.STATUS_SUPPRESSED and any_suppressible,
        },
    )


def _tabs(
    request: HttpRequest, filters: selectors.FindingFilters, counts: dict[str, int]
) -> list[dict]:
    rest = params.query_without(request.GET, "page", "status", "format")
    labels = {
        selectors.STATUS_OPEN: "Open",
        selectors.STATUS_SUPPRESSED: "Suppressed",
        selectors.STATUS_RESOLVED: "Resolved",
        selectors.STATUS_ALL: "All",
    }
    return [
        {
            "status": status,
            "label": label,
            "count": counts[status],
            "current": status == filters.status,
            "query": f"status={status}" + (f"&{rest}" if rest else ""),
        }
        for status, label in labels.items()
    ]


def _row(finding: Finding, now: dt.datetime) -> dict:
    suppression = finding.suppression
    return {
        "id": finding.pk,
        "account": finding.account.name,
        "account_id": finding.account.account_id,
        "region": finding.region,
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "pillar": finding.pillar,
        "status": finding.status,
        "suppressed": bool(suppression and suppression.active_at(now)),
        "resource_arn": finding.resource_arn,
        "resource": finding.resource_name,
        "title": finding.title,
        "message": finding.message,
        "first_seen_at": finding.first_seen_at.isoformat(),
        "last_seen_at": finding.last_seen_at.isoformat(),
        "remediation_cli": finding.remediation_cli,
    }


def _export_csv(findings) -> StreamingHttpResponse:
    now = timezone.now()

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.DictWriter(Echo(), fieldnames=EXPORT_FIELDS)

    def lines() -> Iterator[str]:
        yield writer.writeheader()
        for finding in findings.iterator(chunk_size=2000):
            # The JSON export keeps values as they are: only a spreadsheet runs formulas.
            yield writer.writerow({k: csv_cell(v) for k, v in _row(finding, now).items()})

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="findings-{now:%Y%m%d-%H%M}.csv"'
    return response


def _export_json(findings) -> StreamingHttpResponse:
    """``{"findings": [...], "count": n}``, streamed row by row: an export of every finding of a
    large estate never sits whole in memory (the count comes last, once known)."""
    now = timezone.now()

    def chunks() -> Iterator[str]:
        yield '{"findings": ['
        count = 0
        for finding in findings.iterator(chunk_size=2000):
            yield ("," if count else "") + "\n " + json.dumps(_row(finding, now))
            count += 1
        yield f'\n], "count": {count}}}\n'

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="findings-{now:%Y%m%d-%H%M}.json"'
    return response


@require_POST
def findings_suppress(request: HttpRequest) -> HttpResponse:
    """Suppress the checked findings with a reason and an optional expiry date."""
    form = SuppressForm(request.POST)
    valid = form.is_valid()
    ids = form.cleaned_data.get("finding", [])
    back = _safe_next(request)
    findings = selectors.findings_to_suppress(request.user, ids)
    if ids and findings.count() != len(set(ids)):
        raise Http404("No such finding.")
    if not selectors.can_manage_all(request.user, findings):
        raise PermissionDenied("Viewers cannot suppress findings.")
    if not ids:
        messages.error(request, "Select at least one finding to suppress.")
        return redirect(back)
    if not valid:
        messages.error(request, form.first_error())
        return redirect(back)
    day = form.cleaned_data["expires"]
    expires_at = (
        timezone.make_aware(dt.datetime.combine(day, dt.time.min)) if day is not None else None
    )
    try:
        created = suppress_findings(
            findings=findings,
            reason=form.cleaned_data["reason"],
            expires_at=expires_at,
            created_by=request.user,
        )
    except SuppressionError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request, f"Suppressed {len(created)} finding{'s' if len(created) != 1 else ''}."
    )
    return redirect(back)


@require_POST
def findings_unsuppress(request: HttpRequest) -> HttpResponse:
    """Remove the suppressions hiding the checked findings: they show as open again."""
    ids = [int(v) for v in request.POST.getlist("suppression") if v.isdigit()]
    suppressions = selectors.suppressions_for(request.user, ids)
    if len(suppressions) != len(set(ids)):
        raise Http404("No such suppression.")
    if not selectors.can_manage_accounts(request.user, {s.account_id for s in suppressions}):
        raise PermissionDenied("Viewers cannot remove suppressions.")
    for suppression in suppressions:
        suppression_delete(suppression=suppression, actor=request.user)
    if suppressions:
        messages.success(
            request,
            f"Removed {len(suppressions)} suppression{'s' if len(suppressions) != 1 else ''}.",
        )
    else:
        messages.error(request, "Select at least one finding.")
    return redirect(_safe_next(request))


def _safe_next(request: HttpRequest) -> str:
    back = request.POST.get("next") or reverse("advisor:finding-list")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return reverse("advisor:finding-list")
    return back

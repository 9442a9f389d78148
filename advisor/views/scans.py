from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import account_for, accounts_for, membership_for
from advisor.models import ScanRegion
from advisor.selectors import scans as selectors
from advisor.services.scans import ScanRefused, scan_start
from advisor.views import params
from config.celery import app as celery_app


@require_POST
def scan_now(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_for(request.user, pk)
    if not membership_for(request.user, account.workspace).can_manage:
        raise PermissionDenied("Viewers cannot start scans.")
    try:
        scan = scan_start(account=account, requested_by=request.user)
    except ScanRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("advisor:overview")
    messages.success(request, f"Scan {scan.pk} of {account.name} queued.")
    return redirect("advisor:scan-detail", pk=scan.pk)


SCANS_PER_PAGE = 50


@require_GET
def scan_list(request: HttpRequest) -> HttpResponse:
    """Every scan of the user's accounts, newest first; ``?account=`` narrows to one."""
    accounts = accounts_for(request.user).select_related(None).only("pk", "name")
    scans = selectors.scans_for(request.user)
    account_id = params.integer(request.GET, "account")
    if account_id:
        scans = scans.filter(account_id=account_id)
    page = Paginator(scans, SCANS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "advisor/scan_list.html",
        {
            "page": page,
            "accounts": list(accounts),
            "account_id": account_id,
            "base_query": params.query_without(request.GET, "page"),
        },
    )


def scan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scan = selectors.scan_for(request.user, pk)
    parts = list(scan.parts.defer("inventory"))  # a region's inventory can be megabytes
    done = sum(1 for p in parts if p.status in ScanRegion.ENDED)
    api_calls_so_far = sum(sum((p.api_calls or {}).values()) for p in parts)
    # htmx polls a running scan's progress and swaps in just that part of the page.
    polled = bool(request.headers.get("HX-Request"))
    response = render(
        request,
        "advisor/_scan_progress.html" if polled else "advisor/scan_detail.html",
        {
            "scan": scan,
            "parts": parts,
            "regions_done": done,
            "api_calls_so_far": scan.api_call_total or api_calls_so_far,
        },
    )
    if polled and not scan.is_active:
        # Finished while the page watched: reload it whole for the calls and gaps sections.
        response["HX-Refresh"] = "true"
    return response


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachable: 200; otherwise 503 naming what is down."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # report any failure of the check itself
        checks["database"] = f"error: {type(error).__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as error:  # report any failure of the check itself
        checks["broker"] = f"error: {type(error).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )

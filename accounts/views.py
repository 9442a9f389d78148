"""Connecting AWS accounts: the list, the connect form and an account's page. What else an
account's managers do there (edit, delete, schedule and recipients, the connection test) keeps
the scanner's schedule in step or calls the collector, so it lives in ``advisor.views.accounts``
under the same URLs (config/urls.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import iam
from accounts.connections import (
    account_connect_save,
    pending_connection_abandon,
    pending_connection_for,
)
from accounts.forms import AwsAccountForm
from accounts.selectors import (
    account_for,
    accounts_for,
    manageable_workspaces_for,
    membership_for,
    organizations_for,
    schedule_for,
)

ACCOUNTS_PER_PAGE = 50


def account_list(request: HttpRequest) -> HttpResponse:
    """The connected accounts, a page at a time (an organisation brings hundreds): a bad or
    out-of-range ``?page=`` shows the nearest page; page links keep the rest of the query."""
    accounts = accounts_for(request.user).select_related("organization").order_by("name", "pk")
    page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    other_params = request.GET.copy()
    other_params.pop("page", None)
    can_connect = manageable_workspaces_for(request.user).exists()
    return render(
        request,
        "accounts/account_list.html",
        {
            "page": page,
            "accounts": page.object_list,
            "base_query": other_params.urlencode(),
            "organizations": organizations_for(request.user).annotate(
                member_count=Count("members")
            ),
            "can_connect": can_connect,
        },
    )


def account_connect(request: HttpRequest) -> HttpResponse:
    workspaces = manageable_workspaces_for(request.user)
    if not workspaces.exists():
        raise PermissionDenied("Only workspace owners and admins can connect accounts.")
    # The ExternalId is made before the account exists, so the role can be created first, and
    # kept server-side for this user until an account is saved with it (accounts.connections).
    pending = pending_connection_for(request.user)
    form = AwsAccountForm(request.POST or None, workspaces=workspaces)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("external_id") != pending.external_id:
            # Another tab saved an account with the id this page showed, or started over.
            form.add_error(
                None,
                "The ExternalId changed since this page was shown (an account was connected with "
                "it, or you started over in another tab). Deploy the role with the ExternalId "
                "below, then connect again.",
            )
        else:
            account = account_connect_save(
                account=form.save(commit=False), pending=pending, actor=request.user
            )
            messages.success(request, f"{account.name} connected. Run a scan to see its findings.")
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "pending": pending, **iam.setup_instructions(pending.external_id)},
    )


@require_POST
def account_connect_restart(request: HttpRequest) -> HttpResponse:
    """Abandon the pending connection: the connect page then shows a new ExternalId."""
    pending_connection_abandon(user=request.user)
    messages.info(
        request,
        "Started over with a new ExternalId: a role made with the old one will not be assumed.",
    )
    return redirect("accounts:connect")


def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_for(request.user, pk)
    membership = membership_for(request.user, account.workspace)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "can_manage": membership.can_manage,
            "scans": account.scans.all()[:20],
            "schedule": schedule_for(account),
            "recipients": account.report_recipients.all(),
            "deliveries": account.report_deliveries.select_related("scan")[:10],
            **iam.setup_instructions(account.external_id),
        },
    )

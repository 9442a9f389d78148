"""Connecting AWS accounts: the list, the connect form and an account's page. What else an
account's managers do there (edit, delete, schedule and recipients, the connection test) keeps
the scanner's schedule in step or calls the collector, so it lives in ``advisor.views.accounts``
under the same URLs (config/urls.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import iam
from accounts.forms import AwsAccountForm
from accounts.models import AwsAccount, new_external_id
from accounts.selectors import (
    account_for,
    accounts_for,
    manageable_workspaces_for,
    membership_for,
    schedule_for,
)


def account_list(request: HttpRequest) -> HttpResponse:
    accounts = accounts_for(request.user)
    can_connect = manageable_workspaces_for(request.user).exists()
    return render(
        request, "accounts/account_list.html", {"accounts": accounts, "can_connect": can_connect}
    )


def account_connect(request: HttpRequest) -> HttpResponse:
    workspaces = manageable_workspaces_for(request.user)
    if not workspaces.exists():
        raise PermissionDenied("Only workspace owners and admins can connect accounts.")
    # The ExternalId is made before the account exists, so the role can be created first; it
    # travels through the form signed, so a user cannot swap in one of their own choosing.
    external_id = _unsign(request.POST.get("external_id_signed", "")) or new_external_id()
    form = AwsAccountForm(request.POST or None, workspaces=workspaces)
    if request.method == "POST" and form.is_valid():
        account = form.save(commit=False)
        if not AwsAccount.objects.filter(external_id=external_id).exists():
            account.external_id = external_id
        account.save()
        messages.success(request, f"{account.name} connected. Run a scan to see its findings.")
        return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {
            "form": form,
            "external_id": external_id,
            "external_id_signed": _SIGNER.sign(external_id),
            **iam.setup_instructions(external_id),
        },
    )


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


_SIGNER = signing.Signer(salt="accounts.external-id")


def _unsign(value: str) -> str | None:
    try:
        return _SIGNER.unsign(value) if value else None
    except signing.BadSignature:
        return None

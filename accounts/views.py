from __future__ import annotations

import json

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import iam
from accounts.forms import AwsAccountForm, ScheduleForm
from accounts.models import AwsAccount, new_external_id
from accounts.selectors import (
    account_for,
    accounts_for,
    manageable_workspaces_for,
    membership_for,
)
from advisor.collect.probe import probe_connection
from advisor.collect.session import EndpointNotAllowed
from advisor.services import schedules as schedule_service
from advisor.services.schedules import periodic_task_sync, schedule_for, schedule_update


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
            **_instructions(external_id),
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
            **_instructions(account.external_id),
        },
    )


def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_for(request.user, pk)
    if not membership_for(request.user, account.workspace).can_manage:
        raise PermissionDenied("Viewers cannot change accounts.")
    form = AwsAccountForm(
        request.POST or None,
        instance=account,
        workspaces=manageable_workspaces_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        periodic_task_sync(account=account)  # enabling or disabling pauses its schedule
        messages.success(request, f"{account.name} saved.")
        return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {
            "form": form,
            "account": account,
            "external_id": account.external_id,
            **_instructions(account.external_id),
        },
    )


def account_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan schedule and the report recipients of one account."""
    account = account_for(request.user, pk)
    if not membership_for(request.user, account.workspace).can_manage:
        raise PermissionDenied("Viewers cannot change schedules or recipients.")
    schedule = schedule_for(account)
    form = ScheduleForm.for_account(
        request.POST or None,
        schedule=schedule,
        recipients=list(account.report_recipients.values_list("email", flat=True)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        schedule = schedule_update(
            account=account,
            frequency=data["frequency"],
            time_of_day=data["time_of_day"],
            day_of_week=data["day_of_week"],
            timezone_name=data["timezone"],
            recipients=data["recipients"],
        )
        messages.success(request, f"{account.name}: scheduled scans {schedule.describe()}.")
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/account_schedule.html", {"form": form, "account": account})


@require_POST
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_for(request.user, pk)
    if not membership_for(request.user, account.workspace).can_manage:
        raise PermissionDenied("Viewers cannot delete accounts.")
    name = account.name
    schedule_service.account_delete(account=account)
    messages.success(request, f"{name} disconnected; its scans and findings were deleted.")
    return redirect("accounts:list")


_SIGNER = signing.Signer(salt="accounts.external-id")


def _unsign(value: str) -> str | None:
    try:
        return _SIGNER.unsign(value) if value else None
    except signing.BadSignature:
        return None


def _instructions(external_id: str) -> dict:
    return {
        "read_only_policy": json.dumps(iam.read_only_policy(), indent=2),
        "trust_policy": json.dumps(iam.trust_policy(external_id), indent=2),
        "cloudformation_template": iam.cloudformation_template(external_id),
    }


@require_POST
def account_test_connection(request: HttpRequest, pk: int) -> HttpResponse:
    """Try each read permission once in the account's first region and show which work."""
    account = account_for(request.user, pk)
    if not membership_for(request.user, account.workspace).can_manage:
        raise PermissionDenied("Viewers cannot test connections.")
    region = account.regions[0] if account.regions else "us-east-1"
    try:
        checks = probe_connection(
            role_arn=account.role_arn,
            external_id=account.external_id,
            region=region,
            endpoint_url=account.endpoint_url or None,
        )
    except EndpointNotAllowed as refusal:
        messages.error(
            request,
            f"The connection of {account.name} was not tested: {refusal} Edit the account and "
            "clear its endpoint URL to test it in AWS.",
        )
        return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/test_connection.html",
        {
            "account": account,
            "region": region,
            "checks": checks,
            "all_ok": all(c.ok is not False for c in checks),
        },
    )

"""An account's pages that reach the scanner: editing or deleting the account (its periodic scan
follows), its schedule and report recipients, and the connection test (the collector's probe).
They are served under the account's URLs, in the ``accounts`` namespace (config/urls.py), beside
the pages ``accounts.views`` serves."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import iam
from accounts.audit import Action, audit_record
from accounts.forms import AwsAccountForm, ScheduleForm
from accounts.models import AwsAccount
from accounts.selectors import (
    account_for,
    manageable_workspaces_for,
    membership_for,
    schedule_for,
)
from advisor.collect.probe import probe_connection
from advisor.collect.session import EndpointNotAllowed
from advisor.services import schedules as schedule_service
from advisor.services.endpoints import checked_endpoint
from advisor.services.schedules import periodic_task_sync, schedule_update


def _managed_account(request: HttpRequest, pk: int, refusal: str) -> AwsAccount:
    account = account_for(request.user, pk)
    if not membership_for(request.user, account.workspace).can_manage:
        raise PermissionDenied(refusal)
    return account


def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed_account(request, pk, "Viewers cannot change accounts.")
    form = AwsAccountForm(
        request.POST or None,
        instance=account,
        workspaces=manageable_workspaces_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            periodic_task_sync(account=account)  # enabling or disabling pauses its schedule
            if form.changed_data:
                audit_record(
                    workspace=account.workspace_id,
                    actor=request.user,
                    action=Action.ACCOUNT_EDITED,
                    target=account.name,
                    changed=", ".join(form.changed_data),
                )
        messages.success(request, f"{account.name} saved.")
        return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {
            "form": form,
            "account": account,
            **iam.setup_instructions(account.external_id),
        },
    )


def account_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan schedule and the report recipients of one account."""
    account = _managed_account(request, pk, "Viewers cannot change schedules or recipients.")
    schedule = schedule_for(account)
    form = ScheduleForm.for_account(
        request.POST or None,
        schedule=schedule,
        recipients=list(account.report_recipients.values_list("email", flat=True)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            schedule = schedule_update(
                account=account,
                frequency=data["frequency"],
                time_of_day=data["time_of_day"],
                day_of_week=data["day_of_week"],
                timezone_name=data["timezone"],
                recipients=data["recipients"],
            )
            if form.changed_data:
                audit_record(
                    workspace=account.workspace_id,
                    actor=request.user,
                    action=Action.ACCOUNT_SCHEDULE_CHANGED,
                    target=account.name,
                    schedule=schedule.describe(),
                    recipients=len(data["recipients"]),
                )
        messages.success(request, f"{account.name}: scheduled scans {schedule.describe()}.")
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/account_schedule.html", {"form": form, "account": account})


@require_POST
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed_account(request, pk, "Viewers cannot delete accounts.")
    name = account.name
    schedule_service.account_delete(account=account, actor=request.user)
    messages.success(request, f"{name} disconnected; its scans and findings were deleted.")
    return redirect("accounts:list")


@require_POST
def account_test_connection(request: HttpRequest, pk: int) -> HttpResponse:
    """Try each read permission once in the account's first region and show which work."""
    account = _managed_account(request, pk, "Viewers cannot test connections.")
    region = account.regions[0] if account.regions else "us-east-1"
    try:
        checks = probe_connection(
            role_arn=account.role_arn,
            external_id=account.external_id,
            region=region,
            endpoint_url=checked_endpoint(account.endpoint_url),
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

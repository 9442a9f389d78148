"""Connected AWS Organizations: connecting one (its reader role is tried at once, so a role that
cannot list the organisation is an error beside its field), its page with the member accounts,
*Sync now*, the schedule every member gets, and disconnecting it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import iam
from accounts.connections import pending_connection_for
from accounts.forms import OrganizationEditForm, OrganizationForm, OrganizationScheduleForm
from accounts.models import AwsAccount, Organization
from accounts.selectors import manageable_workspaces_for, membership_for, organization_for
from advisor.collect.errors import AwsAccessError
from advisor.collect.session import EndpointNotAllowed
from advisor.services import organizations as service

MEMBERS_PER_PAGE = 50


def _managed(request: HttpRequest, pk: int, refusal: str) -> Organization:
    organization = organization_for(request.user, pk)
    if not membership_for(request.user, organization.workspace).can_manage:
        raise PermissionDenied(refusal)
    return organization


def organization_connect(request: HttpRequest) -> HttpResponse:
    workspaces = manageable_workspaces_for(request.user)
    if not workspaces.exists():
        raise PermissionDenied("Only workspace owners and admins can connect organisations.")
    # The same pending ExternalId as the account connect page: kept until it is used.
    pending = pending_connection_for(request.user)
    form = OrganizationForm(request.POST or None, workspaces=workspaces)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("external_id") != pending.external_id:
            form.add_error(
                None,
                "The ExternalId changed since this page was shown (it was used for another "
                "connection, or you started over). Deploy the roles with the ExternalId below, "
                "then connect again.",
            )
        else:
            data = form.cleaned_data
            try:
                organization, result = service.organization_connect(
                    workspace=data["workspace"],
                    name=data["name"],
                    role_arn=data["role_arn"],
                    pending=pending,
                    member_role_name=data["member_role_name"],
                    regions=data["regions"],
                    endpoint_url=data.get("endpoint_url") or "",
                    frequency=data["frequency"],
                    time_of_day=data["time_of_day"],
                    day_of_week=data["day_of_week"],
                    timezone_name=data["timezone"],
                    actor=request.user,
                )
            except EndpointNotAllowed as refusal:
                form.add_error("endpoint_url", str(refusal))
            except AwsAccessError as error:
                form.add_error("role_arn", f"The organisation could not be read: {error}")
            else:
                messages.success(
                    request,
                    f"{organization.name} connected with {len(result.added)} member accounts; "
                    "their roles are being checked.",
                )
                return redirect("accounts:organization-detail", pk=organization.pk)
    member_role = request.POST.get("member_role_name") or iam.SCAN_ROLE_NAME
    if not form.is_bound or form.errors.get("member_role_name"):
        member_role = iam.SCAN_ROLE_NAME
    return render(
        request,
        "accounts/organization_form.html",
        {
            "form": form,
            "pending": pending,
            **iam.organization_instructions(pending.external_id, member_role),
        },
    )


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = organization_for(request.user, pk)
    membership = membership_for(request.user, organization.workspace)
    members = organization.members.order_by("name", "pk")
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    states = dict(
        members.values_list("org_state").annotate(n=Count("pk")).values_list("org_state", "n")
    )
    roles = dict(
        members.filter(org_state=AwsAccount.OrgState.ACTIVE)
        .values_list("role_state")
        .annotate(n=Count("pk"))
        .values_list("role_state", "n")
    )
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "can_manage": membership.can_manage,
            "page": page,
            "members": [(m, service.newly_joined(m)) for m in page],
            "counts": {
                "active": states.get(AwsAccount.OrgState.ACTIVE, 0),
                "suspended": states.get(AwsAccount.OrgState.SUSPENDED, 0)
                + states.get(AwsAccount.OrgState.PENDING_CLOSURE, 0)
                + states.get(AwsAccount.OrgState.CLOSED, 0),
                "removed": states.get(AwsAccount.OrgState.REMOVED, 0),
                "roles_not_deployed": roles.get(AwsAccount.RoleState.NOT_DEPLOYED, 0),
            },
            **iam.organization_instructions(
                organization.external_id, organization.member_role_name
            ),
        },
    )


@require_POST
def organization_sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed(request, pk, "Viewers cannot sync organisations.")
    service.organization_sync_enqueue(organization)
    messages.success(request, f"A sync of {organization.name} is queued; reload in a minute.")
    return redirect("accounts:organization-detail", pk=organization.pk)


def organization_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed(request, pk, "Viewers cannot change schedules.")
    form = OrganizationScheduleForm(
        request.POST or None,
        initial={
            "frequency": organization.frequency,
            "time_of_day": organization.time_of_day,
            "day_of_week": organization.day_of_week,
            "timezone": organization.timezone,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service.organization_schedule_update(
            organization=organization,
            frequency=data["frequency"],
            time_of_day=data["time_of_day"],
            day_of_week=data["day_of_week"],
            timezone_name=data["timezone"],
            actor=request.user,
        )
        messages.success(request, f"{organization.name}: every member's schedule saved.")
        return redirect("accounts:organization-detail", pk=organization.pk)
    return render(
        request,
        "accounts/organization_schedule.html",
        {"form": form, "organization": organization},
    )


def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed(request, pk, "Viewers cannot change organisations.")
    form = OrganizationEditForm(
        request.POST or None,
        instance=organization,
        workspaces=manageable_workspaces_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        service.organization_update(organization=form.save(commit=False), actor=request.user)
        messages.success(request, f"{organization.name} saved; every member account follows.")
        return redirect("accounts:organization-detail", pk=organization.pk)
    return render(
        request,
        "accounts/organization_edit.html",
        {"form": form, "organization": organization},
    )


@require_POST
def organization_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed(request, pk, "Viewers cannot disconnect organisations.")
    name = organization.name
    service.organization_delete(organization=organization, actor=request.user)
    messages.success(request, f"{name} disconnected with its member accounts and their scans.")
    return redirect("accounts:list")

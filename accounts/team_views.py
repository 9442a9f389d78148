"""The team pages: the user's workspaces (and a new one), a workspace's members and pending
invitations, inviting, changing roles, removing, leaving, an invitation's accept page, and the
audit log. Another workspace's pages, members and invitations are 404; viewers change nothing
(403). The rules are accounts.teams'."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import invitations, teams
from accounts.audit import audit_events_for
from accounts.models import Invitation, Membership, Workspace
from accounts.selectors import membership_for, workspaces_for
from accounts.team_forms import InvitedSignUpForm, InviteForm, RoleForm, WorkspaceForm

AUDIT_PAGE_SIZE = 50


def _workspace_and_membership(request: HttpRequest, pk: int) -> tuple[Workspace, Membership]:
    workspace = get_object_or_404(workspaces_for(request.user), pk=pk)
    return workspace, membership_for(request.user, workspace)


@require_http_methods(["GET", "POST"])
def workspace_list(request: HttpRequest) -> HttpResponse:
    """Every workspace the user belongs to, with its pages; and the form for a new one."""
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = teams.workspace_create(user=request.user, name=form.cleaned_data["name"])
        except teams.TeamError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"{workspace.name} created: you are its owner.")
            return redirect("teams:members", pk=workspace.pk)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    return render(
        request, "accounts/workspace_list.html", {"memberships": memberships, "form": form}
    )


def _members_page(
    request: HttpRequest,
    workspace: Workspace,
    membership: Membership,
    *,
    invite_form: InviteForm | None = None,
    failed_role: tuple[int, RoleForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    members = list(workspace.memberships.select_related("user").order_by("user__username"))
    rows = []
    for member in members:
        manageable = membership.can_manage and teams.can_manage_member(membership.role, member.role)
        form = None
        if manageable:
            form = (
                failed_role[1]
                if failed_role and failed_role[0] == member.pk
                else RoleForm(
                    initial={"role": member.role},
                    actor_role=membership.role,
                    prefix=f"m{member.pk}",
                )
            )
        rows.append({"member": member, "manageable": manageable, "form": form})
    pending = [
        {
            "invitation": invitation,
            "manageable": membership.can_manage
            and invitation.role in teams.assignable_roles(membership.role),
        }
        for invitation in invitations.open_invitations(workspace).select_related("invited_by")
    ]
    if invite_form is None and membership.can_manage:
        invite_form = InviteForm(workspace=workspace, actor_role=membership.role)
    return render(
        request,
        "accounts/members.html",
        {
            "workspace": workspace,
            "membership": membership,
            "rows": rows,
            "pending": pending,
            "invite_form": invite_form,
            "valid_days": invitations.valid_days(),
            "now": timezone.now(),
        },
        status=status,
    )


@require_http_methods(["GET"])
def members(request: HttpRequest, pk: int) -> HttpResponse:
    workspace, membership = _workspace_and_membership(request, pk)
    return _members_page(request, workspace, membership)


@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    workspace, membership = _workspace_and_membership(request, pk)
    teams.require_manager(membership)
    form = InviteForm(request.POST, workspace=workspace, actor_role=membership.role)
    if not form.is_valid():
        return _members_page(request, workspace, membership, invite_form=form, status=400)
    try:
        sent = invitations.invitation_create(
            actor=membership, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
        )
    except IntegrityError:  # the same address invited at the same moment in another request
        form.add_error("email", "This address has an invitation already.")
        return _members_page(request, workspace, membership, invite_form=form, status=400)
    _say_sent(request, sent)
    return redirect("teams:members", pk=workspace.pk)


def _say_sent(request: HttpRequest, sent: invitations.Sent) -> None:
    invitation = sent.invitation
    if sent.error:
        messages.error(
            request,
            f"The invitation to {invitation.email} is saved but its email could not be sent "
            f"({sent.error}). Send it again from the list when the mail relay is back.",
        )
    else:
        messages.success(
            request,
            f"Invitation sent to {invitation.email} as {invitation.get_role_display().lower()}; "
            f"its link works once, for {invitations.valid_days()} days.",
        )


def _invitation(workspace: Workspace, invitation_pk: int) -> Invitation:
    return get_object_or_404(invitations.open_invitations(workspace), pk=invitation_pk)


@require_POST
def invitation_resend(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    workspace, membership = _workspace_and_membership(request, pk)
    teams.require_manager(membership)
    invitation = _invitation(workspace, invitation_pk)
    _say_sent(request, invitations.invitation_resend(actor=membership, invitation=invitation))
    return redirect("teams:members", pk=workspace.pk)


@require_POST
def invitation_cancel(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    workspace, membership = _workspace_and_membership(request, pk)
    teams.require_manager(membership)
    invitation = _invitation(workspace, invitation_pk)
    invitations.invitation_cancel(actor=membership, invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} is cancelled.")
    return redirect("teams:members", pk=workspace.pk)


def _member(workspace: Workspace, member_pk: int) -> Membership:
    return get_object_or_404(workspace.memberships.select_related("user"), pk=member_pk)


@require_POST
def member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    workspace, membership = _workspace_and_membership(request, pk)
    teams.require_manager(membership)
    member = _member(workspace, member_pk)
    form = RoleForm(request.POST, actor_role=membership.role, prefix=f"m{member.pk}")
    if form.is_valid():
        try:
            teams.membership_role_change(
                actor=membership, membership=member, role=form.cleaned_data["role"]
            )
        except teams.TeamError as error:
            form.add_error("role", str(error))
        else:
            messages.success(
                request, f"{member.user.get_username()} is now {member.get_role_display().lower()}."
            )
            return redirect("teams:members", pk=workspace.pk)
    membership.refresh_from_db()
    return _members_page(request, workspace, membership, failed_role=(member.pk, form), status=400)


@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    workspace, membership = _workspace_and_membership(request, pk)
    teams.require_manager(membership)
    member = _member(workspace, member_pk)
    try:
        teams.membership_remove(actor=membership, membership=member)
    except teams.TeamError as error:
        messages.error(request, str(error))
        return redirect("teams:members", pk=workspace.pk)
    messages.success(request, f"{member.user.get_username()} was removed from {workspace.name}.")
    if member.pk == membership.pk:
        return redirect("teams:list")
    return redirect("teams:members", pk=workspace.pk)


@require_POST
def workspace_leave(request: HttpRequest, pk: int) -> HttpResponse:
    workspace, membership = _workspace_and_membership(request, pk)
    try:
        teams.membership_leave(membership=membership)
    except teams.TeamError as error:
        messages.error(request, str(error))
        return redirect("teams:members", pk=workspace.pk)
    messages.success(request, f"You left {workspace.name}.")
    return redirect("teams:list")


@require_http_methods(["GET"])
def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Every member reads the log (it holds what the members page and the dashboard show them
    anyway: who is in the team, which accounts and thresholds changed)."""
    workspace, membership = _workspace_and_membership(request, pk)
    page = Paginator(audit_events_for(workspace), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "workspace": workspace,
            "membership": membership,
            "page": page,
            "retention_days": settings.ADVISOR_AUDIT_RETENTION_DAYS,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: accept as the signed-in user (whose address must be the invited
    one), or sign up with the invited address and accept at once."""
    try:
        invitation = invitations.invitation_from_link(token)
    except invitations.InvitationRefused as refusal:
        return render(
            request,
            "accounts/invitation_refused.html",
            {"reason": str(refusal)},
            status=refusal.status,
        )
    context = {"invitation": invitation, "token": token, "valid_days": invitations.valid_days()}
    if request.user.is_authenticated:
        if request.method == "POST":
            return _accept(request, token)
        context["mismatch"] = not invitations.email_matches(request.user, invitation)
        return render(request, "accounts/invitation_accept.html", context)
    form = InvitedSignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            response = _accept(request, token, new_user=user)
        return response
    context["form"] = form
    return render(
        request,
        "accounts/invitation_accept.html",
        context,
        status=400 if form.is_bound else 200,
    )


def _accept(request: HttpRequest, token: str, new_user=None) -> HttpResponse:
    user = new_user or request.user
    try:
        membership = invitations.invitation_accept(token=token, user=user)
    except invitations.InvitationRefused as refusal:
        if new_user is not None:
            transaction.set_rollback(True)  # no account is made for a refused invitation
        return render(
            request,
            "accounts/invitation_refused.html",
            {"reason": str(refusal)},
            status=refusal.status,
        )
    if new_user is not None:
        login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        f"You are {membership.get_role_display().lower()} of {membership.workspace.name}.",
    )
    return redirect("teams:members", pk=membership.workspace_id)

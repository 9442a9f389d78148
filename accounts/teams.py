"""Who belongs to a workspace and what each may do to the others.

The rules (README, *Teams*):

- owners and admins manage members; viewers change nothing;
- an owner may invite, promote, demote and remove anyone, owners included;
- an admin may invite admins and viewers, change a member between admin and viewer, and remove
  admins and viewers; an admin can neither make an owner nor change or remove one (so an admin
  cannot take a workspace over from its owners);
- every member may leave;
- a workspace always keeps an owner: the last one can be neither demoted, removed nor leave.

Each change is recorded in the audit log in its transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.audit import Action, audit_record
from accounts.models import Membership, Workspace

Role = Membership.Role


class TeamError(ValueError):
    """A change the rules refuse, said so the user knows why (e.g. the last owner)."""


def assignable_roles(actor_role: str) -> list[str]:
    """The roles a member with ``actor_role`` may give (invite with, or change a member to)."""
    if actor_role == Role.OWNER:
        return [Role.OWNER, Role.ADMIN, Role.VIEWER]
    if actor_role == Role.ADMIN:
        return [Role.ADMIN, Role.VIEWER]
    return []


def can_manage_member(actor_role: str, target_role: str) -> bool:
    """Whether ``actor_role`` may change the role of, or remove, a member with ``target_role``."""
    return target_role in assignable_roles(actor_role)


def require_manager(membership: Membership) -> None:
    if not membership.can_manage:
        raise PermissionDenied("Only the workspace's owners and admins manage its members.")


def workspace_create(*, user: AbstractBaseUser, name: str) -> Workspace:
    """A new workspace whose creator is its owner. The slug is made from the name (unique)."""
    base = slugify(name)[:40] or "workspace"
    for n in range(1, 1000):
        slug = base if n == 1 else f"{base}-{n}"
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(name=name, slug=slug)
                Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
                audit_record(workspace=workspace, actor=user, action=Action.WORKSPACE_CREATED)
                return workspace
        except IntegrityError:
            if not Workspace.objects.filter(slug=slug).exists():
                raise
    raise TeamError("Too many workspaces have this name; choose another.")


def _owners_locked(workspace_id: int) -> list[Membership]:
    """The workspace's owners, locked until the transaction ends: two owners demoting each other
    at once cannot leave the workspace without one."""
    return list(
        Membership.objects.select_for_update()
        .filter(workspace_id=workspace_id, role=Role.OWNER)
        .order_by("pk")
    )


def owner_ids_locked(workspace_id: int) -> set[int]:
    """The memberships that are the workspace's owners now, locked as by the members page's
    changes (the Django admin's membership inline asks this too)."""
    return {owner.pk for owner in _owners_locked(workspace_id)}


def _refuse_losing_last_owner(membership: Membership, what: str) -> None:
    owners = _owners_locked(membership.workspace_id)
    if membership.role == Role.OWNER and [o.pk for o in owners] == [membership.pk]:
        raise TeamError(
            f"{membership.user.get_username()} is the workspace's only owner and cannot {what}: "
            "make another member an owner first."
        )


def membership_role_change(*, actor: Membership, membership: Membership, role: str) -> Membership:
    require_manager(actor)
    if not can_manage_member(actor.role, membership.role) or role not in assignable_roles(
        actor.role
    ):
        raise PermissionDenied("Admins cannot make owners or change an owner's role.")
    if role == membership.role:
        return membership
    with transaction.atomic():
        if role != Role.OWNER:
            _refuse_losing_last_owner(membership, "stop being one")
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            workspace=membership.workspace_id,
            actor=actor.user,
            action=Action.ROLE_CHANGED,
            target=membership.user.get_username(),
            before=before,
            after=role,
        )
    return membership


def membership_remove(*, actor: Membership, membership: Membership) -> None:
    require_manager(actor)
    if not can_manage_member(actor.role, membership.role):
        raise PermissionDenied("Admins cannot remove owners.")
    with transaction.atomic():
        _refuse_losing_last_owner(membership, "be removed")
        name = membership.user.get_username()
        role = membership.role
        membership.delete()
        audit_record(
            workspace=membership.workspace_id,
            actor=actor.user,
            action=Action.MEMBER_REMOVED,
            target=name,
            role=role,
        )


def membership_leave(*, membership: Membership) -> None:
    with transaction.atomic():
        _refuse_losing_last_owner(membership, "leave")
        workspace_id = membership.workspace_id
        membership.delete()
        audit_record(
            workspace=workspace_id,
            actor=membership.user,
            action=Action.MEMBER_LEFT,
            target=membership.user.get_username(),
        )

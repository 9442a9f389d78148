"""Reads scoped to what a user may see: every view goes through these."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import AwsAccount, Membership, Organization, ScanSchedule, Workspace


def workspaces_for(user: AbstractBaseUser) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user)


def accounts_for(user: AbstractBaseUser) -> QuerySet[AwsAccount]:
    return AwsAccount.objects.filter(workspace__memberships__user=user).select_related("workspace")


def account_for(user: AbstractBaseUser, pk: int) -> AwsAccount:
    """The account if the user belongs to its workspace; 404 otherwise (never 403: no leak)."""
    return get_object_or_404(accounts_for(user), pk=pk)


def membership_for(user: AbstractBaseUser, workspace: Workspace) -> Membership:
    membership = Membership.objects.filter(user=user, workspace=workspace).first()
    if membership is None:
        raise Http404
    return membership


def manageable_workspaces_for(user: AbstractBaseUser) -> QuerySet[Workspace]:
    return Workspace.objects.filter(
        memberships__user=user,
        memberships__role__in=[Membership.Role.OWNER, Membership.Role.ADMIN],
    )


def schedule_for(account: AwsAccount) -> ScanSchedule:
    """The account's schedule; an unsaved "off" one when it never had one."""
    return ScanSchedule.objects.filter(account=account).first() or ScanSchedule(account=account)


def organizations_for(user: AbstractBaseUser) -> QuerySet[Organization]:
    return Organization.objects.filter(workspace__memberships__user=user).select_related(
        "workspace"
    )


def organization_for(user: AbstractBaseUser, pk: int) -> Organization:
    """The organisation if the user belongs to its workspace; 404 otherwise."""
    return get_object_or_404(organizations_for(user), pk=pk)

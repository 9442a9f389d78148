"""Connecting an AWS account: the ExternalId a user is shown is kept (``PendingConnection``) from
the first view of the connect page until an account is saved with it or the user starts over, so
a role deployed from the page keeps matching however often the page is reloaded."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from accounts.audit import Action, audit_record
from accounts.models import AwsAccount, PendingConnection


def pending_connection_for(user: AbstractBaseUser) -> PendingConnection:
    """The user's pending connection, made on the first call (get_or_create: two tabs opened at
    once end with one)."""
    pending, _ = PendingConnection.objects.get_or_create(user=user)
    return pending


def pending_connection_abandon(*, user: AbstractBaseUser) -> None:
    """Start over: the next view of the connect page shows a new ExternalId."""
    PendingConnection.objects.filter(user=user).delete()


def account_connect_save(
    *, account: AwsAccount, pending: PendingConnection, actor: AbstractBaseUser
) -> AwsAccount:
    """Save the new account with the pending ExternalId, which is then used up."""
    with transaction.atomic():
        account.external_id = pending.external_id
        PendingConnection.objects.filter(pk=pending.pk).delete()
        account.save()
        audit_record(
            workspace=account.workspace_id,
            actor=actor,
            action=Action.ACCOUNT_CONNECTED,
            target=account.name,
            account_id=account.account_id,
            regions=", ".join(account.regions),
        )
    return account

"""Inviting people to a workspace by email.

An invitation's link carries a signed token (``django.core.signing``, salted for this use) that
names the invitation and holds a random secret; the database keeps only the secret's SHA-256.
The link works once (accepting marks the invitation), until it expires
(``ADVISOR_INVITATION_DAYS``, 7 by default: both the signature's age and ``expires_at`` are
checked), and only for the address it was sent to. Sending it again makes a new secret and a new
expiry, so the older email's link stops working.

The email goes out through the product's mail path, which belongs to the scanner's side
(``advisor.services.invitation_mail``): it installs itself with ``set_invitation_mailer`` when
it loads, so this app imports nothing of it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record
from accounts.models import Invitation, Membership, Workspace
from accounts.teams import assignable_roles, require_manager

SALT = "accounts.invitation"


class InvitationNotSent(Exception):
    """The mailer could not hand the email to the SMTP relay (the reason is the message)."""


class InvitationRefused(Exception):
    """A link that cannot be used, and why, as the accept page says it."""

    def __init__(self, message: str, *, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


# (invitation, accept link) -> None; raises InvitationNotSent. Installed by the mail side.
Mailer = Callable[[Invitation, str], None]
_mailer: list[Mailer] = []


def set_invitation_mailer(mailer: Mailer) -> None:
    _mailer[:] = [mailer]


def valid_days() -> int:
    return settings.ADVISOR_INVITATION_DAYS


@dataclass(frozen=True)
class Sent:
    invitation: Invitation
    error: str  # "" when the relay took the email


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_link(invitation: Invitation) -> str:
    """A fresh secret (stored hashed) and expiry; returns the accept link."""
    secret = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(secret)
    invitation.expires_at = timezone.now() + dt.timedelta(days=valid_days())
    token = signing.dumps({"i": invitation.pk, "s": secret}, salt=SALT)
    return settings.ADVISOR_SITE_URL.rstrip("/") + reverse("teams:invitation", args=[token])


def _send(invitation: Invitation, link: str) -> Sent:
    if not _mailer:
        raise RuntimeError("No invitation mailer is installed (advisor.apps installs it).")
    try:
        _mailer[0](invitation, link)
    except InvitationNotSent as error:
        invitation.send_error = str(error)
    else:
        invitation.send_error = ""
        invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["send_error", "last_sent_at"])
    return Sent(invitation, invitation.send_error)


def invitation_create(*, actor: Membership, email: str, role: str) -> Sent:
    """Invite ``email`` with ``role``; the email is sent at once. The invitation is kept when the
    send fails (its error shows on the members page, with a button to send it again)."""
    require_manager(actor)
    if role not in assignable_roles(actor.role):
        raise PermissionDenied("Admins cannot invite owners.")
    with transaction.atomic():
        invitation = Invitation(
            workspace_id=actor.workspace_id,
            email=email,
            role=role,
            invited_by=actor.user,
            expires_at=timezone.now(),
        )
        invitation.save()
        link = _new_link(invitation)
        invitation.save(update_fields=["token_hash", "expires_at"])
        audit_record(
            workspace=actor.workspace_id,
            actor=actor.user,
            action=Action.MEMBER_INVITED,
            target=email,
            role=role,
        )
    return _send(invitation, link)


def _managed_invitation(actor: Membership, invitation: Invitation) -> None:
    require_manager(actor)
    if invitation.role not in assignable_roles(actor.role):
        raise PermissionDenied("Admins cannot resend or cancel an invitation to be an owner.")


def invitation_resend(*, actor: Membership, invitation: Invitation) -> Sent:
    """A new link and expiry, emailed again; the earlier link stops working."""
    _managed_invitation(actor, invitation)
    with transaction.atomic():
        link = _new_link(invitation)
        invitation.save(update_fields=["token_hash", "expires_at"])
        audit_record(
            workspace=invitation.workspace_id,
            actor=actor.user,
            action=Action.INVITATION_RESENT,
            target=invitation.email,
        )
    return _send(invitation, link)


def invitation_cancel(*, actor: Membership, invitation: Invitation) -> None:
    _managed_invitation(actor, invitation)
    with transaction.atomic():
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        audit_record(
            workspace=invitation.workspace_id,
            actor=actor.user,
            action=Action.INVITATION_CANCELLED,
            target=invitation.email,
        )


def invitation_from_link(token: str) -> Invitation:
    """The open invitation a link names; InvitationRefused says why a link cannot be used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=valid_days()))
    except signing.SignatureExpired as error:
        raise InvitationRefused(
            f"This invitation has expired (links work for {valid_days()} days). Ask the person "
            "who invited you to send it again."
        ) from error
    except signing.BadSignature as error:
        raise InvitationRefused(
            "This link is damaged or incomplete: copy the whole link from the email.", status=404
        ) from error
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(pk=data.get("i"))
        .first()
    )
    if invitation is None or invitation.cancelled_at is not None:
        raise InvitationRefused("This invitation was cancelled.")
    if invitation.accepted_at is not None:
        raise InvitationRefused("This invitation has been used already: it works once.")
    if not hmac.compare_digest(invitation.token_hash, _hash(str(data.get("s", "")))):
        raise InvitationRefused(
            "This link was replaced by a newer invitation email: use the link in the latest one."
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused(
            f"This invitation has expired (links work for {valid_days()} days). Ask the person "
            "who invited you to send it again."
        )
    return invitation


def email_matches(user: AbstractBaseUser, invitation: Invitation) -> bool:
    return bool(user.email) and user.email.strip().lower() == invitation.email.strip().lower()


def invitation_accept(*, token: str, user: AbstractBaseUser) -> Membership:
    """Join the workspace with the invitation's role, once. The signed-in user's email must be
    the invited address."""
    with transaction.atomic():
        invitation = invitation_from_link(token)
        # Locked, and checked again: two tabs accepting at once join once.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise InvitationRefused("This invitation has been used already: it works once.")
        if not email_matches(user, invitation):
            raise InvitationRefused(
                f"This invitation is for {invitation.email}, and you are signed in as "
                f"{user.get_username()}"
                + (f" ({user.email})" if user.email else " (no email address)")
                + ". Log out and open the link again to accept it with another account.",
                status=403,
            )
        membership, created = Membership.objects.get_or_create(
            user=user, workspace_id=invitation.workspace_id, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if created:
            audit_record(
                workspace=invitation.workspace_id,
                actor=user,
                action=Action.MEMBER_JOINED,
                target=user.get_username(),
                role=invitation.role,
                invited_by=invitation.invited_by.get_username() if invitation.invited_by else "",
            )
    return membership


def open_invitations(workspace: Workspace):
    return workspace.invitations.filter(accepted_at__isnull=True, cancelled_at__isnull=True)

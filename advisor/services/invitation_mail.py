"""Invitation emails, through the mail path the reports use (Django's email backend: the SMTP
relay of ``SMTP_HOST``/``SMTP_PORT`` in production). ``accounts.invitations`` calls this when an
invitation is made or sent again; advisor.apps installs it there."""

from __future__ import annotations

import logging
import smtplib
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts.invitations import InvitationNotSent, valid_days
from accounts.models import Invitation

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError)


def invitation_message(invitation: Invitation, link: str) -> EmailMultiAlternatives:
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "A team mate"
    subject = f"{inviter} invited you to {invitation.workspace.name} on Lambda Advisor"
    context = {
        "invitation": invitation,
        "inviter": inviter,
        "role": invitation.get_role_display().lower(),
        "link": link,
        "valid_days": valid_days(),
        "subject": subject,
    }
    host = urlparse(settings.ADVISOR_SITE_URL).hostname
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reports/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={
            "Auto-Submitted": "auto-generated",
            # A resend is a new link: a new Message-ID, so it is not folded into the first.
            "Message-ID": f"<invitation-{invitation.pk}-{invitation.token_hash[:16]}@{host}>",
        },
    )
    message.attach_alternative(render_to_string("reports/invitation.html", context), "text/html")
    return message


def invitation_email_send(invitation: Invitation, link: str) -> None:
    try:
        invitation_message(invitation, link).send()
    except SEND_ERRORS as error:
        logger.warning("invitation %s to %s not sent: %s", invitation.pk, invitation.email, error)
        raise InvitationNotSent(f"{type(error).__name__}: {error}") from error
    logger.info("invitation %s sent to %s", invitation.pk, invitation.email)

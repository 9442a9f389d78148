"""Password reset without a timing oracle: the request does the same work for every address,
known or not, by handing the address to a task; the task finds the user, if any, and sends the
email. Looking the user up, making the token and talking to the SMTP relay all happen off the
request, so how long the answer takes says nothing about whether the address has an account."""

from __future__ import annotations

import logging

from celery import signature
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponse
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

SEND_PASSWORD_RESET_TASK = "accounts.send_password_reset"  # noqa: S105 - a task name
# One publish and one quick retry: a broker that does not answer costs the request seconds, not
# a hung page (the broker's socket timeouts bound each attempt).
QUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
NOT_QUEUED = (
    "The email could not be sent just now (the task queue did not answer). Nothing was changed; "
    "please try again in a few minutes."
)


class ResetNotQueued(Exception):
    """The task queue did not take the email (the same for a known address and an unknown)."""


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, whose ``save`` queues the email instead of sending it from the request."""

    def save(self, domain_override=None, use_https=False, request=None, **_ignored) -> None:
        domain = domain_override or get_current_site(request).domain
        task = signature(
            SEND_PASSWORD_RESET_TASK,
            kwargs={"email": self.cleaned_data["email"], "domain": domain, "use_https": use_https},
        )
        try:
            task.apply_async(retry=True, retry_policy=QUEUE_RETRY_POLICY)
        except OperationalError as error:
            logger.error("a password reset email could not be queued: %s", error)
            raise ResetNotQueued from error


class QueuedPasswordResetView(PasswordResetView):
    """Django's view with :class:`QueuedPasswordResetForm`; a queue that does not answer is an
    error on the form (the address kept), not a server error."""

    form_class = QueuedPasswordResetForm

    def form_valid(self, form: QueuedPasswordResetForm) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ResetNotQueued:
            form.add_error(None, NOT_QUEUED)
            return self.form_invalid(form)


def password_reset_send(*, email: str, domain: str, use_https: bool) -> int:
    """Email a reset link to every active user with this address and a usable password (Django's
    rules); nothing for an address no one has. Returns how many were sent."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    # Django's own sending: its templates, token and context; it logs a refused send.
    form.save(domain_override=domain, use_https=use_https)
    return len(users)

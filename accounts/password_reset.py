"""Password reset without a timing oracle: the request does the same work for every address,
known or not, by handing the address to a task; the task finds the user, if any, and sends the
email. Looking the user up, making the token and talking to the SMTP relay all happen off the
request, so how long the answer takes says nothing about whether the address has an account."""

from __future__ import annotations

from celery import signature
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site

SEND_PASSWORD_RESET_TASK = "accounts.send_password_reset"  # noqa: S105 - a task name


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, whose ``save`` queues the email instead of sending it from the request."""

    def save(self, domain_override=None, use_https=False, request=None, **_ignored) -> None:
        domain = domain_override or get_current_site(request).domain
        signature(
            SEND_PASSWORD_RESET_TASK,
            kwargs={"email": self.cleaned_data["email"], "domain": domain, "use_https": use_https},
        ).apply_async()


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

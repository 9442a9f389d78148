"""The accounts app's Celery task: thin, it calls one service."""

from __future__ import annotations

from celery import shared_task

from accounts.password_reset import SEND_PASSWORD_RESET_TASK, password_reset_send


# Not retried: Django's sending logs a relay's refusal and sends nothing twice; the user can ask
# again (the reset page's limits count every request).
@shared_task(name=SEND_PASSWORD_RESET_TASK)
def send_password_reset_task(*, email: str, domain: str, use_https: bool) -> None:
    password_reset_send(email=email, domain=domain, use_https=use_https)

"""Signed one-click unsubscribe links. The token names the workspace, the address and, for a scan
report, the account; it never expires, so the link in an old email still works."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from advisor.reports.scan_report import site_url

_SALT = "advisor.reports.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    workspace_id: int
    email: str
    account_id: int | None = None  # None: every account of the workspace (the digest's link)


def unsubscribe_token(target: Unsubscribe) -> str:
    return signing.dumps(
        {"w": target.workspace_id, "e": target.email, "a": target.account_id}, salt=_SALT
    )


def read_unsubscribe_token(token: str) -> Unsubscribe | None:
    """The target of a genuine token; None for a forged or damaged one."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return Unsubscribe(workspace_id=data["w"], email=data["e"], account_id=data["a"])


def unsubscribe_url(target: Unsubscribe) -> str:
    return site_url(reverse("reports:unsubscribe", args=[unsubscribe_token(target)]))

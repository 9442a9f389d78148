"""Signed one-click unsubscribe links. The token names the workspace, the address and, for a scan
report, the account, with the time it was signed (Django's TimestampSigner): it works for
``ADVISOR_UNSUBSCRIBE_LINK_DAYS`` after the email was made, so an old or leaked link does not
stay a lever for ever; the expired link's page says how else to stop the emails."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from advisor.reports.scan_report import site_url

_SALT = "advisor.reports.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    workspace_id: int
    email: str
    account_id: int | None = None  # None: every account of the workspace (the digest's link)


class UnsubscribeLinkError(Exception):
    """A link that cannot unsubscribe: ``expired`` (genuine but too old) or damaged/forged."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


class _SignedAt(signing.TimestampSigner):
    def __init__(self, *, at: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self._at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self._at))


def unsubscribe_token(target: Unsubscribe, *, signed_at: float | None = None) -> str:
    """The link's token, signed now (or at ``signed_at``, seconds since the epoch)."""
    signer = _SignedAt(at=time.time() if signed_at is None else signed_at, salt=_SALT)
    return signer.sign_object({"w": target.workspace_id, "e": target.email, "a": target.account_id})


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The target of a genuine token younger than the links' lifetime; raises
    :class:`UnsubscribeLinkError` for an expired, forged or damaged one."""
    max_age = dt.timedelta(days=settings.ADVISOR_UNSUBSCRIBE_LINK_DAYS)
    try:
        data = signing.TimestampSigner(salt=_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise UnsubscribeLinkError(expired=True) from error
    except signing.BadSignature as error:
        raise UnsubscribeLinkError(expired=False) from error
    return Unsubscribe(workspace_id=data["w"], email=data["e"], account_id=data["a"])


def unsubscribe_url(target: Unsubscribe) -> str:
    return site_url(reverse("reports:unsubscribe", args=[unsubscribe_token(target)]))

"""Throttles on signing in and on password reset, counted in the shared cache.

- **A username from one address** (django-axes, in the authentication backend, so the dashboard's
  login and the admin's are both covered): after ``AXES_FAILURE_LIMIT`` wrong passwords the pair
  is locked out until ``AXES_COOLOFF_TIME`` after the last one, even for the right password. A
  right password before the limit starts the count again.
- **One address, any usernames** (django-ratelimit): at most ``ADVISOR_LOGIN_FAILURES_PER_IP``
  failed sign-ins per window, against one address spraying passwords over many usernames. Only
  failures count, so an office behind one address is not held up by its colleagues' logins.
- **Password reset**, per address (``ADVISOR_PASSWORD_RESETS_PER_IP``) and per submitted email
  (``ADVISOR_PASSWORD_RESETS_PER_EMAIL``, trimmed and lower-cased): every request counts, whether
  or not the email belongs to a user, so neither the answer nor the limit tells which do.

Every refusal is the same page with status 429: what happened, and when to try again.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Callable
from functools import wraps

from axes.helpers import get_client_cache_keys, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import get_usage

TEMPLATE = "registration/throttled.html"


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, for every throttle (axes and ratelimit name this).

    Behind ``ADVISOR_TRUSTED_PROXY_COUNT`` proxies it is the entry of X-Forwarded-For the
    outermost trusted proxy appended; entries left of it are the client's to forge. An IPv6
    client is its /64, the block one subscriber usually holds."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.ADVISOR_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _ip_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


def throttled_response(
    request: HttpRequest, *, title: str, reason: str, retry_at: dt.datetime
) -> HttpResponse:
    wait = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    # The page names a minute: the next one, so "after 20:36" is never too early.
    shown = retry_at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    response = render(
        request,
        TEMPLATE,
        {"title": title, "reason": reason, "retry_at": shown},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """axes' AXES_LOCKOUT_CALLABLE: the page for a locked-out (username, address).

    The lock ends a cooloff after the failure that set it (later attempts are refused without
    being counted, AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so that moment is kept beside
    axes' count to tell every later attempt the same time."""
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    until_key = "login-locked-until:" + get_client_cache_keys(request, credentials)[0]
    now = timezone.now()
    retry_at = None
    if getattr(request, "axes_failures_since_start", None) is None:  # refused, not counted
        retry_at = cache.get(until_key)
    if retry_at is None:
        retry_at = now + cool_off
        cache.set(until_key, retry_at, timeout=math.ceil(cool_off.total_seconds()))
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return throttled_response(
        request,
        title="Too many failed sign-ins",
        reason=(
            f"This username had {limit} wrong passwords in a row from your address, so signing "
            f"in with it from here is paused for {minutes} minutes after the last one, even "
            "with the right password."
        ),
        retry_at=retry_at,
    )


def _usage(request: HttpRequest, *, group: str, key: Callable, rate: str, increment: bool):
    """(blocked, retry_at) for one django-ratelimit counter. A cache that cannot be read
    blocks (ratelimit fails closed)."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    if usage is None:  # RATELIMIT_ENABLE off
        return False, None
    seconds = usage["time_left"] if usage["time_left"] > 0 else 60
    retry_at = timezone.now() + dt.timedelta(seconds=seconds)
    if increment:
        return usage["should_limit"], retry_at
    return usage["count"] >= usage["limit"], retry_at


def login_throttled(view: Callable) -> Callable:
    """Wrap a login view: an address past its failed sign-ins is refused before any password is
    checked; a POST that does not end signed in counts as a failure of that address."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        counter = {
            "group": "login-failures-per-ip",
            "key": _ip_key,
            "rate": settings.ADVISOR_LOGIN_FAILURES_PER_IP,
        }
        blocked, retry_at = _usage(request, **counter, increment=False)
        if blocked:
            return throttled_response(
                request,
                title="Too many failed sign-ins from your network",
                reason=(
                    "Your address has had too many wrong passwords, for any username, in a short "
                    "time, so signing in from it is paused."
                ),
                retry_at=retry_at,
            )
        response = view(request, *args, **kwargs)
        if not (response.status_code == 302 and request.user.is_authenticated):
            _usage(request, **counter, increment=True)
        return response

    return login_not_required(wrapped)


def password_reset_throttled(view: Callable) -> Callable:
    """Wrap the password-reset view: every POST counts against its address and its email."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        results = [
            _usage(
                request,
                group="password-resets-per-ip",
                key=_ip_key,
                rate=settings.ADVISOR_PASSWORD_RESETS_PER_IP,
                increment=True,
            ),
            _usage(
                request,
                group="password-resets-per-email",
                key=_email_key,
                rate=settings.ADVISOR_PASSWORD_RESETS_PER_EMAIL,
                increment=True,
            ),
        ]
        waits = [retry_at for blocked, retry_at in results if blocked]
        if waits:
            return throttled_response(
                request,
                title="Too many password reset requests",
                reason=(
                    "Password reset emails were requested too often from your address or for "
                    "this email, so no email was sent this time."
                ),
                retry_at=max(waits),
            )
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)

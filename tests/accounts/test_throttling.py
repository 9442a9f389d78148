"""Signing in and password reset are throttled in the cache: a (username, address) pair is locked
out after too many wrong passwords, one address cannot spray many usernames, and password reset
is limited per address and per email without telling which emails belong to someone."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from celery.signals import task_prerun
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings

from accounts.throttle import client_ip
from config.settings.base import cache_settings
from tests.conftest import require
from tests.factories import PASSWORD, make_user
from tests.test_health_and_settings import production_env, run_manage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
LOGIN = "/auth/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/auth/password_reset/"


@pytest.fixture(autouse=True)
def _one_ratelimit_window(monkeypatch):
    """django-ratelimit counts in fixed windows of the wall clock; a test that crossed a window's
    end would see its count restart. Its clock (only its own) stays at the test's start."""
    start = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: start))


def limit_of(rate: str) -> int:
    return int(rate.split("/")[0])


def sign_in(client: Client, username: str, password: str, *, url: str = LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client: Client, username: str, times: int, *, url: str = LOGIN, **extra) -> list[int]:
    return [sign_in(client, username, "wrong", url=url, **extra).status_code for _ in range(times)]


def assert_locked_out_page(response) -> str:
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins" in body
    assert re.search(r"try again after \d{4}-\d\d-\d\d \d\d:\d\d UTC", body), body
    assert int(response["Retry-After"]) > 0
    return body


def test_wrong_passwords_up_to_the_limit_lock_the_user_out_even_with_the_right_one(client):
    make_user("alice")
    limit = settings.AXES_FAILURE_LIMIT
    # when alice's password is guessed wrong `limit` times
    statuses = fail(client, "alice", limit)
    # then the last guess is already answered with the lockout page,
    assert statuses == [200] * (limit - 1) + [429]
    # and the right password is refused too, with a page that says why and until when.
    response = sign_in(client, "alice", PASSWORD)
    body = assert_locked_out_page(response)
    assert f"{limit} wrong passwords" in body
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{minutes} minutes" in body
    assert client.get("/").status_code == 302  # not signed in
    assert "Traceback" not in body


def test_the_lockout_ends_after_the_cooloff(client):
    make_user("alice")
    with override_settings(AXES_COOLOFF_TIME=dt.timedelta(seconds=2)):
        fail(client, "alice", settings.AXES_FAILURE_LIMIT)
        assert sign_in(client, "alice", PASSWORD).status_code == 429
        time.sleep(2.5)
        response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_right_password_before_the_limit_starts_the_count_again(client):
    make_user("alice")
    limit = settings.AXES_FAILURE_LIMIT
    assert fail(client, "alice", limit - 1) == [200] * (limit - 1)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post("/auth/logout/")
    # The earlier failures are forgotten: another limit - 1 are still answered normally,
    assert fail(client, "alice", limit - 1) == [200] * (limit - 1)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post("/auth/logout/")
    # and the limit still applies from there.
    assert fail(client, "alice", limit)[-1] == 429


def test_a_lockout_holds_one_username_from_one_address(client):
    make_user("alice")
    make_user("bob")
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    # Bob behind the same address, and Alice from elsewhere, still sign in.
    assert sign_in(Client(), "bob", PASSWORD).status_code == 302
    assert sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 302


def test_the_lockout_page_writes_the_moment_as_every_page_does(client):
    """One format with its time zone (the ``when`` filter), not a bare clock time labelled UTC."""
    make_user("alice")
    with override_settings(TIME_ZONE="Europe/Paris"):
        fail(client, "alice", settings.AXES_FAILURE_LIMIT)
        body = sign_in(client, "alice", PASSWORD).content.decode()
    assert re.search(r"try again after \d{4}-\d\d-\d\d \d\d:\d\d CES?T\.", body), body


def test_one_address_guessing_many_usernames_is_throttled(client):
    make_user("alice")
    limit = limit_of(settings.ADVISOR_LOGIN_FAILURES_PER_IP)
    # Each username is guessed fewer times than the per-user limit, from one address,
    users = [f"user-{i}" for i in range(limit)]
    assert {sign_in(client, u, "wrong").status_code for u in users} == {200}
    # so the address is throttled: even a right password from it waits,
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins from your network" in body
    assert re.search(r"try again after \d{4}-\d\d-\d\d \d\d:\d\d UTC", body)
    # while other addresses are not.
    assert sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="192.0.2.11").status_code == 302


def test_the_admin_login_is_locked_out_too(client):
    make_user("root", is_staff=True, is_superuser=True)
    limit = settings.AXES_FAILURE_LIMIT
    statuses = fail(client, "root", limit, url=ADMIN_LOGIN)
    assert statuses == [200] * (limit - 1) + [429]
    response = sign_in(client, "root", PASSWORD, url=ADMIN_LOGIN)
    assert_locked_out_page(response)
    assert client.get("/admin/").status_code == 302


def test_failures_on_the_admin_login_count_for_the_dashboard_login(client):
    make_user("root", is_staff=True)
    fail(client, "root", settings.AXES_FAILURE_LIMIT, url=ADMIN_LOGIN)
    assert_locked_out_page(sign_in(client, "root", PASSWORD))


@override_settings(ADVISOR_TRUSTED_PROXY_COUNT=1)
def test_behind_the_load_balancer_a_forged_forwarded_for_does_not_escape_the_lockout(client):
    make_user("alice")
    for i in range(settings.AXES_FAILURE_LIMIT):
        # The client writes its own X-Forwarded-For; the balancer appends what it saw.
        forged = f"192.0.2.{i}, 198.51.100.1"
        sign_in(client, "alice", "wrong", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged)
    response = sign_in(
        client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert_locked_out_page(response)
    other = sign_in(
        Client(), "alice", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # no proxy trusted: the header is ignored
        (1, "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        (1, "10.0.0.2", "192.0.2.66, 203.0.113.9", "203.0.113.9"),
        (2, "10.0.0.2", "192.0.2.66, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "10.0.0.2", "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: not via them
        (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::"),  # an IPv6 subscriber's /64
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    rf, proxies, remote, forwarded, expected
):
    request = rf.post(LOGIN, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(ADVISOR_TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


def cache_backend(env: dict) -> list[str]:
    code = "from django.conf import settings; c = settings.CACHES['default']; "
    code += "print(c['BACKEND'], c['LOCATION'])"
    result = run_manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_production_counts_in_the_brokers_redis_or_cache_url():
    assert cache_backend(production_env()) == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/0",
    ]
    assert cache_backend(production_env(CACHE_URL="redis://cache.internal:6379/3")) == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.internal:6379/3",
    ]


def test_the_local_mode_counts_in_a_database_table():
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=None, CELERY_BROKER_URL=None
    )
    assert cache_backend(env) == ["django.core.cache.backends.db.DatabaseCache", "advisor_cache"]


def request_reset(email: str, *, address: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email})


def test_password_reset_is_throttled_per_address(db, eager_celery):
    make_user("alice", email="alice@example.com")
    limit = limit_of(settings.ADVISOR_PASSWORD_RESETS_PER_IP)
    emails = [f"someone-{i}@example.com" for i in range(limit)]
    assert {request_reset(e, address="198.51.100.7").status_code for e in emails} == {302}
    response = request_reset("alice@example.com", address="198.51.100.7")
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert mail.outbox == []  # the refused request sent nothing
    assert request_reset("alice@example.com", address="198.51.100.8").status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_is_throttled_per_email_whatever_the_address(db, eager_celery):
    make_user("alice", email="alice@example.com")
    limit = limit_of(settings.ADVISOR_PASSWORD_RESETS_PER_EMAIL)
    spellings = ["alice@example.com", " Alice@Example.com", "ALICE@example.COM "]
    for i in range(limit):
        response = request_reset(spellings[i % len(spellings)], address=f"203.0.113.{i + 1}")
        assert response.status_code == 302
    assert len(mail.outbox) == limit
    response = request_reset("alice@example.com", address="203.0.113.200")
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert len(mail.outbox) == limit
    assert request_reset("bob@example.com", address="203.0.113.200").status_code == 302


def _without_times(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    # A moment whole, its date too: the two clients' windows may end either side of midnight.
    return re.sub(r"(\d{4}-\d\d-\d\d )?\d\d:\d\d UTC|\d+ minutes?|\d+ seconds?", "…", html)


def test_password_reset_answers_the_same_for_known_and_unknown_emails(db, eager_celery):
    make_user("alice", email="alice@example.com")
    known = Client(REMOTE_ADDR="198.51.100.20")
    unknown = Client(REMOTE_ADDR="198.51.100.21")
    limit = limit_of(settings.ADVISOR_PASSWORD_RESETS_PER_EMAIL)
    for _ in range(limit):
        a = known.post(RESET, {"email": "alice@example.com"}, follow=True)
        b = unknown.post(RESET, {"email": "nobody@example.com"}, follow=True)
        assert a.status_code == b.status_code == 200
        assert a.redirect_chain == b.redirect_chain == [("/auth/password_reset/done/", 302)]
        assert _without_times(a.content.decode()) == _without_times(b.content.decode())
    # Past the limit both are refused alike: the count never depends on the address existing.
    a = known.post(RESET, {"email": "alice@example.com"})
    b = unknown.post(RESET, {"email": "nobody@example.com"})
    assert a.status_code == b.status_code == 429
    assert _without_times(a.content.decode()) == _without_times(b.content.decode())
    assert len(mail.outbox) == limit  # only alice's requests sent mail


def test_password_reset_does_the_same_work_for_known_and_unknown_emails(db, eager_celery):
    """The request only hands the address to a task, whoever it belongs to: looking the user up,
    making the token and talking to the relay happen in the task, so the answer's timing tells
    nothing. (Celery's own task_prerun signal shows which tasks ran, and with what.)"""
    make_user("alice", email="alice@example.com")
    ran: list[tuple[str, dict]] = []

    def record(sender=None, kwargs=None, **_):
        ran.append((sender.name, dict(kwargs or {})))

    task_prerun.connect(record, weak=False)
    try:
        for email in ("alice@example.com", "nobody@example.com"):
            before = len(mail.outbox)
            response = Client(REMOTE_ADDR="198.51.100.30").post(RESET, {"email": email})
            assert response.status_code == 302
            # then: exactly one task, the same one with the same arguments but the address
            assert ran.pop() == (
                "accounts.send_password_reset",
                {"email": email, "domain": "testserver", "use_https": False},
            )
            assert ran == []
            sent = mail.outbox[before:]
            if email == "alice@example.com":
                assert [m.to for m in sent] == [["alice@example.com"]]
            else:
                assert sent == []  # the task found no one to write to
    finally:
        task_prerun.disconnect(record)


@pytest.mark.django_db(transaction=True)
def test_failures_counted_by_another_process_lock_out_here_through_redis(client):
    """Production counts in Redis: every gunicorn worker and machine sees one count."""
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    require(redis_url.startswith("redis"), "TEST_REDIS_URL names no Redis")
    username = f"alice-{uuid.uuid4().hex[:8]}"
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # this run's keys only
    make_user(username)
    limit = settings.AXES_FAILURE_LIMIT
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    other_process = (
        "import django; django.setup()\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "from django.test import Client\n"
        f"r = Client(REMOTE_ADDR={address!r}).post('{LOGIN}', "
        f"{{'username': {username!r}, 'password': 'wrong'}})\n"
        "print(r.status_code)\n"
    )
    # Naming AXES_HANDLER after CACHES makes axes rebuild its handler on the new cache.
    with override_settings(CACHES=cache_settings(redis_url), AXES_HANDLER=settings.AXES_HANDLER):
        # Given limit - 1 failures counted here,
        assert fail(client, username, limit - 1, REMOTE_ADDR=address) == [200] * (limit - 1)
        # when another process, on the same Redis, counts one more,
        result = subprocess.run(
            [sys.executable, "-c", other_process],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "TEST_CACHE_URL": redis_url,
                "DATABASE_URL": database_url,
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        # then that process locked the pair out, and this one refuses the right password.
        assert result.stdout.strip().splitlines()[-1] == "429", result.stdout
        assert_locked_out_page(sign_in(client, username, PASSWORD, REMOTE_ADDR=address))

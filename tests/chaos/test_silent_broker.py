"""*Scan now* when the broker accepts connections and never answers.

The broker is a real TCP server on a loopback port that accepts and then stays silent, so the web
request's publish meets it on the wire exactly as it would meet a hung Redis. What must hold: the
request answers within seconds, the scan it created is failed with the reason (it does not stay
queued and block the account), the user is told, and the account can be scanned again at once.
"""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from advisor.models import Scan
from advisor.services.scans import ScanRefused, scan_start
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.redis_server import broker

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

# The broker settings bound one publish to a few seconds (connect, then each command); the bound
# here leaves headroom for a loaded machine.
ANSWER_WITHIN_S = 20


@pytest.fixture
def admin_account():
    user = make_user()
    account = make_account(make_workspace(members={user: "admin"}), regions=["us-east-1"])
    return user, account


def test_scan_now_answers_and_fails_the_scan_when_the_broker_is_silent(
    client, admin_account, silent_broker, private_redis
):
    user, account = admin_account
    client.force_login(user)

    # when: Scan now, with the web process's broker accepting but never answering
    with broker(silent_broker.url):
        started = time.monotonic()
        response = client.post(reverse("advisor:scan-now", args=[account.pk]), follow=True)
        elapsed = time.monotonic() - started

    # then: an answer within seconds, saying the scan could not be queued
    assert silent_broker.accepted, "the request never reached the silent broker"
    assert elapsed < ANSWER_WITHIN_S, f"Scan now answered after {elapsed:.1f} s"
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be queued" in page
    scan = Scan.objects.get(account=account)
    assert scan.status == Scan.Status.FAILED
    assert "task queue" in scan.error
    assert scan.finished_at is not None

    # and the account is not blocked: the next scan is accepted and its region queued
    with broker(private_redis.url):
        second = scan_start(account=account)
    assert second.status == Scan.Status.QUEUED
    queued = redis.Redis.from_url(private_redis.url).llen(settings.CELERY_TASK_DEFAULT_QUEUE)
    assert queued == 1


def test_scan_start_says_why_when_the_broker_is_silent(admin_account, silent_broker):
    _, account = admin_account

    with broker(silent_broker.url), pytest.raises(ScanRefused, match="could not be queued"):
        scan_start(account=account)

    assert Scan.objects.get(account=account).status == Scan.Status.FAILED


@pytest.mark.parametrize("email", ["known@example.com", "nobody@example.com"])
def test_password_reset_says_so_when_the_broker_is_silent(client, silent_broker, email):
    make_user(email="known@example.com")

    with broker(silent_broker.url):
        started = time.monotonic()
        response = client.post(reverse("password_reset"), {"email": email})
        elapsed = time.monotonic() - started

    # the same answer for an address with an account and one without: the form again, with
    # the reason, the address kept, within seconds
    assert silent_broker.accepted, "the request never reached the silent broker"
    assert elapsed < ANSWER_WITHIN_S, f"the reset page answered after {elapsed:.1f} s"
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be sent just now" in page
    assert f'value="{email}"' in page

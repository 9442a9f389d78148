import os
import time

import pytest
from django.conf import settings
from django.core.cache import cache

pytest_plugins = [
    "tests.fixtures.emulator",
    "tests.fixtures.worker",
    "tests.fixtures.smtp",
    "tests.fixtures.redis_server",
    "tests.fixtures.recording_server",
    "tests.fixtures.counting_proxy",
]

IN_CI = os.environ.get("CI") == "true"


def require(condition: bool, why: str) -> None:
    """Under CI a missing service is a failure; elsewhere the test skips saying why."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (required under CI)")
    pytest.skip(why)


@pytest.fixture(autouse=True)
def _shipped_prices_only():
    """Each test starts on the shipped prices, as if the process had just found no refreshed
    ones (so pages make no extra query; a refresh installs its prices itself), and prices a
    test refreshed do not leak into the next (each process caches them)."""
    from advisor.decide.prices import install_refreshed
    from advisor.services import prices

    install_refreshed({}, version="")
    prices._checked_at = time.monotonic()
    yield
    install_refreshed({}, version="")
    prices._checked_at = None


@pytest.fixture(autouse=True)
def _no_failed_logins_carried_over():
    """Each test starts with no sign-in or reset counts: the limits stay the production ones, and
    a test that wants a lockout makes it. The test cache is this process's memory (test settings),
    so emptying it touches nothing shared."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()  # never a shared Redis: FLUSHDB would take the broker's queue with it

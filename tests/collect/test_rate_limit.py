"""The client-side rate limiter holds the configured rate per quota bucket."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from advisor.collect.clients import (
    RATE_KEY_PREFIX,
    CallCounter,
    Clients,
    RateLimiter,
    SharedTokenBucket,
    TokenBucket,
    lambda_bucket,
)
from advisor.collect.options import CollectOptions
from advisor.collect.scanner import collect_region
from tests.collect.aws_state import Aws
from tests.conftest import require


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_bucket_spaces_calls_at_the_configured_rate():
    clock = FakeClock()
    bucket = TokenBucket(10, clock=clock, sleep=clock.sleep)

    for _ in range(21):
        bucket.acquire()

    assert clock.now == pytest.approx(2.0)  # 21 calls at 10/s: the last one 2 s after the first
    assert clock.sleeps == pytest.approx([0.1] * 20)


def test_bucket_allows_a_burst_then_holds_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(10, burst=5, clock=clock, sleep=clock.sleep)

    waits = [bucket.acquire() for _ in range(8)]

    assert waits[:5] == [0, 0, 0, 0, 0]
    assert clock.now == pytest.approx(0.3)


def test_idle_time_is_not_saved_up_beyond_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(10, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    clock.now = 60.0

    waits = [bucket.acquire() for _ in range(3)]

    assert waits == pytest.approx([0, 0.1, 0.1])


def test_bucket_holds_across_threads_in_real_time():
    bucket = TokenBucket(50)
    started = time.monotonic()

    def work() -> None:
        for _ in range(5):
            bucket.acquire()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # 20 calls at 50/s: at least 19 intervals of 20 ms, whatever the threads' interleaving.
    assert time.monotonic() - started >= 19 / 50 - 0.01


def test_quota_buckets_follow_aws():
    assert lambda_bucket("lambda.GetFunction") == "lambda.GetFunction"
    assert lambda_bucket("lambda.GetPolicy") == "lambda.GetPolicy"
    assert lambda_bucket("lambda.ListFunctions") == "lambda"
    assert lambda_bucket("lambda.GetFunctionEventInvokeConfig") == "lambda"
    assert lambda_bucket("cloudwatch.GetMetricData") is None


def test_default_rates_are_half_of_aws_quotas():
    limiter = RateLimiter.for_options(CollectOptions())
    assert limiter is not None
    assert {name: bucket.rate for name, bucket in limiter.buckets.items()} == {
        "lambda.GetFunction": 50.0,
        "lambda.GetPolicy": 7.5,
        "lambda": 7.5,
    }
    assert RateLimiter.for_options(CollectOptions(rate_limit=False)) is None


def test_every_http_attempt_waits_for_its_own_bucket(aws: str):
    """Through the botocore hook: calls against the emulator draw from the right bucket."""
    state = Aws.connect(aws)
    state.function("one")
    clock = FakeClock()
    options = CollectOptions(lambda_get_policy_quota=4, rate_limit_fraction=1.0)
    limiter = RateLimiter.for_options(options, clock=clock, sleep=clock.sleep)
    clients = Clients(
        session=state.session,
        region=state.region,
        endpoint_url=aws,
        options=options,
        counter=CallCounter(),
        limiter=limiter,
    )
    lam = clients.get("lambda")

    for _ in range(5):
        lam.get_function(FunctionName="one")
    assert clock.now == pytest.approx(4 / 100)  # GetFunction: AWS's 100/s, x 1.0
    for _ in range(5):
        # No policy (ResourceNotFound): still a request AWS counts.
        with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
            lam.get_policy(FunctionName="one")
    # GetPolicy at 4/s: 4 more intervals of 0.25 s; GetFunction's bucket did not slow it down.
    assert clock.now == pytest.approx(4 / 100 + 1.0)
    assert clients.counter.calls() == {"lambda.GetFunction": 5, "lambda.GetPolicy": 5}


# --------------------------------------------------------------------------- shared buckets


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis, with this test's rate keys removed before and after."""
    import redis
    from django.conf import settings

    url = settings.ADVISOR_RATE_LIMIT_STORE or ""
    require(url.startswith("redis://"), "no Redis for the rate limit store (set TEST_REDIS_URL)")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as error:
        require(False, f"Redis does not answer at {url}: {error}")
    scope = f"{RATE_KEY_PREFIX}test-{uuid.uuid4().hex}"
    yield url, scope
    for key in client.scan_iter(f"{scope}*"):
        client.delete(key)


def shared(url: str, key: str, rate: float, sleeps: list[float]) -> SharedTokenBucket:
    import redis

    return SharedTokenBucket(redis.Redis.from_url(url), key, rate, sleep=sleeps.append)


def test_two_processes_share_one_schedule(redis_url):
    # given two buckets on the same key, as two worker processes would hold them (one call in
    # 10 s: the schedule, not this machine's speed, sets the slots)
    url, key = redis_url
    sleeps: list[float] = []
    first, second = shared(url, key, 0.1, sleeps), shared(url, key, 0.1, sleeps)
    # when they reserve alternately, without waiting for their slots
    slots = [(first if i % 2 else second).reserve()[0] for i in range(10)]
    # then the slots interleave 10 s apart: one budget, not two
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert gaps == pytest.approx([10.0] * 9, abs=1e-4)


def test_other_accounts_and_regions_have_their_own_schedule(redis_url):
    # one call a minute per budget: whatever the machine's delays between the calls below
    # (well under a minute), the schedule decides every wait
    url, key = redis_url
    sleeps: list[float] = []
    mine = shared(url, f"{key}:111111111111:us-east-1", 1 / 60, sleeps)
    theirs = shared(url, f"{key}:222222222222:us-east-1", 1 / 60, sleeps)
    first_slot, first_now = mine.reserve()
    assert first_slot == pytest.approx(first_now, abs=1e-4)  # a fresh budget: no wait
    assert theirs.acquire() == 0  # no wait: their budget is their own
    second_slot, _ = mine.reserve()
    assert second_slot == pytest.approx(first_slot + 60, abs=1e-4)  # mine is spent for a minute
    wait = mine.acquire()  # the third call waits for its slot, two minutes after the first
    assert 60 < wait <= 120
    assert sleeps == [wait]


def test_a_scan_draws_from_the_shared_buckets_of_its_account_and_region(redis_url, aws):
    import redis

    url, _ = redis_url
    state = Aws.connect(aws)
    for name in ("a", "b"):
        state.function(name)
    options = CollectOptions(rate_limit=True, rate_limit_store=url, metrics=False)
    collect_region(
        session=state.session,
        account_id="123456789012",
        region="us-east-1",
        endpoint_url=aws,
        options=options,
    )
    client = redis.Redis.from_url(url)
    keys = {k.decode() for k in client.scan_iter(f"{RATE_KEY_PREFIX}123456789012:us-east-1:*")}
    assert {
        f"{RATE_KEY_PREFIX}123456789012:us-east-1:lambda.GetFunction",
        f"{RATE_KEY_PREFIX}123456789012:us-east-1:lambda.GetPolicy",
        f"{RATE_KEY_PREFIX}123456789012:us-east-1:lambda",
    } <= keys
    assert all(0 < client.pttl(key) <= 61_000 for key in keys)  # they expire on their own


def test_unreachable_store_falls_back_to_in_process_limiting(caplog):
    import redis

    sleeps: list[float] = []
    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    bucket = SharedTokenBucket(client, "k", 1000, sleep=sleeps.append)
    with caplog.at_level("WARNING", logger="advisor.collect.clients"):
        waits = [bucket.acquire() for _ in range(3)]
    assert len(waits) == 3  # the scan goes on
    assert sum("limiting in-process" in r.getMessage() for r in caplog.records) == 1

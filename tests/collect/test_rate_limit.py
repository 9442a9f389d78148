"""The client-side rate limiter holds the configured rate per quota bucket."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from advisor.collect.clients import CallCounter, Clients, RateLimiter, TokenBucket, lambda_bucket
from advisor.collect.options import CollectOptions
from tests.collect.aws_state import Aws


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

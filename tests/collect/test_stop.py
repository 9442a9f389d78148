"""Stopping a region scan early (what the worker does at the task's soft time limit): the calls
still queued are cancelled, and what was not read completely is a region-wide gap.

The interruption is raised from the progress callback, which the collector calls on the thread
that collects, exactly where a signal handler's exception would surface."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_METRICS, DATA_POLICIES
from advisor.collect.scanner import ALL_DATA, CollectOptions, collect_region
from tests.collect.aws_state import ACCOUNT, Aws

FUNCTIONS = 24


class Stop(Exception):
    """Stands for Celery's SoftTimeLimitExceeded."""


class Bug(Exception):
    pass


@pytest.fixture
def state(aws: str) -> Aws:
    state = Aws.connect(aws)
    for i in range(FUNCTIONS):
        state.function(f"fn-{i:02d}")
    return state


def scan(state: Aws, progress, **kwargs):
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=state.region,
        endpoint_url=state.endpoint,
        # One call at a time, so "queued" is most of them.
        options=CollectOptions(rate_limit=False, max_workers=1),
        progress=progress,
        **kwargs,
    )


def stop_after_details(n: int, error: type[Exception]):
    def progress(stage: str, done: int, total: int) -> None:
        if stage == "details" and done == n:
            raise error(f"stopped after {n} functions")

    return progress


def test_a_stopped_scan_keeps_what_it_read_and_records_the_rest_as_gaps(state):
    inventory = scan(state, stop_after_details(3, Stop), interrupts=(Stop,))

    assert len(inventory.functions) == FUNCTIONS  # the listing was complete
    # The queued detail calls were cancelled, not made.
    assert inventory.api_calls["lambda.GetPolicy"] < FUNCTIONS // 2
    gaps = {gap.hides: gap for gap in inventory.coverage_gaps}
    assert DATA_FUNCTIONS not in gaps
    assert {DATA_POLICIES, DATA_METRICS} <= set(gaps)
    assert set(gaps) <= set(ALL_DATA)
    gap = gaps[DATA_POLICIES]
    assert (gap.error_code, gap.resource_arn, gap.operation) == ("Stop", None, "ScanRegion")
    assert "stopped after" in gap.message and "policies" in gap.message
    assert inventory.missing(DATA_POLICIES) is gap


def test_an_unexpected_error_still_propagates_but_cancels_the_queued_calls(state):
    policies = []
    state.session.events.register("before-call.lambda.GetPolicy", lambda **_: policies.append(1))

    with pytest.raises(Bug):
        scan(state, stop_after_details(2, Bug), interrupts=(Stop,))
    made = len(policies)
    assert made < FUNCTIONS // 2
    assert len(policies) == made  # nothing still running behind the raise


def test_a_scan_that_is_not_stopped_records_no_stop_gap(state):
    inventory = scan(state, None, interrupts=(Stop,))

    assert inventory.api_calls["lambda.GetPolicy"] == FUNCTIONS
    assert not [gap for gap in inventory.coverage_gaps if gap.error_code == "Stop"]

"""The pool's slots for bulk region tasks, in the Redis the workers share: a scheduled scan's
region takes one or waits; Scan now's never does; a lease lapses when its worker is gone."""

from __future__ import annotations

import time

import pytest
import redis

from advisor.models import Scan
from advisor.services import region_slots
from advisor.services.region_slots import bulk_region_slot, is_bulk, slots_held
from tests.conftest import require


@pytest.fixture
def slots(settings):
    url = settings.ADVISOR_RATE_LIMIT_STORE
    require(bool(url), "no shared Redis (set TEST_REDIS_URL)")
    store = redis.Redis.from_url(url)
    try:
        store.ping()
    except redis.RedisError as error:
        require(False, f"Redis does not answer at {url}: {error}")
    settings.ADVISOR_BULK_REGION_SLOTS = 2
    settings.ADVISOR_BULK_REGION_LEASE_SECONDS = 60
    store.delete(region_slots.slots_key())
    yield store
    store.delete(region_slots.slots_key())


def test_bulk_regions_take_at_most_the_pools_slots(slots):
    with bulk_region_slot(bulk=True) as first, bulk_region_slot(bulk=True) as second:
        assert first and second
        assert slots_held() == 2
        with bulk_region_slot(bulk=True) as third:
            assert third is False
        # Scan now's region never waits and takes no slot
        with bulk_region_slot(bulk=False) as manual:
            assert manual is True
            assert slots_held() == 2
    # a region that ended gives its slot back
    assert slots_held() == 0
    with bulk_region_slot(bulk=True) as again:
        assert again


def test_a_slot_is_released_when_the_region_fails(slots):
    with pytest.raises(RuntimeError), bulk_region_slot(bulk=True):
        raise RuntimeError("the region's task broke")
    assert slots_held() == 0


def test_a_killed_workers_lease_lapses(slots, settings):
    # given a lease taken by a worker that was killed outright (never released, never renewed)
    now = int(slots.time()[0])
    slots.zadd(region_slots.slots_key(), {"killed-a": now + 1, "killed-b": now + 1})
    with bulk_region_slot(bulk=True) as blocked:
        assert blocked is False
    # when the lease time has passed
    time.sleep(2.1)
    # then its slot is free again
    with bulk_region_slot(bulk=True) as free:
        assert free


def test_a_running_regions_lease_is_renewed(slots, settings):
    settings.ADVISOR_BULK_REGION_LEASE_SECONDS = 3
    settings.ADVISOR_BULK_REGION_SLOTS = 1
    with bulk_region_slot(bulk=True) as held:
        assert held
        time.sleep(4.5)  # longer than the lease: only its renewal keeps it
        assert slots_held() == 1
        with bulk_region_slot(bulk=True) as other:
            assert other is False


def test_no_slots_configured_means_no_bound(slots, settings):
    settings.ADVISOR_BULK_REGION_SLOTS = 0
    with bulk_region_slot(bulk=True) as a, bulk_region_slot(bulk=True) as b:
        assert a and b
    assert slots_held() == 0


def test_only_scheduled_scans_are_bulk():
    assert is_bulk(Scan.Trigger.SCHEDULED)
    assert not is_bulk(Scan.Trigger.MANUAL) and not is_bulk(Scan.Trigger.COMMAND)

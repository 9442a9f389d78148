"""The global bound on bulk region tasks: how many region tasks of scheduled scans run at once
across every worker of a pool, so that a nightly run of a whole fleet never takes every worker
process and *Scan now* always finds one free.

AWS's quotas are per account and region (the shared Redis rate limiter keeps each of those under
its budget), so region tasks of different accounts run side by side; what is bounded here is the
pool's processes, not AWS. A pool is the workers consuming one queue with one Redis: the slots
are a sorted set in that Redis, keyed by the queue, holding one lease per running bulk region
task (scored by when it expires). A region task of a scheduled scan takes a lease before it
collects; when none is free it is queued again a few seconds later and gives its process back.
Region tasks of the other scans (*Scan now*, the command line) never wait for a slot.

A lease is renewed while its task runs and lapses ``ADVISOR_BULK_REGION_LEASE_SECONDS`` after a
worker was killed outright, so a lost worker never keeps its slot for long. Without Redis (the
local mode's filesystem broker, one worker) or with ``ADVISOR_BULK_REGION_SLOTS`` = 0 there is
no bound.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
from collections.abc import Iterator

import redis
from django.conf import settings

from advisor.models import Scan

logger = logging.getLogger(__name__)

# Scans started for many accounts at once, whose region tasks share the bounded slots.
BULK_TRIGGERS = (Scan.Trigger.SCHEDULED,)
SLOTS_KEY_PREFIX = "advisor:bulk-region-slots:"

# Drop the lapsed leases, then take one if fewer than ARGV[1] are held; on Redis's clock.
_ACQUIRE = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
"""
# Extend a lease still held (XX: a lapsed one is not taken back).
_RENEW = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1
"""


def is_bulk(trigger: str) -> bool:
    return trigger in BULK_TRIGGERS


def slots_key() -> str:
    """The pool's slots: one set per queue (workers of another queue are another pool)."""
    return f"{SLOTS_KEY_PREFIX}{settings.CELERY_TASK_DEFAULT_QUEUE}"


def _store() -> redis.Redis | None:
    url = settings.ADVISOR_RATE_LIMIT_STORE  # the Redis every worker shares
    if not url or settings.ADVISOR_BULK_REGION_SLOTS <= 0:
        return None
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def slots_held() -> int:
    """Bulk region tasks running now (leases not lapsed), for the operator and the tests."""
    store = _store()
    if store is None:
        return 0
    now = store.time()[0]
    return store.zcount(slots_key(), f"({now}", "+inf")


class _Renewal:
    """Renews the lease from its own thread while the task runs."""

    def __init__(self, store: redis.Redis, token: str, lease: int) -> None:
        self._renew = store.register_script(_RENEW)
        self._token, self._lease = token, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bulk-slot-lease", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(max(1.0, self._lease / 3)):
            try:
                self._renew(keys=[slots_key()], args=[self._lease, self._token])
            except redis.RedisError as error:
                # A missed renewal or two is harmless; a long outage lets the lease lapse, and
                # the pool may then run one more bulk task than its bound for a while.
                logger.warning("bulk region slot not renewed: %s", error)

    def __enter__(self) -> _Renewal:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def bulk_region_slot(*, bulk: bool) -> Iterator[bool]:
    """Hold a slot for the block: yields True when the region may run now (always for a scan
    that is not bulk, and when there is no bound), False when every slot is taken."""
    store = _store() if bulk else None
    if store is None:
        yield True
        return
    token = secrets.token_hex(8)
    lease = settings.ADVISOR_BULK_REGION_LEASE_SECONDS
    try:
        taken = store.register_script(_ACQUIRE)(
            keys=[slots_key()], args=[settings.ADVISOR_BULK_REGION_SLOTS, lease, token]
        )
    except redis.RedisError as error:
        # The bound is about sharing the workers fairly, not about correctness: a Redis that
        # cannot answer does not stop the scan (the broker is likely the same Redis, and the
        # task's own retries deal with that).
        logger.warning("bulk region slots unavailable (%s); running without the bound", error)
        yield True
        return
    if not taken:
        yield False
        return
    try:
        with _Renewal(store, token, lease):
            yield True
    finally:
        try:
            store.zrem(slots_key(), token)
        except redis.RedisError as error:
            logger.warning("bulk region slot not released (it lapses by itself): %s", error)


def bulk_region_wait_seconds() -> float:
    """How long a region task that found no slot waits before it asks again (with jitter, so
    the waiting tasks do not all ask at once)."""
    base = settings.ADVISOR_BULK_REGION_WAIT_SECONDS
    return base + secrets.randbelow(max(1, base) * 1000) / 1000

"""boto3 clients for one (account, region): configuration, call counting and rate limiting.

Every client the collector uses comes from ``Clients``, so every call goes through the same two
botocore event hooks:

- ``before-call`` counts one call per API operation invocation (a paginator page is a call; the
  retries botocore makes inside one call are not), keyed ``"service.Operation"``;
  ``after-call`` adds the retries botocore reports in the response metadata;
- ``before-send`` runs before every HTTP attempt, retries included (AWS counts those against its
  quotas too), and waits for a token from the operation's quota bucket.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import boto3
import redis
from botocore.config import Config
from botocore.utils import parse_timestamp

from advisor.collect.options import CollectOptions
from advisor.collect.session import aws_client

Clock = Callable[[], float]
Sleep = Callable[[float], None]
RATE_KEY_PREFIX = "lambda-advisor:rate:"

logger = logging.getLogger(__name__)


class CallCounter:
    """Thread-safe counts of AWS calls (and retries) by ``"service.Operation"``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._retries: Counter[str] = Counter()

    def add_call(self, key: str) -> None:
        with self._lock:
            self._calls[key] += 1

    def add_retries(self, key: str, retries: int) -> None:
        if retries:
            with self._lock:
                self._retries[key] += retries

    def calls(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._calls.items()))

    def retries(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._retries.items()))

    # botocore event handlers

    def on_before_call(self, model: Any, **_: Any) -> None:
        self.add_call(operation_key(model))

    def on_after_call(self, model: Any, parsed: Mapping[str, Any] | None = None, **_: Any) -> None:
        metadata = (parsed or {}).get("ResponseMetadata", {})
        self.add_retries(operation_key(model), int(metadata.get("RetryAttempts", 0) or 0))


def operation_key(model: Any) -> str:
    """``"lambda.GetFunction"`` for a botocore OperationModel."""
    return f"{model.service_model.service_name}.{model.name}"


class TokenBucket:
    """Admits at most ``rate`` requests per second, with bursts of at most ``burst``.

    Each ``acquire`` reserves the next free slot under a lock and sleeps outside it until the
    slot arrives, so concurrent callers queue up fairly and the rate holds across threads."""

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1, burst)
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: float | None = None

    def acquire(self) -> float:
        """Wait for a slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            earliest = now - (self.burst - 1) * self._interval
            slot = earliest if self._next is None else max(self._next, earliest)
            self._next = slot + self._interval
            wait = max(0.0, slot - now)
        if wait > 0:
            self._sleep(wait)
        return wait


# GCRA on Redis: the bucket's next free slot is one key, reserved atomically, on Redis's clock.
_RESERVE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local earliest = now - (tonumber(ARGV[2]) - 1) * interval
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), earliest)
local ttl = math.ceil((slot + interval - now) * 1000) + 60000
redis.call('SET', KEYS[1], string.format('%.6f', slot + interval), 'PX', ttl)
return {string.format('%.6f', slot), string.format('%.6f', now)}
"""


class SharedTokenBucket:
    """A :class:`TokenBucket` whose schedule lives in Redis, so that every process scanning the
    same account and region (region tasks, an ad hoc ``manage.py scan``, the same AWS account
    connected by two workspaces) draws from one budget.

    If Redis cannot be reached the bucket falls back to an in-process one and says so in the
    log once: a scan slows down to its own share rather than failing."""

    def __init__(
        self,
        redis_client: Any,
        key: str,
        rate: float,
        burst: int = 1,
        *,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.fallback = TokenBucket(rate, burst, sleep=sleep)
        self.rate, self.burst, self.key = rate, self.fallback.burst, key
        self._interval = 1.0 / rate
        self._sleep = sleep
        self._script = redis_client.register_script(_RESERVE_SLOT)
        self._warned = False

    def reserve(self) -> tuple[float, float]:
        """(slot, now) on Redis's clock, in seconds; raises the client's error if unreachable."""
        slot, now = self._script(keys=[self.key], args=[self._interval, self.burst])
        return float(slot), float(now)

    def acquire(self) -> float:
        try:
            slot, now = self.reserve()
        except redis.RedisError as error:
            if not self._warned:
                logger.warning("rate limit store unreachable, limiting in-process: %s", error)
                self._warned = True
            return self.fallback.acquire()
        wait = max(0.0, slot - now)
        if wait > 0:
            self._sleep(wait)
        return wait


class RateLimiter:
    """One token bucket per AWS quota bucket; operations without a bucket pass freely."""

    def __init__(
        self,
        buckets: Mapping[str, TokenBucket | SharedTokenBucket],
        route: Callable[[str], str | None],
    ):
        self.buckets = dict(buckets)
        self._route = route

    @classmethod
    def for_options(
        cls,
        options: CollectOptions,
        *,
        scope: str | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> RateLimiter | None:
        """The buckets of ``options``. With ``options.rate_limit_store`` (a Redis URL) and a
        ``scope`` (``"account:region"``, what AWS's quotas are per), they are shared by every
        process; otherwise they hold in this process only."""
        if not options.rate_limit:
            return None
        fraction = options.rate_limit_fraction
        quotas = (
            ("lambda.GetFunction", options.lambda_get_function_quota),
            ("lambda.GetPolicy", options.lambda_get_policy_quota),
            ("lambda", options.lambda_shared_quota),
        )
        if options.rate_limit_store and scope:
            store = redis.Redis.from_url(
                options.rate_limit_store, socket_timeout=2, socket_connect_timeout=2
            )
            buckets: dict[str, TokenBucket | SharedTokenBucket] = {
                name: SharedTokenBucket(
                    store, f"{RATE_KEY_PREFIX}{scope}:{name}", quota * fraction, sleep=sleep
                )
                for name, quota in quotas
            }
        else:
            buckets = {
                name: TokenBucket(quota * fraction, clock=clock, sleep=sleep)
                for name, quota in quotas
            }
        return cls(buckets, lambda_bucket)

    def bucket_for(self, key: str) -> TokenBucket | SharedTokenBucket | None:
        name = self._route(key)
        return self.buckets.get(name) if name else None

    def acquire(self, key: str) -> float:
        bucket = self.bucket_for(key)
        return bucket.acquire() if bucket else 0.0

    # botocore event handler: before-send.<service-id>.<Operation>
    def on_before_send(self, event_name: str, service_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        self.acquire(f"{service_name}.{operation}")


def lambda_bucket(key: str) -> str | None:
    """The Lambda control-plane quota bucket an operation draws from."""
    if key in ("lambda.GetFunction", "lambda.GetPolicy"):
        return key
    if key.startswith("lambda."):
        return "lambda"
    return None


class _DropResponseBodies(logging.Filter):
    """botocore logs whole response bodies at DEBUG; a ListFunctions body holds environment
    variable values, which must never reach a log. Headers and every other record still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Response body")


_BODY_FILTER = _DropResponseBodies()


def keep_response_bodies_out_of_logs() -> None:
    """Idempotent: installs the filter on botocore's parser logger once per process."""
    parser_logger = logging.getLogger("botocore.parsers")
    if _BODY_FILTER not in parser_logger.filters:
        parser_logger.addFilter(_BODY_FILTER)


def fast_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, minus its cost on epoch numbers.

    GetMetricData answers up to 100,800 timestamps per call, as epoch numbers; botocore builds
    each through dateutil's tzutc (about 25 us apiece: minutes of CPU for a large account). This
    gives the same instants, as aware UTC datetimes, at a fraction of the cost; strings (ISO 8601,
    RFC 822) still go to botocore's parser."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return parse_timestamp(value)


def use_fast_timestamps(session: boto3.Session) -> None:
    """Applies to every client the session creates from now on (same values, same types)."""
    core = getattr(session, "_session", None)
    if core is not None:
        core.get_component("response_parser_factory").set_parser_defaults(
            timestamp_parser=fast_timestamp
        )


class Clients:
    """Creates (once) and configures the boto3 clients of one scan of one region."""

    def __init__(
        self,
        *,
        session: boto3.Session,
        region: str,
        endpoint_url: str | None,
        options: CollectOptions,
        counter: CallCounter,
        limiter: RateLimiter | None,
    ) -> None:
        self.session = session
        self.region = region
        self.endpoint_url = endpoint_url
        self.counter = counter
        self.limiter = limiter
        self.config = Config(
            connect_timeout=options.connect_timeout_s,
            read_timeout=options.read_timeout_s,
            retries={"max_attempts": options.max_attempts, "mode": "adaptive"},
            max_pool_connections=max(10, options.max_workers + 2),
            user_agent_extra="lambda-advisor",
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        keep_response_bodies_out_of_logs()
        use_fast_timestamps(session)

    def get(self, service: str) -> Any:
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self._create(service)
                self._clients[service] = client
            return client

    def _create(self, service: str) -> Any:
        client = aws_client(
            service,
            session=self.session,
            region=self.region,
            endpoint_url=self.endpoint_url,
            config=self.config,
        )
        events = client.meta.events
        # register_first: counted even when another handler short-circuits the call.
        events.register_first("before-call.*.*", self.counter.on_before_call)
        events.register("after-call.*.*", self.counter.on_after_call)
        limiter = self.limiter
        if limiter is not None:
            name = client.meta.service_model.service_name

            def before_send(event_name: str, **kwargs: Any) -> None:
                limiter.on_before_send(event_name, name, **kwargs)

            events.register("before-send.*.*", before_send)
        return client

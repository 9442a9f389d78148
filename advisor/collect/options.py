"""How a scan behaves: budgets, rates, timeouts. One frozen value passed down the collector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# AWS Lambda control-plane quotas per account and region (requests per second), from
# docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html. GetFunction and GetPolicy have
# their own buckets; every other control-plane call shares one.
LAMBDA_GET_FUNCTION_QUOTA = 100.0
LAMBDA_GET_POLICY_QUOTA = 15.0
LAMBDA_SHARED_QUOTA = 15.0

# GetMetricData accepts at most 500 metric queries and returns at most 100,800 data points per
# call before paginating (CloudWatch API reference).
METRIC_QUERIES_PER_CALL = 500
DATAPOINTS_PER_CALL = 100_800


@dataclass(frozen=True)
class CollectOptions:
    metrics: bool = True  # False: skip CloudWatch entirely (FunctionMetrics stay None)
    metrics_days: int = 14
    metrics_period_s: int = 3600
    # The end of the metrics window; None: the start of the current hour (UTC). Tests pin it.
    metrics_end: datetime | None = None
    # The percentile read for Duration; None skips percentile queries.
    duration_percentile: str | None = "p99"

    # Client-side rate limiting per quota bucket, as a fraction of AWS's quota, so that a scan
    # leaves most of the account's budget to the customer's own deployments. False turns it off
    # (emulators, benchmarks: `manage.py scan --no-rate-limit`).
    rate_limit: bool = True
    rate_limit_fraction: float = 0.5
    lambda_get_function_quota: float = LAMBDA_GET_FUNCTION_QUOTA
    lambda_get_policy_quota: float = LAMBDA_GET_POLICY_QUOTA
    lambda_shared_quota: float = LAMBDA_SHARED_QUOTA
    # A Redis URL: the buckets then live there, shared by every process that scans the same
    # account and region. None: each scan limits itself in its own process.
    rate_limit_store: str | None = None

    # An asynchronously invoked function with a dead-letter queue already has its failure path;
    # its async invoke config (retries, event age, destinations) is then read only if this is
    # True. Off by default: it is a shared-bucket call no rule needs (see lambda_.read_details).
    async_config_with_dead_letter: bool = False

    # Per-function calls run on a bounded thread pool (botocore clients are thread-safe).
    max_workers: int = 8
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    # botocore "adaptive" retry mode: retries with backoff and slows itself down when throttled.
    max_attempts: int = 6

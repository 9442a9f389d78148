"""Monthly cost of running a workload on Lambda, Fargate and EC2, from the price table.

Pure arithmetic over :class:`~advisor.decide.prices.PriceTable`; dollars are kept unrounded
(round only for display). How many tasks or instances a workload needs is decided in
:mod:`advisor.decide.sizing`; this module only prices a given shape.

Lambda, as AWS bills it:

* requests: ``requests / 1e6 * requests_per_million``;
* compute: ``requests * duration_ms / 1000 * memory_mb / 1024`` GB-seconds, charged through the
  architecture's volume tiers (tiers are per account, region and architecture; here they are
  applied to this workload alone, which is exact unless other functions already fill a tier);
* ephemeral storage above 512 MB: ``(ephemeral_mb - 512) / 1024`` GB for the same seconds;
* INIT: since 1 August 2025 the INIT phase of a cold start is billed as duration for every
  function configuration (aws.amazon.com/blogs/compute/
  aws-lambda-standardizes-billing-for-init-phase/): ``cold_starts * init_duration_ms`` at the
  function's memory, through the same tiers, when the cold starts are known or estimated
  (``init_usd`` is what they add; 0 when not given);
* the free tier (1 M requests, 400,000 GB-s a month) is per account, so it is off by default
  and only subtracted when asked (``free_tier=True``).

The published worked examples, x86_64 in us-east-1, no free tier (see tests/decide/test_cost.py):

=================  ========  ======  =================  ==================
requests / month   duration  memory  compute (exact)    requests
=================  ========  ======  =================  ==================
100,000            200 ms    512 MB  $0.166667 → $0.17  $0.02
5,000,000          800 ms    512 MB  $33.3334 → $33.33  $1.00
10,000,000         200 ms    512 MB  $16.6667 → $16.67  $2.00   ($18.67)
100,000,000        200 ms    512 MB  $166.667 → $166.67 $20.00  ($186.67)
=================  ========  ======  =================  ==================
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.decide.prices import Ec2Instance, PriceTable, RequestTier

MB_PER_GB = 1024
INCLUDED_EPHEMERAL_MB = 512

# An Application Load Balancer's LCU is the highest of four dimensions in an hour; the one a
# request rate drives is new connections, 25 a second per LCU
# (aws.amazon.com/elasticloadbalancing/pricing/). Counting one new connection per request
# (clients that keep connections alive open fewer) is the model's conservative reading; the
# processed-bytes dimension (1 GB an hour per LCU) only overtakes it above 1 GB / (25 x 3,600)
# = about 11 KB of request and response per call.
ALB_NEW_CONNECTIONS_PER_LCU_SECOND = 25


@dataclass(frozen=True)
class LambdaCost:
    arch: str
    requests: float  # billable, after the free tier if it was applied
    gb_seconds: float  # billable, after the free tier if it was applied
    requests_usd: float
    compute_usd: float
    storage_usd: float
    total_usd: float
    init_usd: float = 0.0  # cold starts' INIT phase, when known or estimated
    init_gb_seconds: float = 0.0


@dataclass(frozen=True)
class ProvisionedCost:
    arch: str
    concurrency: int
    provisioned_usd: float  # the standing charge while configured
    duration_usd: float  # invocations served by provisioned instances, at the lower rate
    spillover_usd: float  # invocations beyond the provisioned capacity, at on-demand rates
    requests_usd: float
    total_usd: float


@dataclass(frozen=True)
class FargateCost:
    arch: str
    task_vcpu: float
    task_memory_gb: float
    tasks: int
    vcpu_usd: float
    memory_usd: float
    total_usd: float


@dataclass(frozen=True)
class Ec2Cost:
    instance: Ec2Instance
    count: int
    total_usd: float


@dataclass(frozen=True)
class ApiGatewayCost:
    api: str  # "rest" or "http"
    requests: float
    total_usd: float


@dataclass(frozen=True)
class LoadBalancerCost:
    hours_usd: float  # the load balancer running all month
    lcu_usd: float  # capacity units for the traffic
    lcu_hours: float
    total_usd: float


def gb_seconds(*, requests: float, duration_ms: float, memory_mb: float) -> float:
    return requests * (duration_ms / 1000.0) * (memory_mb / MB_PER_GB)


def tiered_duration_usd(gb_s: float, *, arch: str, prices: PriceTable) -> float:
    """Compute charge for ``gb_s`` GB-seconds in a month through the architecture's tiers."""
    if gb_s <= 0:
        return 0.0
    usd = 0.0
    lower = 0.0
    for tier in _tiers(arch, prices):
        upper = tier.up_to_gb_seconds
        in_tier = gb_s - lower if upper is None else min(gb_s, upper) - lower
        if in_tier > 0:
            usd += in_tier * tier.usd_per_gb_second
        if upper is None or gb_s <= upper:
            break
        lower = upper
    return usd


def lambda_monthly_cost(
    *,
    requests: float,
    duration_ms: float,
    memory_mb: float,
    arch: str,
    prices: PriceTable,
    free_tier: bool = False,
    ephemeral_mb: float = INCLUDED_EPHEMERAL_MB,
    cold_starts: float = 0.0,
    init_duration_ms: float = 0.0,
) -> LambdaCost:
    """On-demand Lambda bill for ``requests`` a month of ``duration_ms`` (billed) each, and
    ``cold_starts`` INIT phases of ``init_duration_ms`` each."""
    parts = _lambda_bill(
        requests, duration_ms, memory_mb, arch, prices, free_tier, ephemeral_mb, cold_starts,
        init_duration_ms,
    )  # fmt: skip
    return LambdaCost(arch, *parts)


def lambda_monthly_usd(
    *,
    requests: float,
    duration_ms: float,
    memory_mb: float,
    arch: str,
    prices: PriceTable,
    ephemeral_mb: float = INCLUDED_EPHEMERAL_MB,
    cold_starts: float = 0.0,
    init_duration_ms: float = 0.0,
) -> float:
    """:func:`lambda_monthly_cost`'s ``total_usd`` (no free tier) without building the bill:
    a cost curve needs only the total, at some sixty volumes for two architectures."""
    parts = _lambda_bill(
        requests, duration_ms, memory_mb, arch, prices, False, ephemeral_mb, cold_starts,
        init_duration_ms,
    )  # fmt: skip
    return parts[5]


def _lambda_bill(
    requests: float,
    duration_ms: float,
    memory_mb: float,
    arch: str,
    prices: PriceTable,
    free_tier: bool,
    ephemeral_mb: float,
    cold_starts: float,
    init_duration_ms: float,
) -> tuple[float, float, float, float, float, float, float, float]:
    """LambdaCost's figures after ``arch``, in its field order."""
    if requests < 0 or duration_ms < 0 or memory_mb < 0 or cold_starts < 0 or init_duration_ms < 0:
        _check_non_negative(
            requests=requests,
            duration_ms=duration_ms,
            memory_mb=memory_mb,
            cold_starts=cold_starts,
            init_duration_ms=init_duration_ms,
        )
    lam = prices.lambda_
    # gb_seconds(), inline: a cost curve prices two architectures at some sixty volumes.
    invoke_gb_s = requests * (duration_ms / 1000.0) * (memory_mb / MB_PER_GB)
    init_gb_s = cold_starts * (init_duration_ms / 1000.0) * (memory_mb / MB_PER_GB)
    billable_requests = requests
    billable_invoke = invoke_gb_s
    billable_gb_s = invoke_gb_s + init_gb_s
    if free_tier:
        billable_requests = max(0.0, requests - lam.free_requests)
        billable_invoke = max(0.0, invoke_gb_s - lam.free_gb_seconds)
        billable_gb_s = max(0.0, invoke_gb_s + init_gb_s - lam.free_gb_seconds)
    requests_usd = billable_requests / 1e6 * lam.requests_per_million
    compute_usd = tiered_duration_usd(billable_invoke, arch=arch, prices=prices)
    init_usd = 0.0
    if init_gb_s:  # INIT shares the tiers: what it adds on top of the invocations
        init_usd = tiered_duration_usd(billable_gb_s, arch=arch, prices=prices) - compute_usd
    extra_storage_gb = max(0.0, ephemeral_mb - INCLUDED_EPHEMERAL_MB) / MB_PER_GB
    storage_usd = (
        requests * duration_ms / 1000.0 * extra_storage_gb * lam.ephemeral_storage_per_gb_second
    )
    total_usd = requests_usd + compute_usd + init_usd + storage_usd
    return (
        billable_requests,
        billable_gb_s,
        requests_usd,
        compute_usd,
        storage_usd,
        total_usd,
        init_usd,
        init_gb_s,
    )


def provisioned_concurrency_monthly_cost(
    *,
    concurrency: int,
    memory_mb: float,
    arch: str,
    prices: PriceTable,
    requests: float = 0.0,
    duration_ms: float = 0.0,
    hours: float | None = None,
) -> ProvisionedCost:
    """Bill for ``concurrency`` provisioned instances kept ``hours`` (default: all month),
    serving ``requests`` of ``duration_ms``.

    Invocations fill the provisioned capacity (``concurrency * seconds`` of execution) first
    and the rest spills over at on-demand rates: a lower bound on spillover, since real
    traffic peaks spill even when the monthly total fits."""
    if concurrency < 0 or memory_mb < 0 or requests < 0 or duration_ms < 0:
        _check_non_negative(
            concurrency=concurrency, memory_mb=memory_mb, requests=requests, duration_ms=duration_ms
        )
    pc = prices.lambda_.provisioned.get(arch)
    if pc is None:
        raise KeyError(f"no provisioned concurrency prices for {arch} in {prices.region}")
    seconds = (prices.hours_per_month if hours is None else hours) * 3600
    memory_gb = memory_mb / MB_PER_GB
    provisioned_usd = concurrency * memory_gb * seconds * pc.per_gb_second
    used_gb_s = gb_seconds(requests=requests, duration_ms=duration_ms, memory_mb=memory_mb)
    capacity_gb_s = concurrency * memory_gb * seconds
    served_gb_s = min(used_gb_s, capacity_gb_s)
    duration_usd = served_gb_s * pc.duration_per_gb_second
    spillover_usd = tiered_duration_usd(used_gb_s - served_gb_s, arch=arch, prices=prices)
    requests_usd = requests / 1e6 * prices.lambda_.requests_per_million
    return ProvisionedCost(
        arch=arch,
        concurrency=concurrency,
        provisioned_usd=provisioned_usd,
        duration_usd=duration_usd,
        spillover_usd=spillover_usd,
        requests_usd=requests_usd,
        total_usd=provisioned_usd + duration_usd + spillover_usd + requests_usd,
    )


def fargate_monthly_cost(
    *,
    task_vcpu: float,
    task_memory_gb: float,
    tasks: int,
    arch: str,
    prices: PriceTable,
    hours: float | None = None,
) -> FargateCost:
    """``tasks`` Fargate tasks of the given size running ``hours`` (default: all month)."""
    if task_vcpu < 0 or task_memory_gb < 0 or tasks < 0:
        _check_non_negative(task_vcpu=task_vcpu, task_memory_gb=task_memory_gb, tasks=tasks)
    rate = prices.fargate.get(arch)
    if rate is None:
        raise KeyError(f"no Fargate prices for {arch} in {prices.region}")
    task_hours = tasks * (prices.hours_per_month if hours is None else hours)
    vcpu_usd = task_hours * task_vcpu * rate.per_vcpu_hour
    memory_usd = task_hours * task_memory_gb * rate.per_gb_hour
    return FargateCost(
        arch=arch,
        task_vcpu=task_vcpu,
        task_memory_gb=task_memory_gb,
        tasks=tasks,
        vcpu_usd=vcpu_usd,
        memory_usd=memory_usd,
        total_usd=vcpu_usd + memory_usd,
    )


def ec2_monthly_cost(
    *, instance_type: str, count: int, prices: PriceTable, hours: float | None = None
) -> Ec2Cost:
    """``count`` on-demand instances of ``instance_type`` running ``hours`` (default: all month)."""
    _check_non_negative(count=count)
    instance = find_instance(instance_type, prices)
    hours_ = prices.hours_per_month if hours is None else hours
    return Ec2Cost(instance=instance, count=count, total_usd=count * hours_ * instance.usd_per_hour)


def api_gateway_monthly_cost(*, requests: float, api: str, prices: PriceTable) -> ApiGatewayCost:
    """``requests`` a month through an API Gateway ``api`` ("rest" or "http"), through its
    request tiers (applied to this workload alone, like the Lambda duration tiers)."""
    if requests < 0:
        _check_non_negative(requests=requests)
    if prices.api_gateway is None:
        raise KeyError(f"no API Gateway prices for {prices.region}")
    tiers = {"rest": prices.api_gateway.rest, "http": prices.api_gateway.http}.get(api)
    if tiers is None:
        raise ValueError(f"unknown API Gateway kind {api!r}; use rest or http")
    return ApiGatewayCost(api=api, requests=requests, total_usd=_tiered_requests(requests, tiers))


def load_balancer_monthly_cost(
    *, requests: float, prices: PriceTable, hours: float | None = None
) -> LoadBalancerCost:
    """One Application Load Balancer running ``hours`` (default: all month) for ``requests``
    a month, its LCUs counted from new connections (see ALB_NEW_CONNECTIONS_PER_LCU_SECOND)."""
    if requests < 0:
        _check_non_negative(requests=requests)
    lb = prices.load_balancer
    if lb is None:
        raise KeyError(f"no load balancer prices for {prices.region}")
    hours_ = prices.hours_per_month if hours is None else hours
    lcu_hours = requests / (ALB_NEW_CONNECTIONS_PER_LCU_SECOND * 3600)
    hours_usd = hours_ * lb.alb_per_hour
    lcu_usd = lcu_hours * lb.alb_per_lcu_hour
    return LoadBalancerCost(
        hours_usd=hours_usd, lcu_usd=lcu_usd, lcu_hours=lcu_hours, total_usd=hours_usd + lcu_usd
    )


def _tiered_requests(requests: float, tiers: tuple[RequestTier, ...]) -> float:
    usd = 0.0
    lower = 0.0
    for tier in tiers:
        upper = tier.up_to_requests
        in_tier = requests - lower if upper is None else min(requests, upper) - lower
        if in_tier > 0:
            usd += in_tier / 1e6 * tier.usd_per_million
        if upper is None or requests <= upper:
            break
        lower = upper
    return usd


def find_instance(instance_type: str, prices: PriceTable) -> Ec2Instance:
    for instance in prices.ec2:
        if instance.type == instance_type:
            return instance
    known = ", ".join(i.type for i in prices.ec2)
    raise KeyError(f"no EC2 price for {instance_type} in {prices.region}; known: {known}")


def _tiers(arch: str, prices: PriceTable):
    tiers = prices.lambda_.duration.get(arch)
    if tiers is None:
        raise KeyError(f"no Lambda duration prices for {arch} in {prices.region}")
    return tiers


def _check_non_negative(**figures: float) -> None:
    for name, value in figures.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative (got {value})")

"""The options side by side: their monthly costs at a volume, the crossover volume, and the
cost curve a chart draws. The decision itself (:mod:`advisor.decide.framework`) reads these.

The **crossover** is the monthly request volume at which Fargate or EC2 first becomes cheaper
than Lambda at this duration, memory and traffic shape (pure cost, no operations premium),
searched between 1,000 and 100 billion requests a month; None when it never happens in that
range or Lambda cannot run the workload. Costs are on demand without the free tier (it is per
account, not per function).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from advisor.decide.cost import (
    LambdaCost,
    ProvisionedCost,
    lambda_monthly_cost,
    provisioned_concurrency_monthly_cost,
)
from advisor.decide.prices import ARCHITECTURES, PriceTable
from advisor.decide.profile import OPS_HIGH, OPS_LOW, OPS_MEDIUM, WorkloadProfile
from advisor.decide.sizing import SizingOptions, ec2_plan, fargate_plan

VERDICT_LAMBDA = "lambda"
VERDICT_CONTAINERS = "containers"
VERDICT_EC2 = "ec2"
VERDICTS = (VERDICT_LAMBDA, VERDICT_CONTAINERS, VERDICT_EC2)

OPTION_LAMBDA_X86 = "lambda_x86_64"
OPTION_LAMBDA_ARM = "lambda_arm64"
OPTION_FARGATE = "fargate"
OPTION_EC2 = "ec2"
OPTIONS = (OPTION_LAMBDA_X86, OPTION_LAMBDA_ARM, OPTION_FARGATE, OPTION_EC2)


def _default_ops_premium() -> dict[str, float]:
    return {OPS_LOW: 0.5, OPS_MEDIUM: 0.25, OPS_HIGH: 0.1}


def _default_ec2_premium() -> dict[str, float | None]:
    # None: never choose EC2 over Fargate for cost alone with this budget
    return {OPS_LOW: None, OPS_MEDIUM: 0.3, OPS_HIGH: 0.1}


@dataclass(frozen=True)
class DecisionOptions:
    bursty_peak_to_mean: float = 4.0
    bursty_idle_share: float = 0.3
    # How much cheaper another option must be than Lambda, as a share of its own cost.
    ops_premium: dict[str, float] = field(default_factory=_default_ops_premium)
    # How much cheaper EC2 must be than Fargate before the verdict is EC2.
    ec2_premium: dict[str, float | None] = field(default_factory=_default_ec2_premium)
    min_monthly_saving_usd: float = 20.0
    crossover_min_requests: float = 1e3
    crossover_max_requests: float = 1e11
    crossover_grid_steps: int = 48
    compute_crossover: bool = True  # off where only the verdict and costs matter (lists)
    sizing: SizingOptions = field(default_factory=SizingOptions)


def lambda_cost_for(
    profile: WorkloadProfile, prices: PriceTable, arch: str | None = None
) -> LambdaCost | ProvisionedCost:
    """What the workload costs on Lambda a month: on demand, or with its configured
    provisioned concurrency."""
    arch = arch or profile.arch
    if profile.provisioned_concurrency > 0:
        return provisioned_concurrency_monthly_cost(
            concurrency=profile.provisioned_concurrency,
            memory_mb=profile.memory_mb,
            arch=arch,
            prices=prices,
            requests=profile.monthly_requests,
            duration_ms=profile.avg_duration_ms,
        )
    return lambda_monthly_cost(
        requests=profile.monthly_requests,
        duration_ms=profile.avg_duration_ms,
        memory_mb=profile.memory_mb,
        arch=arch,
        prices=prices,
        ephemeral_mb=profile.ephemeral_mb,
    )


def option_costs(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> dict[str, float | None]:
    """Unrounded monthly cost of each option at the profile's volume (None: cannot run it)."""
    options = options or DecisionOptions()
    costs: dict[str, float | None] = {
        f"lambda_{arch}": lambda_cost_for(profile, prices, arch).total_usd for arch in ARCHITECTURES
    }
    costs[OPTION_FARGATE] = fargate_plan(profile, prices, options.sizing).monthly_usd
    ec2 = ec2_plan(profile, prices, options.sizing)
    costs[OPTION_EC2] = ec2.monthly_usd if ec2 else None
    if profile.gpu:
        costs[OPTION_LAMBDA_X86] = costs[OPTION_LAMBDA_ARM] = costs[OPTION_FARGATE] = None
    elif profile.exceeds_lambda_limit:
        costs[OPTION_LAMBDA_X86] = costs[OPTION_LAMBDA_ARM] = None
    return costs


def crossover(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> tuple[int | None, str | None]:
    """(monthly requests, option) where Fargate or EC2 first becomes cheaper than Lambda at
    this duration, memory and traffic shape; (None, None) if never within the search range."""
    options = options or DecisionOptions()
    if profile.gpu or profile.exceeds_lambda_limit or profile.avg_duration_ms <= 0:
        return None, None

    def cheaper_alternative(volume: float) -> str | None:
        at = profile.at_volume(volume)
        lam = lambda_cost_for(at, prices).total_usd
        alternatives = {OPTION_FARGATE: fargate_plan(at, prices, options.sizing).monthly_usd}
        ec2 = ec2_plan(at, prices, options.sizing)
        if ec2 is not None:
            alternatives[OPTION_EC2] = ec2.monthly_usd
        name = min(alternatives, key=lambda k: alternatives[k])
        return name if alternatives[name] < lam else None

    lo, hi = options.crossover_min_requests, options.crossover_max_requests
    if cheaper_alternative(lo):
        return math.ceil(lo), cheaper_alternative(lo)
    # A log grid (x1.47 per step) finds the first volume where an alternative is cheaper, and
    # bisection narrows it to one request; a window narrower than one step could be missed.
    steps = options.crossover_grid_steps
    ratio = (hi / lo) ** (1 / steps)
    previous = lo
    for i in range(1, steps + 1):
        volume = lo * ratio**i
        if cheaper_alternative(volume):
            low, high = previous, volume
            for _ in range(60):
                mid = (low + high) / 2
                if cheaper_alternative(mid):
                    high = mid
                else:
                    low = mid
                if high - low < 1:
                    break
            return math.ceil(high), cheaper_alternative(high)
        previous = volume
    return None, None


@dataclass(frozen=True)
class CostCurve:
    volumes: list[float]  # monthly requests, ascending
    series: dict[str, list[float | None]]  # by option: monthly USD at each volume
    current_monthly_requests: float
    crossover_monthly_requests: int | None
    crossover_option: str | None
    lambda_ruled_out: bool = False


def default_volumes(
    profile: WorkloadProfile, crossover_requests: int | None = None, points: int = 60
) -> list[float]:
    """Log-spaced volumes from 10 k to well past the current volume and the crossover, with
    both included so a chart can mark them exactly."""
    top = max(1e8, 10 * profile.monthly_requests, 10 * (crossover_requests or 0))
    low = 1e4
    ratio = (top / low) ** (1 / (points - 1))
    volumes = {round(low * ratio**i) for i in range(points)}
    for extra in (profile.monthly_requests, crossover_requests):
        if extra and extra > 0:
            volumes.add(round(extra))
    return sorted(volumes)


def cost_curve(
    profile: WorkloadProfile,
    prices: PriceTable,
    volumes: Sequence[float] | None = None,
    options: DecisionOptions | None = None,
) -> CostCurve:
    """Monthly cost of each option against monthly requests, at this workload's shape."""
    options = options or DecisionOptions()
    cross, cross_option = crossover(profile, prices, options)
    vols = sorted(volumes) if volumes is not None else default_volumes(profile, cross)
    series: dict[str, list[float | None]] = {k: [] for k in OPTIONS}
    for volume in vols:
        costs = option_costs(profile.at_volume(volume), prices, options)
        for key in OPTIONS:
            value = costs[key]
            series[key].append(round(value, 2) if value is not None else None)
    return CostCurve(
        volumes=[float(v) for v in vols],
        series=series,
        current_monthly_requests=profile.monthly_requests,
        crossover_monthly_requests=cross,
        crossover_option=cross_option,
        lambda_ruled_out=profile.gpu or profile.exceeds_lambda_limit,
    )

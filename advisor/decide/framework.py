"""The decision framework: stay on Lambda, move to containers (ECS on Fargate), or EC2.

It follows the questions engineers ask, in this order, each answer tied to a figure:

1. **GPU need** -> EC2: neither Lambda nor Fargate offers a GPU.
2. **Maximum execution time**: a run longer than Lambda's 15 minutes rules Lambda out (a reason,
   not an error); containers then, or EC2 when the operations budget allows and it is cheaper.
3. **Cost at scale**: Lambda's monthly bill against the always-on fleet the workload needs
   (:mod:`advisor.decide.sizing`). Another option wins only when it is cheaper by more than the
   operations premium for the team's **operations budget** (running containers costs people
   time: low 50%, medium 25%, high 10%) and by at least ``min_monthly_saving_usd``. EC2 is
   preferred over Fargate only with a medium or high operations budget and a clear saving.
4. **Traffic pattern**: bursty or idle traffic (busiest hour >= 4x the mean, or >= 30% of hours
   idle) favours Lambda, which bills nothing while idle; the fleet is sized for the busy hour,
   so burstiness is already priced in step 3, and the reasons say so.
5. **Cold-start tolerance / latency**: a synchronous workload with a strict latency requirement
   is compared with the provisioned concurrency that keeps its busy concurrency warm; a
   moderate one with many idle hours is told its cold-start exposure and what warming costs.

The **crossover** is the monthly request volume at which Fargate or EC2 becomes cheaper than
Lambda at this duration, memory and traffic shape (pure cost, no premium), searched between 1,000
and 100 billion requests a month; None when it never happens in that range or Lambda cannot run
the workload. Monthly costs are on demand without the free tier (it is per account, not per
function).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor.decide import figures as fig
from advisor.decide.cost import (
    LambdaCost,
    ProvisionedCost,
    lambda_monthly_cost,
    provisioned_concurrency_monthly_cost,
)
from advisor.decide.prices import ARCHITECTURES, PriceTable
from advisor.decide.profile import (
    ASYNC,
    LAMBDA_MAX_DURATION_MS,
    LATENCY_MODERATE,
    LATENCY_RELAXED,
    LATENCY_STRICT,
    OPS_HIGH,
    OPS_LOW,
    OPS_MEDIUM,
    QUEUE,
    STREAM,
    SYNC,
    WorkloadProfile,
)
from advisor.decide.sizing import Ec2Plan, FargatePlan, SizingOptions, ec2_plan, fargate_plan

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


@dataclass(frozen=True)
class Recommendation:
    verdict: str
    reasons: list[str]
    monthly_cost_usd: dict[str, float | None]  # by option, to the cent; None: cannot run it
    crossover_monthly_requests: int | None
    crossover_option: str | None  # "fargate" or "ec2"
    profile: WorkloadProfile
    lambda_costs: dict[str, LambdaCost | ProvisionedCost]  # by architecture
    fargate: FargatePlan
    ec2: Ec2Plan | None
    lambda_ruled_out: str | None = None  # why Lambda cannot run it, if it cannot
    region: str = ""


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


def recommend(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> Recommendation:
    options = options or DecisionOptions()
    lambda_costs = {arch: lambda_cost_for(profile, prices, arch) for arch in ARCHITECTURES}
    fargate = fargate_plan(profile, prices, options.sizing)
    ec2 = ec2_plan(profile, prices, options.sizing)
    costs = option_costs(profile, prices, options)
    reasons: list[str] = []
    ruled_out: str | None = None
    crossover_requests: int | None = None
    crossover_option: str | None = None

    for gap in profile.gaps:
        reasons.append(_gap_reason(gap, profile))

    if profile.gpu:
        verdict = VERDICT_EC2
        ruled_out = "needs a GPU"
        if ec2 is not None:
            reasons.append(
                "Needs a GPU: Lambda and Fargate offer none; "
                f"{ec2.describe()} ({ec2.instance.gpus} GPU each) cost "
                f"{fig.usd(ec2.monthly_usd)} a month."
            )
        else:
            reasons.append(
                f"Needs a GPU: Lambda and Fargate offer none, and the price table for "
                f"{prices.region} lists no GPU instance that holds {profile.memory_mb} MB."
            )
    elif profile.exceeds_lambda_limit:
        ruled_out = (
            f"longest run {fig.duration(profile.longest_run_ms)} exceeds Lambda's "
            f"{fig.duration(LAMBDA_MAX_DURATION_MS)} limit"
        )
        reasons.append(
            f"The longest run, {fig.duration(profile.longest_run_ms)}, exceeds Lambda's "
            f"{fig.duration(LAMBDA_MAX_DURATION_MS)} limit, so Lambda is ruled out."
        )
        verdict, why = _containers_or_ec2(profile, fargate, ec2, options)
        reasons.extend(why)
    else:
        verdict = _decide_on_cost(profile, prices, lambda_costs, fargate, ec2, options, reasons)
        if options.compute_crossover:
            crossover_requests, crossover_option = crossover(profile, prices, options)
        reasons.extend(_traffic_reasons(profile, verdict, options))
        reasons.extend(_arm_reasons(profile, lambda_costs))
        if crossover_requests is not None and crossover_option is not None:
            side = "above" if crossover_requests > profile.monthly_requests else "below"
            reasons.append(
                f"{_option_label(crossover_option)} becomes cheaper than Lambda at "
                f"{fig.count(crossover_requests)} requests a month "
                f"({side} this workload's {fig.count(profile.monthly_requests)})."
            )
        elif options.compute_crossover and profile.avg_duration_ms > 0:
            reasons.append(
                "At this duration and memory Lambda stays cheaper than an always-on fleet up to "
                f"{fig.count(options.crossover_max_requests)} requests a month."
            )

    return Recommendation(
        verdict=verdict,
        reasons=reasons,
        monthly_cost_usd={k: (round(v, 2) if v is not None else None) for k, v in costs.items()},
        crossover_monthly_requests=crossover_requests,
        crossover_option=crossover_option,
        profile=profile,
        lambda_costs=lambda_costs,
        fargate=fargate,
        ec2=ec2,
        lambda_ruled_out=ruled_out,
        region=prices.region,
    )


def recommendation_json(rec: Recommendation) -> dict[str, Any]:
    """The ``recommendation`` object of the ``scan`` command's JSON, exactly this shape."""
    return {
        "verdict": rec.verdict,
        "reasons": list(rec.reasons),
        "monthly_cost_usd": {k: rec.monthly_cost_usd.get(k) for k in OPTIONS},
        "crossover_monthly_requests": rec.crossover_monthly_requests,
    }


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


# -- the steps ---------------------------------------------------------------------------------


def _decide_on_cost(
    profile: WorkloadProfile,
    prices: PriceTable,
    lambda_costs: dict[str, LambdaCost | ProvisionedCost],
    fargate: FargatePlan,
    ec2: Ec2Plan | None,
    options: DecisionOptions,
    reasons: list[str],
) -> str:
    lam = lambda_costs[profile.arch].total_usd
    lam_label = "Lambda"
    if profile.provisioned_concurrency:
        lam_label = f"Lambda with {profile.provisioned_concurrency} provisioned instances"

    warm = _warm_cost(profile, prices)
    if warm is not None and profile.latency_requirement == LATENCY_STRICT:
        reasons.append(
            "Called synchronously with a strict latency requirement: keeping the busy-hour "
            f"concurrency ({warm.concurrency}) warm with provisioned concurrency makes Lambda "
            f"{fig.usd(warm.total_usd)} a month (on demand: {fig.usd(lam)}), the figure "
            "compared below."
        )
        lam = warm.total_usd
        lam_label = f"Lambda kept warm ({warm.concurrency} provisioned)"

    alt_verdict, alt_cost, alt_label = VERDICT_CONTAINERS, fargate.monthly_usd, fargate.describe()
    ec2_bar = options.ec2_premium.get(profile.ops_budget)
    if ec2 is not None and ec2_bar is not None and ec2.monthly_usd * (1 + ec2_bar) < alt_cost:
        alt_verdict, alt_cost, alt_label = VERDICT_EC2, ec2.monthly_usd, ec2.describe()

    premium = options.ops_premium.get(profile.ops_budget, 0.25)
    saving = lam - alt_cost
    volume = (
        f"{fig.count(profile.monthly_requests)} requests a month of "
        f"{fig.duration(profile.avg_duration_ms)} at {profile.memory_mb} MB"
    )
    if saving > premium * alt_cost and saving >= options.min_monthly_saving_usd:
        reasons.append(
            f"At {volume}, {lam_label} costs {fig.usd(lam)} a month against "
            f"{fig.usd(alt_cost)} for {alt_label}: {fig.usd(saving)} a month less "
            f"({fig.percent(saving / lam)})."
        )
        if alt_verdict == VERDICT_EC2:
            reasons.append(
                f"EC2 undercuts Fargate ({fig.usd(fargate.monthly_usd)}) by more than "
                f"{fig.percent(ec2_bar or 0)}, worth it with a {profile.ops_budget} "
                "operations budget."
            )
        return alt_verdict
    reasons.append(
        f"At {volume}, {lam_label} costs {fig.usd(lam)} a month; the cheapest always-on "
        f"alternative, {alt_label}, costs {fig.usd(alt_cost)}."
    )
    if saving > 0:
        bar = max(premium * alt_cost, options.min_monthly_saving_usd)
        reasons.append(
            f"Moving would save {fig.usd(saving)} a month, under the {fig.usd(bar)} bar for "
            f"taking on servers with a {profile.ops_budget} operations budget."
        )
    return VERDICT_LAMBDA


def _containers_or_ec2(
    profile: WorkloadProfile,
    fargate: FargatePlan,
    ec2: Ec2Plan | None,
    options: DecisionOptions,
) -> tuple[str, list[str]]:
    bar = options.ec2_premium.get(profile.ops_budget)
    if ec2 is not None and bar is not None and ec2.monthly_usd * (1 + bar) < fargate.monthly_usd:
        return VERDICT_EC2, [
            f"{ec2.describe()} cost {fig.usd(ec2.monthly_usd)} a month against "
            f"{fig.usd(fargate.monthly_usd)} for {fargate.describe()}; with a "
            f"{profile.ops_budget} operations budget the saving is worth running instances."
        ]
    why = [
        f"{fargate.describe()} cost {fig.usd(fargate.monthly_usd)} a month and run jobs of any "
        "length without managing servers."
    ]
    if ec2 is not None:
        why.append(f"EC2 ({ec2.describe()}) would cost {fig.usd(ec2.monthly_usd)} a month.")
    return VERDICT_CONTAINERS, why


def _traffic_reasons(profile: WorkloadProfile, verdict: str, options: DecisionOptions) -> list[str]:
    if profile.monthly_requests <= 0:
        return []
    reasons = []
    shape = (
        f"the busiest hour is {fig.ratio(profile.peak_to_mean)} the mean and "
        f"{fig.percent(profile.idle_hour_share)} of hours are idle"
    )
    bursty = (
        profile.peak_to_mean >= options.bursty_peak_to_mean
        or profile.idle_hour_share >= options.bursty_idle_share
    )
    if bursty:
        tail = (
            "Lambda bills nothing while idle, while a fleet must be sized for the busiest hour."
            if verdict == VERDICT_LAMBDA
            else "even sized for the busiest hour, the fleet is cheaper."
        )
        reasons.append(f"Traffic is bursty: {shape}; {tail}")
    else:
        tail = (
            "always-on capacity stays busy."
            if verdict != VERDICT_LAMBDA
            else "it would keep always-on capacity busy once volume grows."
        )
        reasons.append(f"Traffic is steady: {shape}; {tail}")

    if profile.is_synchronous and profile.latency_requirement == LATENCY_MODERATE:
        if profile.idle_hour_share >= options.bursty_idle_share and verdict == VERDICT_LAMBDA:
            p99 = (
                f" (p99 {fig.duration(profile.p99_duration_ms)})" if profile.p99_duration_ms else ""
            )
            reasons.append(
                f"Called synchronously and idle {fig.percent(profile.idle_hour_share)} of hours: "
                f"the first calls after a quiet spell start cold{p99}."
            )
    elif (
        not profile.is_synchronous
        and profile.latency_requirement == LATENCY_RELAXED
        and profile.invocation_types
    ):
        kinds = " and ".join(_INVOKED[t] for t in sorted(profile.invocation_types))
        reasons.append(f"Invoked {kinds}: nobody waits on a call, so cold starts cost little.")
    return reasons


def _arm_reasons(
    profile: WorkloadProfile, lambda_costs: dict[str, LambdaCost | ProvisionedCost]
) -> list[str]:
    if profile.arch != "x86_64":
        return []
    x86 = lambda_costs["x86_64"].total_usd
    arm = lambda_costs["arm64"].total_usd
    if x86 - arm < 0.01:
        return []
    return [
        f"On arm64 the Lambda bill would be {fig.usd(arm)} instead of {fig.usd(x86)} a month "
        f"({fig.percent((x86 - arm) / x86)} less) at the same duration."
    ]


def _warm_cost(profile: WorkloadProfile, prices: PriceTable) -> ProvisionedCost | None:
    """Provisioned concurrency for the busy-hour concurrency of a synchronous workload that
    has none configured."""
    if (
        not profile.is_synchronous
        or profile.provisioned_concurrency
        or not profile.monthly_requests
    ):
        return None
    return provisioned_concurrency_monthly_cost(
        concurrency=max(1, math.ceil(profile.busy_concurrency)),
        memory_mb=profile.memory_mb,
        arch=profile.arch,
        prices=prices,
        requests=profile.monthly_requests,
        duration_ms=profile.avg_duration_ms,
    )


def _gap_reason(gap: str, profile: WorkloadProfile) -> str:
    if gap == "no metrics":
        return "No metrics were collected for this function, so the figures assume no traffic."
    if gap == "no duration metrics":
        return "No duration metrics: the compute cost assumes 0 ms and is understated."
    if gap == "no hourly invocations series":
        return "No hourly invocation series: traffic is assumed flat, with no idle hours."
    return f"Incomplete data: {gap}."


_INVOKED = {
    ASYNC: "asynchronously",
    QUEUE: "from a queue",
    STREAM: "from a stream",
    SYNC: "synchronously",
}


def _option_label(option: str) -> str:
    return {OPTION_FARGATE: "Fargate", OPTION_EC2: "EC2"}.get(option, option)

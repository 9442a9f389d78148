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
   Each side's cost includes its **front door** (API Gateway, a load balancer or a function
   URL; :func:`advisor.decide.compare.front_doors`), and a reason names both.
5. **Cold-start tolerance / latency**: a synchronous workload with a strict latency requirement
   is compared with the provisioned concurrency that keeps its busy concurrency warm; a
   moderate one with many idle hours is told its cold-start exposure.

The costs side by side, the **crossover** volume and the cost curve live in
:mod:`advisor.decide.compare` (re-exported here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from advisor.decide import figures as fig
from advisor.decide.compare import (
    DOOR_ALB,
    DOOR_FUNCTION_URL,
    NO_DOORS,
    OPTION_EC2,
    OPTION_FARGATE,
    OPTION_LAMBDA_ARM,
    OPTION_LAMBDA_X86,
    OPTIONS,
    VERDICT_CONTAINERS,
    VERDICT_EC2,
    VERDICT_LAMBDA,
    VERDICTS,
    CostCurve,
    DecisionOptions,
    FrontDoor,
    FrontDoors,
    cost_curve,
    costs_of,
    crossover,
    default_volumes,
    front_doors,
    lambda_cost_for,
    option_costs,
)
from advisor.decide.cost import LambdaCost, ProvisionedCost, provisioned_concurrency_monthly_cost
from advisor.decide.prices import ARCHITECTURES, PriceTable
from advisor.decide.profile import (
    ASYNC,
    LAMBDA_MAX_DURATION_MS,
    LATENCY_MODERATE,
    LATENCY_RELAXED,
    LATENCY_STRICT,
    QUEUE,
    SOURCE_METRICS,
    STREAM,
    SYNC,
    WorkloadProfile,
)
from advisor.decide.sizing import Ec2Plan, FargatePlan, ec2_plan, fargate_plan

__all__ = [
    "OPTIONS",
    "OPTION_EC2",
    "OPTION_FARGATE",
    "OPTION_LAMBDA_ARM",
    "OPTION_LAMBDA_X86",
    "VERDICTS",
    "VERDICT_CONTAINERS",
    "VERDICT_EC2",
    "VERDICT_LAMBDA",
    "CostCurve",
    "DecisionOptions",
    "Recommendation",
    "cost_curve",
    "crossover",
    "default_volumes",
    "front_doors",
    "lambda_cost_for",
    "option_costs",
    "recommend",
    "recommendation_json",
]


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
    front_doors: FrontDoors = NO_DOORS  # included in monthly_cost_usd on each side
    # What the figures leave out or assume (INIT, tiers under consolidated billing): for the
    # card, beside the costs; not reasons for the verdict.
    notes: tuple[str, ...] = ()


def recommend(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> Recommendation:
    options = options or DecisionOptions()
    lambda_costs = {arch: lambda_cost_for(profile, prices, arch) for arch in ARCHITECTURES}
    fargate = fargate_plan(profile, prices, options.sizing)
    ec2 = ec2_plan(profile, prices, options.sizing)
    doors = front_doors(profile, prices)
    costs = costs_of(
        profile,
        lambda_usd={arch: cost.total_usd for arch, cost in lambda_costs.items()},
        fargate_usd=fargate.monthly_usd,
        ec2=ec2,
        doors=doors,
    )
    servers = Servers(fargate, ec2, doors)
    reasons: list[str] = []
    notes: list[str] = _init_notes(profile, lambda_costs)
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
                f"{servers.ec2_label} ({ec2.instance.gpus} GPU each) cost "
                f"{fig.usd(servers.ec2_usd or 0)} a month."
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
        verdict, why = _containers_or_ec2(profile, servers, options)
        reasons.extend(why)
    else:
        verdict, weighed = _decide_on_cost(profile, prices, lambda_costs, servers, options, reasons)
        notes.extend(_tier_notes(profile, prices, lambda_costs, verdict, weighed, options))
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
    reasons.extend(_front_door_reasons(profile, doors, lambda_ruled_out=ruled_out is not None))

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
        front_doors=doors,
        notes=tuple(notes) if ruled_out is None else (),
    )


def recommendation_json(rec: Recommendation) -> dict[str, Any]:
    """The ``recommendation`` object of the ``scan`` command's JSON, exactly this shape."""
    return {
        "verdict": rec.verdict,
        "reasons": list(rec.reasons),
        "monthly_cost_usd": {k: rec.monthly_cost_usd.get(k) for k in OPTIONS},
        "crossover_monthly_requests": rec.crossover_monthly_requests,
    }


# -- the steps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Servers:
    """The always-on options with their front door: the totals the table shows."""

    fargate: FargatePlan
    ec2: Ec2Plan | None
    doors: FrontDoors

    @property
    def fargate_usd(self) -> float:
        return self.fargate.monthly_usd + self.doors.servers.monthly_usd

    @property
    def ec2_usd(self) -> float | None:
        return None if self.ec2 is None else self.ec2.monthly_usd + self.doors.servers.monthly_usd

    @property
    def fargate_label(self) -> str:
        return self.fargate.describe() + _behind(self.doors.servers)

    @property
    def ec2_label(self) -> str:
        return "" if self.ec2 is None else self.ec2.describe() + _behind(self.doors.servers)


def _behind(door: FrontDoor) -> str:
    """ " behind an Application Load Balancer", " behind the API Gateway REST API", or ""."""
    if not (door.present and door.counted) or door.label == DOOR_FUNCTION_URL:
        return ""
    return f" behind {'an' if door.label == DOOR_ALB else 'the'} {door.label}"


@dataclass(frozen=True)
class _Weighed:
    """The two figures the cost step compared (for the tier note)."""

    lambda_usd: float
    alternative_usd: float
    on_demand: bool  # the Lambda figure is the on-demand bill (not provisioned or kept warm)


def _moves(saving: float, alternative_usd: float, premium: float, options: DecisionOptions):
    return saving > premium * alternative_usd and saving >= options.min_monthly_saving_usd


def _decide_on_cost(
    profile: WorkloadProfile,
    prices: PriceTable,
    lambda_costs: dict[str, LambdaCost | ProvisionedCost],
    servers: Servers,
    options: DecisionOptions,
    reasons: list[str],
) -> tuple[str, _Weighed]:
    door = servers.doors.lambda_
    lam = lambda_costs[profile.arch].total_usd + door.monthly_usd
    lam_label = "Lambda"
    if profile.provisioned_concurrency:
        lam_label = f"Lambda with {profile.provisioned_concurrency} provisioned instances"

    warm = _warm_cost(profile, prices)
    if warm is not None and profile.latency_requirement == LATENCY_STRICT:
        reasons.append(
            "Called synchronously with a strict latency requirement: keeping the busy-hour "
            f"concurrency ({warm.concurrency}) warm with provisioned concurrency makes Lambda "
            f"{fig.usd(warm.total_usd)} a month (on demand: "
            f"{fig.usd(lambda_costs[profile.arch].total_usd)}), the figure compared below."
        )
        lam = warm.total_usd + door.monthly_usd
        lam_label = f"Lambda kept warm ({warm.concurrency} provisioned)"
    lam_label += _behind(door)

    fargate_usd, ec2_usd = servers.fargate_usd, servers.ec2_usd
    alt_verdict, alt_cost, alt_label = VERDICT_CONTAINERS, fargate_usd, servers.fargate_label
    ec2_bar = options.ec2_premium.get(profile.ops_budget)
    if ec2_usd is not None and ec2_bar is not None and ec2_usd * (1 + ec2_bar) < alt_cost:
        alt_verdict, alt_cost, alt_label = VERDICT_EC2, ec2_usd, servers.ec2_label

    premium = options.ops_premium.get(profile.ops_budget, 0.25)
    saving = lam - alt_cost
    volume = (
        f"{fig.count(profile.monthly_requests)} requests a month of "
        f"{fig.duration(profile.avg_duration_ms)} at {profile.memory_mb} MB"
    )
    kept_warm = warm is not None and profile.latency_requirement == LATENCY_STRICT
    on_demand = not (profile.provisioned_concurrency or kept_warm)
    weighed = _Weighed(lam, alt_cost, on_demand=on_demand)
    if _moves(saving, alt_cost, premium, options):
        reasons.append(
            f"At {volume}, {lam_label} costs {fig.usd(lam)} a month against "
            f"{fig.usd(alt_cost)} for {alt_label}: {fig.usd(saving)} a month less "
            f"({fig.percent(saving / lam)})."
        )
        if alt_verdict == VERDICT_EC2:
            reasons.append(
                f"EC2 undercuts Fargate ({fig.usd(fargate_usd)}) by more than "
                f"{fig.percent(ec2_bar or 0)}, worth it with a {profile.ops_budget} "
                "operations budget."
            )
        passed_over = _cheaper_ec2_passed_over(profile, servers, alt_verdict, options)
        if passed_over:
            reasons.append(passed_over)
        return alt_verdict, weighed
    reasons.append(
        f"At {volume}, {lam_label} costs {fig.usd(lam)} a month; the always-on "
        f"alternative it is weighed against, {alt_label}, costs {fig.usd(alt_cost)}."
    )
    passed_over = _cheaper_ec2_passed_over(profile, servers, alt_verdict, options)
    if passed_over:
        reasons.append(passed_over)
    if saving > 0:
        bar = max(premium * alt_cost, options.min_monthly_saving_usd)
        reasons.append(
            f"Moving would save {fig.usd(saving)} a month, under the {fig.usd(bar)} bar for "
            f"taking on servers with a {profile.ops_budget} operations budget."
        )
    return VERDICT_LAMBDA, weighed


def _containers_or_ec2(
    profile: WorkloadProfile, servers: Servers, options: DecisionOptions
) -> tuple[str, list[str]]:
    bar = options.ec2_premium.get(profile.ops_budget)
    fargate_usd, ec2_usd = servers.fargate_usd, servers.ec2_usd
    if ec2_usd is not None and bar is not None and ec2_usd * (1 + bar) < fargate_usd:
        return VERDICT_EC2, [
            f"{servers.ec2_label} cost {fig.usd(ec2_usd)} a month against "
            f"{fig.usd(fargate_usd)} for {servers.fargate_label}; with a "
            f"{profile.ops_budget} operations budget the saving is worth running instances."
        ]
    why = [
        f"{servers.fargate_label} cost {fig.usd(fargate_usd)} a month and run jobs of any "
        "length without managing servers."
    ]
    passed_over = _cheaper_ec2_passed_over(profile, servers, VERDICT_CONTAINERS, options)
    if passed_over:
        why.append(passed_over)
    elif ec2_usd is not None:
        why.append(
            f"EC2 ({servers.ec2_label}) would cost {fig.usd(ec2_usd)} a month, more than Fargate."
        )
    return VERDICT_CONTAINERS, why


def _cheaper_ec2_passed_over(
    profile: WorkloadProfile, servers: Servers, chosen: str, options: DecisionOptions
) -> str | None:
    """Why EC2 is not the answer when it is the cheapest always-on option; None otherwise (so
    the reasons never call Fargate the cheapest while the table shows EC2 cheaper)."""
    fargate_usd, ec2_usd = servers.fargate_usd, servers.ec2_usd
    if ec2_usd is None or chosen == VERDICT_EC2 or ec2_usd >= fargate_usd:
        return None
    cheaper = f"EC2 ({servers.ec2_label}) is cheaper still at {fig.usd(ec2_usd)} a month"
    bar = options.ec2_premium.get(profile.ops_budget)
    if bar is None:
        return (
            f"{cheaper}, but a {profile.ops_budget} operations budget rules out running and "
            "patching instances, so Fargate is the always-on option weighed."
        )
    share = (fargate_usd - ec2_usd) / fargate_usd
    return (
        f"{cheaper}, {fig.percent(share)} less than Fargate: under the {fig.percent(bar)} it "
        f"must save to be worth running instances with a {profile.ops_budget} operations budget."
    )


def _front_door_reasons(
    profile: WorkloadProfile, doors: FrontDoors, *, lambda_ruled_out: bool
) -> list[str]:
    """Name the front door on each side and what it costs (it is in every option's figure)."""
    on_lambda, on_servers = doors.lambda_, doors.servers
    if not on_lambda.present:
        return []
    if not (on_lambda.counted and on_servers.counted):
        missing = on_lambda.label if not on_lambda.priced else on_servers.label
        return [
            f"Front door: the price table for {profile.region} has no {missing} figures, so "
            "neither side's front door is in the costs."
        ]
    servers = f"containers or EC2 ({on_servers.label}): {fig.usd(on_servers.monthly_usd)}"
    if lambda_ruled_out:
        text = f"Front door, in the costs of {servers} a month."
    elif on_lambda.label == DOOR_FUNCTION_URL:
        text = (
            "Front door, in every option's cost: Lambda (function URL, no charge): $0.00; "
            f"{servers} a month, running all month plus capacity units for the traffic."
        )
    elif on_lambda == on_servers:
        text = (
            f"Front door, in every option's cost: the {on_lambda.label} stays in front of "
            f"Lambda, containers and EC2 alike: {fig.usd(on_lambda.monthly_usd)} a month each."
        )
    else:
        text = (
            f"Front door, in every option's cost: Lambda ({on_lambda.label}): "
            f"{fig.usd(on_lambda.monthly_usd)}; {servers} a month."
        )
    reasons = [text]
    if profile.source == SOURCE_METRICS and profile.invocation_types - {SYNC}:
        reasons.append(
            "The metrics do not say which trigger each invocation came from, so every "
            "invocation is priced through the front door."
        )
    return reasons


INIT_BILLING = (
    "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/"
)


def _init_notes(
    profile: WorkloadProfile, lambda_costs: dict[str, LambdaCost | ProvisionedCost]
) -> list[str]:
    """Whether the Lambda figures include INIT, billed for every configuration since
    2025-08-01 (INIT_BILLING), and on what cold starts; never silent."""
    billed = "INIT (a cold start's initialisation) is billed for every function configuration "
    billed += "since 1 August 2025"
    if profile.provisioned_concurrency:
        return [
            f"{billed}; with provisioned concurrency the instances initialise ahead of the "
            "calls, and the INIT of calls that spill over to on-demand instances is not in "
            "the figures."
        ]
    cost = lambda_costs[profile.arch]
    if profile.init_known and isinstance(cost, LambdaCost):
        share = profile.cold_start_share or 0.0
        why = (
            " (assumed: AWS's analysis of production workloads finds cold starts in under 1% "
            "of invocations)"
            if profile.cold_start_share_assumed
            else ""
        )
        return [
            f"{billed}: {fig.percent(share, places=2)} of invocations start cold{why}, "
            f"{fig.count(profile.monthly_cold_starts)} a month of "
            f"{fig.duration(profile.init_duration_ms or 0)} each, adding "
            f"{fig.usd(cost.init_usd)} to the Lambda figures."
        ]
    if profile.source == SOURCE_METRICS:
        return [
            f"{billed}, but it is not in the Lambda figures: this function's cold starts were "
            "not measured (CloudWatch's Lambda metrics carry no INIT duration)."
        ]
    return [f"{billed}, but it is not in the Lambda figures: give the INIT duration to include it."]


def _tier_notes(
    profile: WorkloadProfile,
    prices: PriceTable,
    lambda_costs: dict[str, LambdaCost | ProvisionedCost],
    verdict: str,
    weighed: _Weighed,
    options: DecisionOptions,
) -> list[str]:
    """Say where the duration tiers, which aggregate across the organisation under
    consolidated billing, could change the answer: this function alone near or past a tier
    boundary, or a move that the organisation's other usage would undo."""
    cost = lambda_costs[profile.arch]
    tiers = prices.lambda_.duration.get(profile.arch) or ()
    if not isinstance(cost, LambdaCost) or len(tiers) < 2 or not weighed.on_demand:
        return []
    first = tiers[0].up_to_gb_seconds or 0.0
    cheapest = min(t.usd_per_gb_second for t in tiers)
    aggregate = (
        "Under consolidated billing the duration tiers count the GB-seconds of every "
        f"{profile.arch} function in {profile.region} across the organisation"
    )
    notes = []
    if cost.gb_seconds >= first * NEAR_TIER:
        where = "past" if cost.gb_seconds > first else "near"
        notes.append(
            f"This {'function' if profile.source == SOURCE_METRICS else 'workload'} alone is "
            f"{where} the first duration tier's "
            f"{fig.count(first)} GB-seconds a month ({fig.count(cost.gb_seconds)}). "
            f"{aggregate}, and the figures apply the tiers to this function alone: its "
            "compute may cost less."
        )
    if verdict != VERDICT_LAMBDA:
        compute = cost.compute_usd + cost.init_usd
        lowest = weighed.lambda_usd - compute + cost.gb_seconds * cheapest
        premium = options.ops_premium.get(profile.ops_budget, 0.25)
        if not _moves(lowest - weighed.alternative_usd, weighed.alternative_usd, premium, options):
            notes.append(
                f"{aggregate}: where the organisation already uses more than "
                f"{fig.count(tiers[-2].up_to_gb_seconds or 0)} GB-seconds a month, this "
                f"function's compute costs {fig.usd(cost.gb_seconds * cheapest)} instead of "
                f"{fig.usd(compute)}, Lambda comes to {fig.usd(lowest)} against "
                f"{fig.usd(weighed.alternative_usd)}, and the answer is to stay on Lambda."
            )
    return notes


# This function's own GB-seconds at or above this share of the first tier's bound get a note.
NEAR_TIER = 0.8


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

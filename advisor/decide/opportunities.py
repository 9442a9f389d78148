"""Cost opportunities for an account: dollars a month saved by each change, largest first.

Three kinds, each also usable alone by the cost rules:

* ``arm64-saving`` (:func:`arm64_saving`): an x86_64 function priced on arm64 at the same
  duration (arm64 is often faster too, so the saving is a floor);
* ``idle-provisioned-concurrency`` (:func:`idle_provisioned_concurrency`): provisioned instances
  beyond the peak ever in use (``ProvisionedConcurrencyUtilization`` maximum), or all of them
  when the function was never invoked in the window;
* ``container-candidate`` (:func:`container_candidate`): the decision framework's verdict is
  containers or EC2, saving the difference between the Lambda bill and the chosen fleet.

A scan's opportunities (the overview's, the email's) are the cost rules' findings priced with
these functions, by ``advisor.analysis``: the rules apply the workspace's thresholds.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from advisor.collect.inventory import Function
from advisor.decide import figures as fig
from advisor.decide.cost import provisioned_concurrency_monthly_cost
from advisor.decide.framework import (
    VERDICT_LAMBDA,
    DecisionOptions,
    Recommendation,
    lambda_cost_for,
    recommend,
)
from advisor.decide.prices import PriceTable
from advisor.decide.profile import WorkloadProfile

KIND_ARM64 = "arm64-saving"
KIND_IDLE_PROVISIONED = "idle-provisioned-concurrency"
KIND_CONTAINERS = "container-candidate"
KINDS = (KIND_ARM64, KIND_IDLE_PROVISIONED, KIND_CONTAINERS)


@dataclass(frozen=True)
class Opportunity:
    kind: str
    function_arn: str
    function_name: str
    region: str
    monthly_saving_usd: float
    current_monthly_usd: float
    proposed_monthly_usd: float
    summary: str  # in plain words, with the figures


@dataclass(frozen=True)
class ArmSaving:
    x86_monthly_usd: float
    arm64_monthly_usd: float

    @property
    def monthly_saving_usd(self) -> float:
        return self.x86_monthly_usd - self.arm64_monthly_usd


@dataclass(frozen=True)
class IdleProvisioned:
    configured: int
    peak_in_use: int
    idle: int
    monthly_saving_usd: float  # the standing charge of the idle instances
    utilization_peak: float | None  # None: never invoked, utilization not reported


@dataclass(frozen=True)
class FunctionSaving:
    """The most one function can save with changes that can be taken together: arm64 and
    releasing idle provisioned concurrency combine (priced together, not added); moving to
    containers or EC2 replaces the whole Lambda bill, so it excludes both."""

    function_arn: str
    monthly_saving_usd: float
    kinds: tuple[str, ...]  # the opportunities taken together


@dataclass
class CostOpportunities:
    opportunities: list[Opportunity] = field(default_factory=list)
    regions_without_prices: list[str] = field(default_factory=list)
    best_by_function: dict[str, FunctionSaving] = field(default_factory=dict)

    @property
    def total_saving_usd(self) -> float:
        """What the account can save a month: each function's best combination, summed."""
        return round(sum(b.monthly_saving_usd for b in self.best_by_function.values()), 2)


def arm64_saving(profile: WorkloadProfile, prices: PriceTable) -> ArmSaving | None:
    """What an x86_64 workload would cost on arm64 at the same duration; None if not x86_64."""
    if profile.arch != "x86_64":
        return None
    return ArmSaving(
        x86_monthly_usd=lambda_cost_for(profile, prices, "x86_64").total_usd,
        arm64_monthly_usd=lambda_cost_for(profile, prices, "arm64").total_usd,
    )


def idle_provisioned_concurrency(
    profile: WorkloadProfile, prices: PriceTable
) -> IdleProvisioned | None:
    """Provisioned instances never used in the metric window; None when none is configured,
    none is idle, or usage is unknown (invocations but no utilization metric)."""
    configured = profile.provisioned_concurrency
    if configured <= 0:
        return None
    utilization = profile.provisioned_utilization_peak
    if utilization is None:
        if profile.monthly_requests > 0 or profile.window_hours is None:
            return None
        in_use = 0
    else:
        in_use = min(configured, math.ceil(configured * max(0.0, utilization) - 1e-9))
    idle = configured - in_use
    if idle <= 0:
        return None
    standing = provisioned_concurrency_monthly_cost(
        concurrency=idle, memory_mb=profile.memory_mb, arch=profile.arch, prices=prices
    ).provisioned_usd
    return IdleProvisioned(
        configured=configured,
        peak_in_use=in_use,
        idle=idle,
        monthly_saving_usd=standing,
        utilization_peak=utilization,
    )


def container_candidate(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> Recommendation | None:
    """The recommendation when it says containers or EC2, else None."""
    options = dataclasses.replace(options or DecisionOptions(), compute_crossover=False)
    rec = recommend(profile, prices, options)
    return None if rec.verdict == VERDICT_LAMBDA or rec.lambda_ruled_out else rec


def function_opportunities(
    fn: Function,
    profile: WorkloadProfile,
    prices: PriceTable,
    *,
    options: DecisionOptions | None = None,
    min_saving_usd: float = 1.0,
) -> list[Opportunity]:
    found: list[Opportunity] = []

    def add(kind: str, current: float, proposed: float, summary: str) -> None:
        if current - proposed >= min_saving_usd:
            found.append(
                Opportunity(
                    kind=kind,
                    function_arn=fn.arn,
                    function_name=fn.name,
                    region=fn.region,
                    monthly_saving_usd=round(current - proposed, 2),
                    current_monthly_usd=round(current, 2),
                    proposed_monthly_usd=round(proposed, 2),
                    summary=summary,
                )
            )

    arm = arm64_saving(profile, prices)
    if arm is not None:
        add(
            KIND_ARM64,
            arm.x86_monthly_usd,
            arm.arm64_monthly_usd,
            f"Switch {fn.name} to arm64: {fig.usd(arm.x86_monthly_usd)} -> "
            f"{fig.usd(arm.arm64_monthly_usd)} a month at the same duration.",
        )

    idle = idle_provisioned_concurrency(profile, prices)
    if idle is not None:
        current = lambda_cost_for(profile, prices).total_usd
        used = (
            f"at most {idle.peak_in_use} in use (peak utilization "
            f"{fig.percent(idle.utilization_peak)})"
            if idle.utilization_peak is not None
            else "no invocations in the metric window"
        )
        add(
            KIND_IDLE_PROVISIONED,
            current,
            current - idle.monthly_saving_usd,
            f"{fn.name} keeps {idle.configured} provisioned instances with {used}: "
            f"releasing {idle.idle} saves {fig.usd(idle.monthly_saving_usd)} a month.",
        )

    rec = container_candidate(profile, prices, options)
    if rec is not None:
        # front doors included on both sides, as the verdict weighed them
        current = lambda_cost_for(profile, prices).total_usd + rec.front_doors.lambda_.monthly_usd
        plan = rec.ec2 if rec.verdict == "ec2" and rec.ec2 is not None else rec.fargate
        proposed = plan.monthly_usd + rec.front_doors.servers.monthly_usd
        add(
            KIND_CONTAINERS,
            current,
            proposed,
            f"Move {fn.name} to {plan.describe()}: {fig.usd(current)} -> "
            f"{fig.usd(proposed)} a month.",
        )
    return found


def best_combination(
    profile: WorkloadProfile, prices: PriceTable, found: list[Opportunity]
) -> FunctionSaving | None:
    """The largest saving among the combinations of ``found`` (one function's opportunities)
    that can be taken together; None when there is none."""
    if not found:
        return None
    kinds = {o.kind for o in found}
    candidates: list[tuple[float, tuple[str, ...]]] = []
    on_lambda = tuple(k for k in (KIND_ARM64, KIND_IDLE_PROVISIONED) if k in kinds)
    if on_lambda:
        after = profile
        if KIND_ARM64 in kinds:
            after = dataclasses.replace(after, arch="arm64")
        idle = idle_provisioned_concurrency(profile, prices)
        if KIND_IDLE_PROVISIONED in kinds and idle is not None:
            after = dataclasses.replace(after, provisioned_concurrency=idle.peak_in_use)
        current = lambda_cost_for(profile, prices).total_usd
        candidates.append((current - lambda_cost_for(after, prices).total_usd, on_lambda))
    for o in found:
        if o.kind == KIND_CONTAINERS:
            candidates.append((o.monthly_saving_usd, (KIND_CONTAINERS,)))
    saving, taken = max(candidates, key=lambda c: c[0])
    return FunctionSaving(found[0].function_arn, round(saving, 2), taken)


def sort_opportunities(items: Iterable[Opportunity]) -> list[Opportunity]:
    return sorted(items, key=lambda o: (-o.monthly_saving_usd, o.kind, o.function_arn))


__all__ = [
    "KINDS",
    "KIND_ARM64",
    "KIND_CONTAINERS",
    "KIND_IDLE_PROVISIONED",
    "ArmSaving",
    "CostOpportunities",
    "FunctionSaving",
    "IdleProvisioned",
    "Opportunity",
    "arm64_saving",
    "best_combination",
    "container_candidate",
    "function_opportunities",
    "idle_provisioned_concurrency",
    "sort_opportunities",
]

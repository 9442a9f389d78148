"""The options side by side: their monthly costs at a volume, the crossover volume, and the
cost curve a chart draws. The decision itself (:mod:`advisor.decide.framework`) reads these.

The **crossover** is the monthly request volume at which Fargate or EC2 first becomes cheaper
than Lambda at this duration, memory and traffic shape (pure cost, no operations premium),
searched between 1,000 and 100 billion requests a month; None when it never happens in that
range or Lambda cannot run the workload. Costs are on demand without the free tier (it is per
account, not per function).

Every option's cost includes its **front door** (:func:`front_doors`): API Gateway in front of
Lambda is weighed against an Application Load Balancer in front of containers or EC2, unless the
workload keeps API Gateway in front of all of them; a function URL costs nothing on Lambda and
becomes a load balancer for servers; a load balancer in front of Lambda stays in front of
servers. The crossover compares these totals, so a front door moves it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from advisor.decide.cost import (
    LambdaCost,
    ProvisionedCost,
    api_gateway_monthly_cost,
    ec2_monthly_cost,
    fargate_monthly_cost,
    lambda_monthly_cost,
    lambda_monthly_usd,
    load_balancer_monthly_cost,
    provisioned_concurrency_monthly_cost,
)
from advisor.decide.prices import ARCHITECTURES, PriceTable
from advisor.decide.profile import (
    FRONT_DOOR_ALB,
    FRONT_DOOR_FUNCTION_URL,
    FRONT_DOOR_HTTP,
    FRONT_DOOR_NONE,
    FRONT_DOOR_REST,
    OPS_HIGH,
    OPS_LOW,
    OPS_MEDIUM,
    WorkloadProfile,
)
from advisor.decide.sizing import (
    Ec2Plan,
    SizingOptions,
    ec2_candidates,
    ec2_fleet,
    ec2_plan,
    fargate_per_task_concurrency,
    fargate_plan,
    fargate_task_size,
    fargate_tasks,
)

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


DOOR_NONE = "none"
DOOR_FUNCTION_URL = "function URL"
DOOR_REST = "API Gateway REST API"
DOOR_HTTP = "API Gateway HTTP API"
DOOR_ALB = "Application Load Balancer"


@dataclass(frozen=True)
class FrontDoor:
    """What one side pays to receive its calls. ``priced`` is False when the region's price
    table has no figure for it; ``counted`` is False when either side's is missing, and then
    neither side's front door is in the costs (the reasons say so)."""

    label: str  # DOOR_*
    monthly_usd: float = 0.0
    priced: bool = True
    counted: bool = True

    @property
    def present(self) -> bool:
        return self.label != DOOR_NONE


@dataclass(frozen=True)
class FrontDoors:
    lambda_: FrontDoor  # in front of Lambda
    servers: FrontDoor  # in front of containers or EC2


_NO_DOOR = FrontDoor(DOOR_NONE)
NO_DOORS = FrontDoors(_NO_DOOR, _NO_DOOR)


def front_doors(profile: WorkloadProfile, prices: PriceTable) -> FrontDoors:
    """The front door on each side of the comparison, priced at the profile's volume."""
    doors = _front_doors(profile, prices)
    if doors.lambda_.priced and doors.servers.priced:
        return doors
    # One side unpriced would tilt the comparison: leave the front door out of both.
    return FrontDoors(
        dataclasses.replace(doors.lambda_, monthly_usd=0.0, counted=False),
        dataclasses.replace(doors.servers, monthly_usd=0.0, counted=False),
    )


def _front_doors(profile: WorkloadProfile, prices: PriceTable) -> FrontDoors:
    door = profile.front_door
    if door == FRONT_DOOR_NONE:
        return NO_DOORS
    requests = profile.monthly_requests
    if door in (FRONT_DOOR_REST, FRONT_DOOR_HTTP):
        api = _api_gateway(requests, "rest" if door == FRONT_DOOR_REST else "http", prices)
        servers = api if profile.keep_api_gateway else _alb(requests, prices)
        return FrontDoors(api, servers)
    alb = _alb(requests, prices)
    if door == FRONT_DOOR_FUNCTION_URL:
        return FrontDoors(FrontDoor(DOOR_FUNCTION_URL), alb)  # function URLs have no charge
    if door == FRONT_DOOR_ALB:
        return FrontDoors(alb, alb)
    raise ValueError(f"unknown front door {door!r}")


def _api_gateway(requests: float, api: str, prices: PriceTable) -> FrontDoor:
    label = DOOR_REST if api == "rest" else DOOR_HTTP
    if prices.api_gateway is None:
        return FrontDoor(label, priced=False)
    cost = api_gateway_monthly_cost(requests=requests, api=api, prices=prices)
    return FrontDoor(label, cost.total_usd)


def _alb(requests: float, prices: PriceTable) -> FrontDoor:
    if prices.load_balancer is None:
        return FrontDoor(DOOR_ALB, priced=False)
    return FrontDoor(
        DOOR_ALB, load_balancer_monthly_cost(requests=requests, prices=prices).total_usd
    )


def lambda_cost_for(
    profile: WorkloadProfile, prices: PriceTable, arch: str | None = None
) -> LambdaCost | ProvisionedCost:
    """What the workload costs on Lambda a month: on demand (with the INIT phase of its cold
    starts when they are known or estimated), or with its configured provisioned concurrency
    (INIT left out: provisioned instances initialise ahead of the calls)."""
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
        cold_starts=profile.monthly_cold_starts,
        init_duration_ms=profile.init_duration_ms or 0.0,
    )


def _lambda_usd(profile: WorkloadProfile, prices: PriceTable, arch: str) -> float:
    """``lambda_cost_for(profile, prices, arch).total_usd``, without the on-demand bill's parts."""
    if profile.provisioned_concurrency > 0:
        return lambda_cost_for(profile, prices, arch).total_usd
    return lambda_monthly_usd(
        requests=profile.monthly_requests,
        duration_ms=profile.avg_duration_ms,
        memory_mb=profile.memory_mb,
        arch=arch,
        prices=prices,
        ephemeral_mb=profile.ephemeral_mb,
        cold_starts=profile.monthly_cold_starts,
        init_duration_ms=profile.init_duration_ms or 0.0,
    )


def option_costs(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> dict[str, float | None]:
    """Unrounded monthly cost of each option at the profile's volume (None: cannot run it)."""
    options = options or DecisionOptions()
    return costs_of(
        profile,
        lambda_usd={a: lambda_cost_for(profile, prices, a).total_usd for a in ARCHITECTURES},
        fargate_usd=fargate_plan(profile, prices, options.sizing).monthly_usd,
        ec2=ec2_plan(profile, prices, options.sizing),
        doors=front_doors(profile, prices),
    )


def costs_of(
    profile: WorkloadProfile,
    *,
    lambda_usd: dict[str, float],
    fargate_usd: float,
    ec2: Ec2Plan | None,
    doors: FrontDoors,
) -> dict[str, float | None]:
    """:func:`option_costs` from figures already computed (the decision has them at hand)."""
    return _costs(
        profile,
        lambda_usd=lambda_usd,
        fargate_usd=fargate_usd,
        ec2_usd=ec2.monthly_usd if ec2 else None,
        doors=doors,
    )


def _costs(
    profile: WorkloadProfile,
    *,
    lambda_usd: dict[str, float],
    fargate_usd: float,
    ec2_usd: float | None,
    doors: FrontDoors,
) -> dict[str, float | None]:
    on_lambda, on_servers = doors.lambda_.monthly_usd, doors.servers.monthly_usd
    costs: dict[str, float | None] = {
        f"lambda_{arch}": lambda_usd[arch] + on_lambda for arch in ARCHITECTURES
    }
    costs[OPTION_FARGATE] = fargate_usd + on_servers
    costs[OPTION_EC2] = ec2_usd + on_servers if ec2_usd is not None else None
    if profile.gpu:
        costs[OPTION_LAMBDA_X86] = costs[OPTION_LAMBDA_ARM] = costs[OPTION_FARGATE] = None
    elif profile.exceeds_lambda_limit:
        costs[OPTION_LAMBDA_X86] = costs[OPTION_LAMBDA_ARM] = None
    return costs


def crossover(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> tuple[int | None, str | None]:
    """(monthly requests, option) where Fargate or EC2 first becomes cheaper than Lambda at
    this duration, memory and traffic shape, front doors included on both sides; (None, None)
    if never within the search range."""
    options = options or DecisionOptions()
    if profile.gpu or profile.exceeds_lambda_limit or profile.avg_duration_ms <= 0:
        return None, None

    shape = _Shape(profile, prices, options)

    def cheaper_alternative(volume: float) -> str | None:
        at = profile.at_volume(volume)
        doors = front_doors(at, prices)
        lam = _lambda_usd(at, prices, at.arch) + doors.lambda_.monthly_usd
        on_servers = doors.servers.monthly_usd
        fargate_usd, ec2_usd = shape.servers_usd(at)
        alternatives = {OPTION_FARGATE: fargate_usd + on_servers}
        if ec2_usd is not None:
            alternatives[OPTION_EC2] = ec2_usd + on_servers
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
    *,
    known_crossover: tuple[int | None, str | None] | None = None,
) -> CostCurve:
    """Monthly cost of each option against monthly requests, at this workload's shape.
    ``known_crossover`` is :func:`crossover`'s answer when the caller has it already (the
    recommendation found it): the search is the slow part."""
    options = options or DecisionOptions()
    if known_crossover is None:
        known_crossover = crossover(profile, prices, options)
    cross, cross_option = known_crossover
    vols = sorted(volumes) if volumes is not None else default_volumes(profile, cross)
    series: dict[str, list[float | None]] = {k: [] for k in OPTIONS}
    shape = _Shape(profile, prices, options)
    for volume in vols:
        costs = shape.option_costs(profile.at_volume(volume))
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


class _Shape:
    """:func:`option_costs` for one workload shape at many volumes (the crossover search and
    the cost curve). What does not depend on the volume is worked out once: the Fargate task
    size, the EC2 instances that hold an execution, and the bill of each fleet size met; each
    figure is the one ``fargate_plan`` and ``ec2_plan`` give, computed the same way."""

    def __init__(self, profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions):
        self.prices = prices
        self.sizing = options.sizing
        self.task_vcpu, self.task_memory_gb = fargate_task_size(profile.memory_mb)
        self.per_task = fargate_per_task_concurrency(profile, self.task_vcpu)
        self.candidates = ec2_candidates(profile, prices, self.sizing)
        self._fargate: dict[int, float] = {}  # tasks -> monthly USD
        self._ec2: dict[tuple[str, int], float] = {}  # (instance type, count) -> monthly USD

    def servers_usd(self, at: WorkloadProfile) -> tuple[float, float | None]:
        """Fargate's and EC2's monthly USD at this profile's volume (EC2 None: no instance)."""
        busy = at.busy_concurrency
        tasks = fargate_tasks(busy, self.per_task, self.sizing)
        fargate = self._fargate.get(tasks)
        if fargate is None:
            fargate = self._fargate[tasks] = fargate_monthly_cost(
                task_vcpu=self.task_vcpu,
                task_memory_gb=self.task_memory_gb,
                tasks=tasks,
                arch=at.arch,
                prices=self.prices,
            ).total_usd
        chosen = ec2_fleet(at, busy, self.prices, self.sizing, self.candidates)
        if chosen is None:
            return fargate, None
        key = (chosen[0].type, chosen[1])
        ec2 = self._ec2.get(key)
        if ec2 is None:
            ec2 = self._ec2[key] = ec2_monthly_cost(
                instance_type=key[0], count=key[1], prices=self.prices
            ).total_usd
        return fargate, ec2

    def option_costs(self, at: WorkloadProfile) -> dict[str, float | None]:
        fargate_usd, ec2_usd = self.servers_usd(at)
        return _costs(
            at,
            lambda_usd={a: _lambda_usd(at, self.prices, a) for a in ARCHITECTURES},
            fargate_usd=fargate_usd,
            ec2_usd=ec2_usd,
            doors=front_doors(at, self.prices),
        )

"""How many Fargate tasks or EC2 instances a workload needs, and what they cost.

The unit of capacity is Lambda's own: a function gets CPU in proportion to its memory, one vCPU
at 1,769 MB (lambda/latest/dg/configuration-memory.html). So one execution of a ``memory_mb``
function uses ``memory_mb / 1769`` vCPU and ``memory_mb`` of memory, and the same work needs the
same share of a container or an instance while it computes. Lambda also bills the time an
execution waits on I/O; a container serves other requests meanwhile, so the fleet needs only
the profile's ``cpu_share`` of that Lambda-equivalent capacity (vCPU and memory) per execution in
flight (1.0 for CPU-bound code: the conservative case).

Fargate, documented:

1. task size: the smallest Fargate vCPU size that holds one execution (``memory_mb / 1769``
   vCPU), with the smallest valid memory for it that holds ``memory_mb`` and the vCPU's
   Lambda-equivalent memory;
2. per-task concurrency = task vCPU / (vCPU per execution x cpu share): how many executions in
   flight one task serves;
3. tasks = ceil(busy concurrency / (per-task concurrency x target utilisation)), where busy
   concurrency is the mean number of executions in flight during the busiest hour: the fleet is
   sized for the busy hour and runs all month (no autoscaling assumed, so burstiness costs);
4. never fewer than ``min_tasks`` (default 2, one per Availability Zone, for availability).

EC2: for each catalogue instance of the workload's architecture (any architecture with a GPU
when the workload needs one) whose memory holds one execution plus an OS reserve, the count is
the largest of ``min_instances`` (same floor), busy vCPU / (sustained vCPU x target
utilisation) and busy memory / usable memory (busy vCPU and memory: busy concurrency x cpu
share x one execution's vCPU and memory); burstable (T) instances count only their baseline
CPU as sustained. The cheapest fleet wins; on a tie, the smaller instance.

Not included on either side: load balancers, API Gateway, NAT, data transfer, storage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from advisor.decide import figures as fig
from advisor.decide.cost import (
    Ec2Cost,
    FargateCost,
    ec2_monthly_cost,
    fargate_monthly_cost,
)
from advisor.decide.prices import Ec2Instance, PriceTable
from advisor.decide.profile import WorkloadProfile

LAMBDA_MB_PER_VCPU = 1769  # lambda/latest/dg/configuration-memory.html
LAMBDA_MAX_VCPU = 6

# Valid Fargate task sizes: vCPU -> memory choices in GB.
# Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
FARGATE_SIZES: dict[float, tuple[float, ...]] = {
    0.25: (0.5, 1.0, 2.0),
    0.5: tuple(float(g) for g in range(1, 5)),
    1.0: tuple(float(g) for g in range(2, 9)),
    2.0: tuple(float(g) for g in range(4, 17)),
    4.0: tuple(float(g) for g in range(8, 31)),
    8.0: tuple(float(g) for g in range(16, 61, 4)),
    16.0: tuple(float(g) for g in range(32, 121, 8)),
}


@dataclass(frozen=True)
class SizingOptions:
    min_tasks: int = 2  # one per Availability Zone
    min_instances: int = 2  # one per Availability Zone
    target_utilization: float = 0.7  # headroom for peaks within the busy hour and deploys
    ec2_os_reserve_gib: float = 0.5  # memory kept for the OS and its daemons on each instance


@dataclass(frozen=True)
class FargatePlan:
    task_vcpu: float
    task_memory_gb: float
    tasks: int
    per_task_concurrency: float
    busy_concurrency: float
    cost: FargateCost

    @property
    def monthly_usd(self) -> float:
        return self.cost.total_usd

    def describe(self) -> str:
        size = f"{_num(self.task_vcpu)} vCPU / {_num(self.task_memory_gb)} GB"
        return f"{_how_many(self.tasks)} Fargate tasks of {size}"


@dataclass(frozen=True)
class Ec2Plan:
    instance: Ec2Instance
    count: int
    busy_concurrency: float
    cost: Ec2Cost

    @property
    def monthly_usd(self) -> float:
        return self.cost.total_usd

    def describe(self) -> str:
        return f"{_how_many(self.count)} x {self.instance.type}"


def _how_many(n: int) -> str:
    """12, 1,250, then 3.4 M: a fleet at the edge of the planner's range still reads."""
    return f"{n:,}" if n < 1_000_000 else fig.count(n)


def vcpu_per_execution(memory_mb: float) -> float:
    return min(LAMBDA_MAX_VCPU, memory_mb / LAMBDA_MB_PER_VCPU)


def fargate_task_size(memory_mb: float) -> tuple[float, float]:
    """(vCPU, GB) of the smallest valid Fargate task that holds one execution."""
    vcpu_needed = vcpu_per_execution(memory_mb)
    for vcpu, memories in FARGATE_SIZES.items():
        if vcpu < vcpu_needed:
            continue
        need_gb = max(memory_mb / 1024, vcpu * LAMBDA_MB_PER_VCPU / 1024)
        fitting = [m for m in memories if m >= need_gb]
        if fitting:
            return vcpu, fitting[0]
    raise ValueError(f"no Fargate task size holds a {memory_mb} MB execution")


def fargate_plan(
    profile: WorkloadProfile, prices: PriceTable, options: SizingOptions | None = None
) -> FargatePlan:
    options = options or SizingOptions()
    task_vcpu, task_memory_gb = fargate_task_size(profile.memory_mb)
    per_task = fargate_per_task_concurrency(profile, task_vcpu)
    busy = profile.busy_concurrency
    tasks = fargate_tasks(busy, per_task, options)
    cost = fargate_monthly_cost(
        task_vcpu=task_vcpu,
        task_memory_gb=task_memory_gb,
        tasks=tasks,
        arch=profile.arch,
        prices=prices,
    )
    return FargatePlan(
        task_vcpu=task_vcpu,
        task_memory_gb=task_memory_gb,
        tasks=tasks,
        per_task_concurrency=per_task,
        busy_concurrency=busy,
        cost=cost,
    )


def fargate_per_task_concurrency(profile: WorkloadProfile, task_vcpu: float) -> float:
    """Executions in flight one task of ``task_vcpu`` serves (step 2)."""
    return task_vcpu / (vcpu_per_execution(profile.memory_mb) * _cpu_share(profile))


def fargate_tasks(busy: float, per_task: float, options: SizingOptions) -> int:
    """Tasks for ``busy`` executions in flight (steps 3 and 4)."""
    return max(options.min_tasks, math.ceil(busy / (per_task * options.target_utilization)))


@dataclass(frozen=True)
class Ec2Candidates:
    """The catalogue instances that can run a workload, in catalogue order, with what the
    sizing reads of each: (instance, usable memory in GiB after the OS reserve, sustained vCPU
    x target utilisation). They depend on its architecture, GPU need and memory, not on its
    volume: a cost curve or crossover search works them out once (:func:`ec2_candidates`)."""

    items: tuple[tuple[Ec2Instance, float, float], ...]
    # Below these busy vCPU and memory every candidate runs ``min_instances``: the choice is
    # then ``at_floor``, worked out once.
    floor_vcpu: float = 0.0
    floor_mem_gib: float = 0.0
    at_floor: tuple[Ec2Instance, int] | None = None


def ec2_candidates(
    profile: WorkloadProfile, prices: PriceTable, options: SizingOptions | None = None
) -> Ec2Candidates:
    options = options or SizingOptions()
    one_execution_gib = profile.memory_mb / 1024
    found = []
    for instance in prices.ec2:
        if profile.gpu:
            if instance.gpus < 1:
                continue
        elif instance.gpus or instance.arch != profile.arch:
            continue
        usable_gib = instance.memory_gib - options.ec2_os_reserve_gib
        if usable_gib < one_execution_gib:
            continue
        found.append((instance, usable_gib, instance.sustained_vcpu * options.target_utilization))
    items = tuple(found)
    if not items:
        return Ec2Candidates(items)
    return Ec2Candidates(
        items,
        floor_vcpu=min(capacity for _, _, capacity in items),
        floor_mem_gib=min(usable for _, usable, _ in items),
        at_floor=_cheapest(items, 0.0, 0.0, prices, options),
    )


def ec2_plan(
    profile: WorkloadProfile,
    prices: PriceTable,
    options: SizingOptions | None = None,
    *,
    candidates: Ec2Candidates | None = None,
) -> Ec2Plan | None:
    """The cheapest EC2 fleet for the workload, or None when no catalogue instance fits.
    ``candidates``: :func:`ec2_candidates` for this workload, when the caller has them."""
    options = options or SizingOptions()
    if candidates is None:
        candidates = ec2_candidates(profile, prices, options)
    busy = profile.busy_concurrency
    chosen = ec2_fleet(profile, busy, prices, options, candidates)
    if chosen is None:
        return None
    instance, count = chosen
    return Ec2Plan(
        instance=instance,
        count=count,
        busy_concurrency=busy,
        cost=ec2_monthly_cost(instance_type=instance.type, count=count, prices=prices),
    )


def ec2_fleet(
    profile: WorkloadProfile,
    busy: float,
    prices: PriceTable,
    options: SizingOptions,
    candidates: Ec2Candidates,
) -> tuple[Ec2Instance, int] | None:
    """(instance, count) of the cheapest fleet for ``busy`` executions in flight; on a tie, the
    smaller instance, then the first in the catalogue. None without candidates."""
    share = _cpu_share(profile)
    busy_vcpu = busy * share * vcpu_per_execution(profile.memory_mb)
    busy_mem_gib = busy * share * profile.memory_mb / 1024
    if not candidates.items:
        return None
    floor = options.min_instances
    # Each count is max(floor, ceil(busy vCPU / capacity), ceil(busy memory / usable)), and
    # the smallest capacity and usable memory give the largest ceilings: when those are within
    # the floor, every candidate runs the floor.
    if (
        math.ceil(busy_vcpu / candidates.floor_vcpu) <= floor
        and math.ceil(busy_mem_gib / candidates.floor_mem_gib) <= floor
    ):
        return candidates.at_floor
    return _cheapest(candidates.items, busy_vcpu, busy_mem_gib, prices, options)


def _cheapest(
    items: tuple[tuple[Ec2Instance, float, float], ...],
    busy_vcpu: float,
    busy_mem_gib: float,
    prices: PriceTable,
    options: SizingOptions,
) -> tuple[Ec2Instance, int] | None:
    hours = prices.hours_per_month
    floor = options.min_instances
    best: Ec2Instance | None = None
    best_usd, best_count = 0.0, 0
    for instance, usable_gib, capacity in items:
        count = max(floor, math.ceil(busy_vcpu / capacity), math.ceil(busy_mem_gib / usable_gib))
        monthly = count * instance.usd_per_hour * hours
        if (
            best is None
            or monthly < best_usd
            or (monthly == best_usd and instance.vcpu < best.vcpu)
        ):
            best, best_usd, best_count = instance, monthly, count
    if best is None:
        return None
    return best, best_count


def _cpu_share(profile: WorkloadProfile) -> float:
    if not 0 < profile.cpu_share <= 1:
        raise ValueError(f"cpu_share must be in (0, 1], got {profile.cpu_share}")
    return profile.cpu_share


def _num(x: float) -> str:
    return f"{x:g}"

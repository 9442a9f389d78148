"""Fargate and EC2 sizing: task size, counts, the availability floor, fitting instances."""

from __future__ import annotations

import pytest

from advisor.decide import SizingOptions, WorkloadProfile, ec2_plan, fargate_plan, load_prices
from advisor.decide.sizing import FARGATE_SIZES, fargate_task_size

PRICES = load_prices("us-east-1")


def workload(**overrides) -> WorkloadProfile:
    return WorkloadProfile(
        **(dict(monthly_requests=1_000_000, avg_duration_ms=200, memory_mb=512) | overrides)
    )


@pytest.mark.parametrize(
    ("memory_mb", "size"),
    [
        (128, (0.25, 0.5)),
        (512, (0.5, 1.0)),
        (1769, (1.0, 2.0)),
        (3008, (2.0, 4.0)),
        (10_240, (8.0, 16.0)),
    ],
)
def test_fargate_task_holds_one_execution(memory_mb, size):
    assert fargate_task_size(memory_mb) == size
    vcpu, memory_gb = size
    assert memory_gb in FARGATE_SIZES[vcpu]


def test_quiet_workload_gets_the_availability_floor():
    plan = fargate_plan(workload(monthly_requests=1_000), PRICES)
    assert plan.tasks == 2
    # 2 tasks x 730 h x (0.5 vCPU x $0.04048 + 1 GB x $0.004445)
    assert plan.monthly_usd == pytest.approx(2 * 730 * (0.5 * 0.04048 + 1 * 0.004445))


def test_busy_workload_needs_tasks_for_its_busy_hour():
    # 100 M requests x 0.2 s over 2,628,000 s = 7.61 in flight; busy hour 2x = 15.2;
    # a 0.5 vCPU task serves 0.5 / (512/1769 x 0.5) = 3.46 at 70% utilisation -> 7 tasks
    plan = fargate_plan(workload(monthly_requests=100_000_000, peak_to_mean=2.0), PRICES)
    assert plan.busy_concurrency == pytest.approx(15.22, abs=0.01)
    assert plan.per_task_concurrency == pytest.approx(3.455, abs=0.001)
    assert plan.tasks == 7


def test_floor_and_utilisation_are_options():
    plan = fargate_plan(workload(monthly_requests=1_000), PRICES, SizingOptions(min_tasks=3))
    assert plan.tasks == 3


def test_cpu_bound_workload_needs_twice_the_tasks_of_a_half_waiting_one():
    io = fargate_plan(workload(monthly_requests=1e9, cpu_share=0.5), PRICES)
    cpu = fargate_plan(workload(monthly_requests=1e9, cpu_share=1.0), PRICES)
    assert cpu.tasks == pytest.approx(2 * io.tasks, abs=1)


def test_fargate_uses_the_workloads_architecture():
    x86 = fargate_plan(workload(), PRICES)
    arm = fargate_plan(workload(arch="arm64"), PRICES)
    assert arm.monthly_usd < x86.monthly_usd


def test_ec2_picks_the_cheapest_fitting_instance_of_the_architecture():
    small = ec2_plan(workload(monthly_requests=1_000), PRICES)
    assert (small.instance.type, small.count) == ("t3.small", 2)
    arm = ec2_plan(workload(monthly_requests=1_000, arch="arm64"), PRICES)
    assert arm.instance.type == "t4g.small"


def test_ec2_instance_must_hold_one_execution():
    plan = ec2_plan(workload(monthly_requests=1_000, memory_mb=10_240), PRICES)
    assert plan.instance.memory_gib - 0.5 >= 10
    assert plan.instance.arch == "x86_64"


def test_burstable_instances_count_only_their_baseline_under_sustained_load():
    plan = ec2_plan(workload(monthly_requests=1_000_000_000), PRICES)
    assert not plan.instance.burstable


def test_gpu_workload_gets_a_gpu_instance():
    plan = ec2_plan(workload(gpu=True, memory_mb=4096), PRICES)
    assert plan.instance.gpus >= 1 and plan.count == 2


def test_invalid_cpu_share_is_refused():
    with pytest.raises(ValueError, match="cpu_share"):
        fargate_plan(workload(cpu_share=0), PRICES)

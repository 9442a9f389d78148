"""The cost curve and the crossover search price one workload shape at many volumes with what
does not depend on the volume worked out once; each point must be the figure the decision
itself gives at that volume."""

from __future__ import annotations

import dataclasses
import math

import pytest

from advisor.decide import DecisionOptions, SizingOptions, WorkloadProfile, load_prices
from advisor.decide.compare import cost_curve, crossover, option_costs
from advisor.decide.profile import FRONT_DOOR_ALB, FRONT_DOOR_HTTP, FRONT_DOOR_REST, SYNC
from advisor.decide.sizing import ec2_candidates, ec2_fleet, ec2_plan

PRICES = load_prices("us-east-1")

SHAPES = [
    dict(monthly_requests=2e6, avg_duration_ms=120, memory_mb=512),
    dict(monthly_requests=4e7, avg_duration_ms=900, memory_mb=1769, arch="arm64", peak_to_mean=6),
    dict(
        monthly_requests=3e5,
        avg_duration_ms=40,
        memory_mb=256,
        front_door=FRONT_DOOR_REST,
        invocation_types=frozenset({SYNC}),
    ),
    dict(monthly_requests=8e8, avg_duration_ms=2500, memory_mb=3008, front_door=FRONT_DOOR_ALB),
    dict(
        monthly_requests=1e6,
        avg_duration_ms=300,
        memory_mb=1024,
        front_door=FRONT_DOOR_HTTP,
        keep_api_gateway=True,
        provisioned_concurrency=3,
    ),
    dict(monthly_requests=5e4, avg_duration_ms=1200, memory_mb=10_240, max_duration_ms=1.2e6),
    dict(monthly_requests=1e4, avg_duration_ms=600, memory_mb=4096, gpu=True),
]


def cheapest_fleet(profile: WorkloadProfile, options: SizingOptions):
    """The sizing's rule spelt out plainly: every fitting instance's fleet, the cheapest first,
    then the fewer vCPU, then the catalogue's order."""
    share = profile.cpu_share
    vcpu = min(6, profile.memory_mb / 1769)
    busy = profile.busy_concurrency
    fleets = []
    for order, i in enumerate(PRICES.ec2):
        fits = (i.gpus >= 1) if profile.gpu else (not i.gpus and i.arch == profile.arch)
        usable = i.memory_gib - options.ec2_os_reserve_gib
        if not fits or usable < profile.memory_mb / 1024:
            continue
        count = max(
            options.min_instances,
            math.ceil(busy * share * vcpu / (i.vcpu * i.baseline_cpu * options.target_utilization)),
            math.ceil(busy * share * profile.memory_mb / 1024 / usable),
        )
        fleets.append((count * i.usd_per_hour * PRICES.hours_per_month, i.vcpu, order, i, count))
    return min(fleets)[3:] if fleets else None


@pytest.mark.parametrize("shape", SHAPES)
def test_every_point_of_the_curve_is_the_decisions_figure_at_that_volume(shape):
    profile = WorkloadProfile(**shape)
    options = DecisionOptions()
    curve = cost_curve(profile, PRICES, options=options)
    assert len(curve.volumes) >= 60
    for i, volume in enumerate(curve.volumes):
        at = dataclasses.replace(profile, monthly_requests=volume)
        assert profile.at_volume(volume) == at
        expected = option_costs(at, PRICES, options)
        for option, series in curve.series.items():
            want = expected[option]
            assert series[i] == (round(want, 2) if want is not None else None), (option, volume)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_ec2_fleet_is_the_cheapest_fitting_one_at_any_volume(shape):
    options = SizingOptions()
    profile = WorkloadProfile(**shape)
    candidates = ec2_candidates(profile, PRICES, options)
    for volume in [0, 1, 1e3, 1e5, 1e6, 3e6, 1e7, 5e7, 1e8, 1e9, 1e10, 1e11]:
        at = profile.at_volume(volume)
        want = cheapest_fleet(at, options)
        got = ec2_fleet(at, at.busy_concurrency, PRICES, options, candidates)
        assert got == (tuple(want) if want else None), volume
        plan = ec2_plan(at, PRICES, options)
        assert (plan.instance, plan.count) == got if plan else got is None


def test_the_curve_passes_through_the_current_volume_and_the_crossover():
    profile = WorkloadProfile(**SHAPES[0])
    cross, option = crossover(profile, PRICES)
    assert cross is not None
    curve = cost_curve(profile, PRICES)
    assert float(cross) in curve.volumes
    assert profile.monthly_requests in curve.volumes
    at = curve.volumes.index(float(cross))
    lam = curve.series[f"lambda_{profile.arch}"][at]
    assert curve.series[option][at] <= lam

"""The cost model against the published worked examples and its monotonicity properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.decide import (
    UnknownRegionError,
    ec2_monthly_cost,
    fargate_monthly_cost,
    lambda_monthly_cost,
    load_prices,
    provisioned_concurrency_monthly_cost,
)
from advisor.decide.cost import tiered_duration_usd

PRICES = load_prices("us-east-1")


def cents(usd: float) -> float:
    return round(usd + 1e-9, 2)


@pytest.mark.parametrize(
    ("requests", "duration_ms", "compute", "requests_usd", "exact_compute"),
    [
        (100_000, 200, 0.17, 0.02, 0.166667),
        (5_000_000, 800, 33.33, 1.00, 33.3334),
        (10_000_000, 200, 16.67, 2.00, 16.6667),
        (100_000_000, 200, 166.67, 20.00, 166.667),
    ],
)
def test_worked_examples_to_the_cent(requests, duration_ms, compute, requests_usd, exact_compute):
    # given the published examples: 512 MB, x86_64, us-east-1, no free tier
    cost = lambda_monthly_cost(
        requests=requests, duration_ms=duration_ms, memory_mb=512, arch="x86_64", prices=PRICES
    )
    # then compute and requests match to the cent, and the exact figure is as documented
    assert cents(cost.compute_usd) == compute
    assert cents(cost.requests_usd) == requests_usd
    assert cost.compute_usd == pytest.approx(exact_compute, rel=1e-6)
    assert cost.total_usd == pytest.approx(cost.compute_usd + cost.requests_usd)


def test_ten_and_hundred_million_totals_are_about_19_and_190():
    ten = lambda_monthly_cost(
        requests=10e6, duration_ms=200, memory_mb=512, arch="x86_64", prices=PRICES
    )
    hundred = lambda_monthly_cost(
        requests=100e6, duration_ms=200, memory_mb=512, arch="x86_64", prices=PRICES
    )
    assert cents(ten.total_usd) == 18.67
    assert cents(hundred.total_usd) == 186.67


def test_free_tier_covers_the_first_million_requests_and_400k_gb_seconds():
    cost = lambda_monthly_cost(
        requests=1_000_000,
        duration_ms=800,
        memory_mb=512,
        arch="x86_64",
        prices=PRICES,
        free_tier=True,
    )
    assert cost.total_usd == 0.0
    over = lambda_monthly_cost(
        requests=5_000_000,
        duration_ms=800,
        memory_mb=512,
        arch="x86_64",
        prices=PRICES,
        free_tier=True,
    )
    # 2,000,000 GB-s - 400,000 free = 1.6 M GB-s; 4 M billable requests
    assert cents(over.compute_usd) == 26.67
    assert cents(over.requests_usd) == 0.80


def test_duration_tiers_lower_the_rate_above_six_billion_gb_seconds():
    six_billion = tiered_duration_usd(6e9, arch="x86_64", prices=PRICES)
    seven_billion = tiered_duration_usd(7e9, arch="x86_64", prices=PRICES)
    assert six_billion == pytest.approx(6e9 * 0.0000166667)
    assert seven_billion - six_billion == pytest.approx(1e9 * 0.0000150000)
    above = tiered_duration_usd(16e9, arch="x86_64", prices=PRICES)
    assert above - tiered_duration_usd(15e9, arch="x86_64", prices=PRICES) == pytest.approx(
        1e9 * 0.0000133334
    )


def test_ephemeral_storage_above_512_mb_is_charged():
    base = dict(requests=1e6, duration_ms=1000, memory_mb=1024, arch="x86_64", prices=PRICES)
    assert lambda_monthly_cost(**base).storage_usd == 0.0
    big = lambda_monthly_cost(**base, ephemeral_mb=1536)
    # 1 GB extra * 1,000,000 s
    assert big.storage_usd == pytest.approx(1e6 * 0.0000000309)


def test_negative_volume_is_refused():
    with pytest.raises(ValueError, match="requests"):
        lambda_monthly_cost(
            requests=-1, duration_ms=100, memory_mb=128, arch="x86_64", prices=PRICES
        )


def test_unknown_region_names_the_regions_that_have_prices():
    with pytest.raises(UnknownRegionError, match="us-east-1"):
        load_prices("xx-nowhere-1")


def test_provisioned_concurrency_standing_charge_for_a_month():
    # 10 * 1 GB * 730 h * 3600 s * $0.0000041667
    cost = provisioned_concurrency_monthly_cost(
        concurrency=10, memory_mb=1024, arch="x86_64", prices=PRICES
    )
    assert cost.provisioned_usd == pytest.approx(10 * 730 * 3600 * 0.0000041667)
    assert cost.duration_usd == 0.0
    assert cost.total_usd == cost.provisioned_usd


def test_provisioned_invocations_use_the_lower_duration_rate_and_spill_over():
    served = provisioned_concurrency_monthly_cost(
        concurrency=1, memory_mb=1024, arch="x86_64", prices=PRICES, requests=1e6, duration_ms=100
    )
    assert served.duration_usd == pytest.approx(1e5 * 0.0000097222)
    assert served.spillover_usd == 0.0
    # 1 instance holds at most 2,628,000 s a month; 3,000,000 s spill 372,000 s
    spilled = provisioned_concurrency_monthly_cost(
        concurrency=1, memory_mb=1024, arch="x86_64", prices=PRICES, requests=3e6, duration_ms=1000
    )
    assert spilled.spillover_usd == pytest.approx(372_000 * 0.0000166667)


def test_fargate_and_ec2_monthly_cost():
    fargate = fargate_monthly_cost(
        task_vcpu=1, task_memory_gb=2, tasks=2, arch="x86_64", prices=PRICES
    )
    assert fargate.total_usd == pytest.approx(2 * 730 * (0.04048 + 2 * 0.004445))
    ec2 = ec2_monthly_cost(instance_type="t4g.small", count=2, prices=PRICES)
    assert ec2.total_usd == pytest.approx(2 * 730 * 0.0168)


requests_st = st.floats(min_value=0, max_value=1e11, allow_nan=False)
duration_st = st.floats(min_value=1, max_value=900_000, allow_nan=False)
memory_st = st.integers(min_value=128, max_value=10_240)
arch_st = st.sampled_from(["x86_64", "arm64"])
free_st = st.booleans()


@given(requests_st, requests_st, duration_st, memory_st, arch_st, free_st)
def test_more_requests_never_lower_the_lambda_bill(a, b, duration, memory, arch, free):
    low, high = sorted((a, b))
    kw = dict(duration_ms=duration, memory_mb=memory, arch=arch, prices=PRICES, free_tier=free)
    assert (
        lambda_monthly_cost(requests=low, **kw).total_usd
        <= lambda_monthly_cost(requests=high, **kw).total_usd
    )


@given(requests_st, duration_st, memory_st, free_st)
def test_arm64_never_costs_more_than_x86_at_equal_duration(requests, duration, memory, free):
    kw = dict(requests=requests, duration_ms=duration, memory_mb=memory, prices=PRICES)
    arm = lambda_monthly_cost(arch="arm64", free_tier=free, **kw)
    x86 = lambda_monthly_cost(arch="x86_64", free_tier=free, **kw)
    assert arm.total_usd <= x86.total_usd


@given(requests_st, duration_st, duration_st, memory_st, memory_st, arch_st)
def test_cost_is_monotone_in_memory_and_duration(requests, d1, d2, m1, m2, arch):
    (d_lo, d_hi), (m_lo, m_hi) = sorted((d1, d2)), sorted((m1, m2))
    kw = dict(requests=requests, arch=arch, prices=PRICES)
    base = lambda_monthly_cost(duration_ms=d_lo, memory_mb=m_lo, **kw).total_usd
    assert base <= lambda_monthly_cost(duration_ms=d_hi, memory_mb=m_lo, **kw).total_usd
    assert base <= lambda_monthly_cost(duration_ms=d_lo, memory_mb=m_hi, **kw).total_usd

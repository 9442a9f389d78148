"""Cost opportunities: arm64 savings, idle provisioned concurrency, container candidates."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import Inventory, ProvisionedConcurrencyConfig, RegionInventory
from advisor.decide import (
    account_cost_opportunities,
    cost_opportunities,
    idle_provisioned_concurrency,
    load_prices,
    profile_from_function,
)
from advisor.decide.opportunities import KIND_ARM64, KIND_CONTAINERS, KIND_IDLE_PROVISIONED

from .factories import function, metrics_from_hourly, overlapping_opportunities_function

PRICES = load_prices("us-east-1")
DAYS = 14 * 24


def region(*functions) -> RegionInventory:
    return RegionInventory(account_id="123456789012", region="us-east-1", functions=list(functions))


def test_opportunities_are_in_dollars_and_sorted_by_saving():
    # given a busy x86 function, a quiet x86 one, an arm64 one, and idle provisioned concurrency
    busy = function("busy", metrics=metrics_from_hourly([150_000.0] * DAYS, duration_ms=250))
    quiet = function("quiet", metrics=metrics_from_hourly([10.0] * DAYS))
    arm = function("arm", arch="arm64", metrics=metrics_from_hourly([50_000.0] * DAYS))
    warm = function(
        "warm",
        memory_mb=1024,
        provisioned_concurrency=[ProvisionedConcurrencyConfig(qualifier="live", requested=10)],
        metrics=metrics_from_hourly([100.0] * DAYS, provisioned_utilization=[0.2] * DAYS),
    )
    # when listed
    found = cost_opportunities(region(busy, quiet, arm, warm), PRICES)
    # then largest saving first, each with its figures
    savings = [o.monthly_saving_usd for o in found]
    assert savings == sorted(savings, reverse=True)
    kinds = {(o.function_name, o.kind) for o in found}
    assert ("busy", KIND_CONTAINERS) in kinds
    assert ("busy", KIND_ARM64) in kinds
    assert ("warm", KIND_IDLE_PROVISIONED) in kinds
    assert not any(o.function_name == "quiet" for o in found)  # under $1 a month
    assert not any(o.function_name == "arm" and o.kind == KIND_ARM64 for o in found)
    for o in found:
        assert o.monthly_saving_usd == pytest.approx(
            o.current_monthly_usd - o.proposed_monthly_usd, abs=0.011
        )
        assert "$" in o.summary


def test_idle_provisioned_concurrency_counts_instances_beyond_the_peak_in_use():
    fn = function(
        memory_mb=1024,
        provisioned_concurrency=[ProvisionedConcurrencyConfig(qualifier="live", requested=10)],
        metrics=metrics_from_hourly([100.0] * 24, provisioned_utilization=[0.1] * 23 + [0.3]),
    )
    idle = idle_provisioned_concurrency(profile_from_function(fn), PRICES)
    assert (idle.configured, idle.peak_in_use, idle.idle) == (10, 3, 7)
    # 7 x 1 GB x 730 h x 3,600 s x $0.0000041667
    assert idle.monthly_saving_usd == pytest.approx(7 * 730 * 3600 * 0.0000041667)


def test_provisioned_concurrency_of_a_never_invoked_function_is_all_idle():
    fn = function(
        provisioned_concurrency=[ProvisionedConcurrencyConfig(qualifier="live", requested=2)],
        metrics=metrics_from_hourly([None] * 24),
    )
    idle = idle_provisioned_concurrency(profile_from_function(fn), PRICES)
    assert idle.idle == 2 and idle.utilization_peak is None


def test_usage_unknown_is_not_reported_as_idle():
    fn = function(
        provisioned_concurrency=[ProvisionedConcurrencyConfig(qualifier="live", requested=2)],
        metrics=metrics_from_hourly([10.0] * 24),
    )
    assert idle_provisioned_concurrency(profile_from_function(fn), PRICES) is None


def test_account_lists_regions_without_prices_instead_of_guessing():
    inventory = Inventory(
        account_id="123456789012",
        regions=[
            region(function("busy", metrics=metrics_from_hourly([150_000.0] * DAYS))),
            RegionInventory(account_id="123456789012", region="xx-nowhere-1"),
        ],
    )
    result = account_cost_opportunities(inventory)
    assert result.regions_without_prices == ["xx-nowhere-1"]
    assert result.opportunities


def test_the_total_counts_per_function_only_changes_that_can_be_made_together():
    # given a function where arm64, releasing idle instances and moving off Lambda all apply
    both = overlapping_opportunities_function()
    inventory = Inventory(account_id="123456789012", regions=[region(both)])
    # when the account's opportunities are totalled
    result = account_cost_opportunities(inventory)
    kinds = {o.kind: o for o in result.opportunities}
    assert set(kinds) == {KIND_ARM64, KIND_IDLE_PROVISIONED, KIND_CONTAINERS}
    added_up = sum(o.monthly_saving_usd for o in result.opportunities)
    bill = kinds[KIND_CONTAINERS].current_monthly_usd
    # then the naive sum would claim more than options that exclude each other can give ...
    assert added_up > max(o.monthly_saving_usd for o in result.opportunities)
    # ... while the total is the best single combination: moving off Lambda alone, or arm64
    # and releasing idle instances priced together (not added: the idle instances get cheaper
    # on arm64 too)
    best = result.best_by_function[both.arn]
    on_lambda = (
        kinds[KIND_ARM64].monthly_saving_usd + kinds[KIND_IDLE_PROVISIONED].monthly_saving_usd
    )
    assert result.total_saving_usd == best.monthly_saving_usd < added_up
    assert best.monthly_saving_usd <= bill
    if best.kinds == (KIND_CONTAINERS,):
        assert best.monthly_saving_usd == kinds[KIND_CONTAINERS].monthly_saving_usd
    else:
        assert best.kinds == (KIND_ARM64, KIND_IDLE_PROVISIONED)
        assert best.monthly_saving_usd < on_lambda  # the overlap is not counted twice
        assert best.monthly_saving_usd >= kinds[KIND_CONTAINERS].monthly_saving_usd


def test_a_function_with_one_opportunity_counts_it_whole():
    busy = function("busy", arch="arm64", metrics=metrics_from_hourly([150_000.0] * DAYS))
    result = account_cost_opportunities(
        Inventory(account_id="123456789012", regions=[region(busy)])
    )
    assert result.total_saving_usd == pytest.approx(
        sum(o.monthly_saving_usd for o in result.opportunities)
    )

"""Cost opportunities: idle provisioned concurrency in detail (a scan's opportunities, priced
from its cost rules' findings, are tested with the analysis: tests/advisor/test_analysis.py)."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import ProvisionedConcurrencyConfig
from advisor.decide import idle_provisioned_concurrency, load_prices, profile_from_function

from .factories import function, metrics_from_hourly

PRICES = load_prices("us-east-1")


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

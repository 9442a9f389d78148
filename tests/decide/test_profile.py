"""The workload profile from a scanned function's metrics."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import FunctionMetrics, ProvisionedConcurrencyConfig, Series
from advisor.decide import profile_from_function
from advisor.decide.profile import burstiness, hourly_totals

from .factories import function, hourly, metrics_from_hourly

FOURTEEN_DAYS = 14 * 24


def test_monthly_invocations_are_extrapolated_from_the_window():
    # given 14 days at 1,000 invocations an hour
    fn = function(metrics=metrics_from_hourly([1000.0] * FOURTEEN_DAYS, duration_ms=120))
    # when profiled
    profile = profile_from_function(fn, invocation_types={"sync"})
    # then a month is 730 hours of the same traffic, perfectly flat
    assert profile.monthly_requests == pytest.approx(730_000)
    assert profile.avg_duration_ms == 120
    assert profile.peak_to_mean == pytest.approx(1.0)
    assert profile.idle_hour_share == 0.0
    assert profile.window_hours == FOURTEEN_DAYS
    assert profile.invocation_types == frozenset({"sync"})
    assert profile.latency_requirement == "moderate"


def test_bursty_function_has_a_high_peak_to_mean_and_idle_hours():
    # given one busy hour a day (600 calls) and nothing otherwise
    day = [600.0] + [None] * 23
    fn = function(metrics=metrics_from_hourly(day * 14, duration_ms=300, max_ms=2_500))
    profile = profile_from_function(fn)
    assert profile.peak_to_mean == pytest.approx(24.0)
    assert profile.idle_hour_share == pytest.approx(23 / 24)
    assert profile.monthly_requests == pytest.approx(600 * 14 * 730 / FOURTEEN_DAYS)
    assert profile.max_duration_ms == 2_500
    assert profile.latency_requirement == "relaxed"  # invocation type unknown


def test_profile_keeps_configuration_and_provisioned_concurrency():
    fn = function(
        memory_mb=1769,
        arch="arm64",
        ephemeral_storage_mb=2048,
        provisioned_concurrency=[
            ProvisionedConcurrencyConfig(qualifier="live", requested=5, allocated=5),
            ProvisionedConcurrencyConfig(qualifier="beta", requested=2),
        ],
        metrics=metrics_from_hourly([10.0] * 24, provisioned_utilization=[0.2] * 23 + [0.4]),
    )
    profile = profile_from_function(fn)
    assert (profile.memory_mb, profile.arch, profile.ephemeral_mb) == (1769, "arm64", 2048)
    assert profile.provisioned_concurrency == 7
    assert profile.provisioned_utilization_peak == 0.4


def test_function_without_metrics_profiles_as_no_traffic_and_says_so():
    profile = profile_from_function(function(metrics=None))
    assert profile.monthly_requests == 0
    assert profile.gaps == ("no metrics",)


def test_average_duration_falls_back_to_the_invocation_weighted_series():
    metrics = FunctionMetrics(
        invocations=hourly([100.0, 300.0]),
        duration_avg=hourly([100.0, 500.0]),
        invocations_total=400.0,
        window_hours=2,
    )
    profile = profile_from_function(function(metrics=metrics))
    assert profile.avg_duration_ms == pytest.approx((100 * 100 + 300 * 500) / 400)


def test_five_minute_series_are_regrouped_into_hours():
    series = Series(start=0, period=300, values=[1.0] * 12 + [None] * 12)
    assert hourly_totals(series) == [12.0, 0.0]


def test_window_longer_than_the_series_counts_missing_hours_as_idle():
    assert burstiness([10.0, 10.0], window_hours=4) == (2.0, 0.5)
    assert burstiness([], window_hours=0) == (1.0, 1.0)


def test_unknown_invocation_type_is_refused():
    with pytest.raises(ValueError, match="carrier-pigeon"):
        profile_from_function(function(), invocation_types={"carrier-pigeon"})


def test_mean_and_busy_concurrency_follow_littles_law():
    fn = function(metrics=metrics_from_hourly([3600.0, 7200.0], duration_ms=500))
    profile = profile_from_function(fn)
    # 5,400 calls an hour on average = 1.5 per second x 0.5 s = 0.75 in flight
    assert profile.mean_concurrency == pytest.approx(0.75)
    assert profile.busy_concurrency == pytest.approx(0.75 * 7200 / 5400)

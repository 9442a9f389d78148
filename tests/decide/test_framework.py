"""The decision framework: verdict, reasons with figures, crossover, costs, JSON, curve."""

from __future__ import annotations

import json
import math

import pytest

from advisor.decide import (
    WorkloadProfile,
    cost_curve,
    crossover,
    load_prices,
    profile_from_function,
    provisioned_concurrency_monthly_cost,
    recommend,
    recommendation_json,
)

from .factories import function, metrics_from_hourly

PRICES = load_prices("us-east-1")


def profile(**overrides) -> WorkloadProfile:
    base = dict(
        monthly_requests=1_000_000,
        avg_duration_ms=200,
        memory_mb=512,
        peak_to_mean=1.3,
        idle_hour_share=0.0,
        invocation_types=frozenset({"sync"}),
    )
    return WorkloadProfile(**(base | overrides))


def test_bursty_low_traffic_stays_on_lambda():
    # given 200 k calls a month, a busy hour 10x the mean and 60% idle hours
    rec = recommend(profile(monthly_requests=200_000, peak_to_mean=10, idle_hour_share=0.6), PRICES)
    # then Lambda, because it bills nothing while idle and the fleet would cost far more
    assert rec.verdict == "lambda"
    assert rec.monthly_cost_usd["lambda_x86_64"] == 0.37
    assert rec.monthly_cost_usd["fargate"] > 10 * rec.monthly_cost_usd["lambda_x86_64"]
    assert any("bursty" in r and "10.0x" in r and "60%" in r for r in rec.reasons)
    assert rec.crossover_monthly_requests is None


def test_steady_high_volume_moves_to_containers_with_the_crossover_below_the_volume():
    # given 100 M steady calls a month
    rec = recommend(profile(monthly_requests=100_000_000), PRICES)
    # then containers, and the crossover is below the current volume
    assert rec.verdict == "containers"
    assert rec.crossover_monthly_requests is not None
    assert rec.crossover_monthly_requests < 100_000_000
    assert rec.monthly_cost_usd["lambda_x86_64"] == 186.67  # the worked example
    assert rec.monthly_cost_usd["fargate"] < rec.monthly_cost_usd["lambda_x86_64"]
    assert any("$187" in r and "Fargate" in r for r in rec.reasons)
    assert any("steady" in r for r in rec.reasons)


def test_crossover_is_where_an_alternative_first_gets_cheaper():
    p = profile(monthly_requests=1_000_000)
    volume, option = crossover(p, PRICES)
    assert volume is not None and option in ("fargate", "ec2")
    below = recommend(p.at_volume(volume * 0.99), PRICES)
    above = recommend(p.at_volume(volume * 1.01), PRICES)
    cost_below = below.monthly_cost_usd
    cost_above = above.monthly_cost_usd
    assert cost_below[option] >= cost_below["lambda_x86_64"]
    assert cost_above[option] < cost_above["lambda_x86_64"]


def test_twenty_minute_job_is_not_lambda_and_says_why():
    rec = recommend(
        profile(monthly_requests=3_000, avg_duration_ms=600_000, max_duration_ms=1_200_000),
        PRICES,
    )
    assert rec.verdict in ("containers", "ec2")
    assert rec.lambda_ruled_out is not None
    assert any("20.0 min" in r and "15.0 min" in r for r in rec.reasons)
    assert rec.monthly_cost_usd["lambda_x86_64"] is None
    assert rec.crossover_monthly_requests is None


def test_twenty_minute_job_with_a_low_ops_budget_goes_to_containers():
    rec = recommend(
        profile(
            monthly_requests=3_000,
            avg_duration_ms=600_000,
            max_duration_ms=1_200_000,
            ops_budget="low",
        ),
        PRICES,
    )
    assert rec.verdict == "containers"


def test_gpu_need_means_ec2_on_a_gpu_instance():
    rec = recommend(profile(gpu=True, memory_mb=4096), PRICES)
    assert rec.verdict == "ec2"
    assert rec.ec2 is not None and rec.ec2.instance.gpus >= 1
    assert rec.monthly_cost_usd["fargate"] is None
    assert any("GPU" in r and "g4dn.xlarge" in r for r in rec.reasons)


def test_small_saving_stays_on_lambda_under_the_operations_bar():
    # given a volume just past the crossover: cheaper elsewhere, but not by enough
    p = profile()
    volume, _ = crossover(p, PRICES)
    rec = recommend(p.at_volume(volume * 1.2), PRICES)
    assert rec.verdict == "lambda"
    assert any("bar" in r for r in rec.reasons)


def test_strict_latency_compares_lambda_kept_warm():
    # given a synchronous, bursty workload whose caller cannot wait for a cold start
    p = profile(
        monthly_requests=2_000_000,
        peak_to_mean=8,
        idle_hour_share=0.4,
        latency_requirement="strict",
    )
    rec = recommend(p, PRICES)
    # then Lambda is priced with provisioned concurrency for the busy hour, and says so
    warm = provisioned_concurrency_monthly_cost(
        concurrency=math.ceil(p.busy_concurrency),
        memory_mb=512,
        arch="x86_64",
        prices=PRICES,
        requests=2_000_000,
        duration_ms=200,
    )
    assert any(
        "provisioned concurrency" in r and f"${warm.total_usd:,.2f}" in r for r in rec.reasons
    )


def test_steady_strict_latency_past_the_crossover_moves_to_containers():
    rec = recommend(profile(monthly_requests=60_000_000, latency_requirement="strict"), PRICES)
    assert rec.verdict == "containers"


def test_arm64_saving_is_a_reason_for_x86_functions():
    rec = recommend(profile(), PRICES)
    assert any("arm64" in r for r in rec.reasons)
    assert rec.monthly_cost_usd["lambda_arm64"] < rec.monthly_cost_usd["lambda_x86_64"]


def test_recommendation_json_has_exactly_the_scan_shape():
    rec = recommend(profile(monthly_requests=100_000_000), PRICES)
    data = recommendation_json(rec)
    assert set(data) == {"verdict", "reasons", "monthly_cost_usd", "crossover_monthly_requests"}
    assert set(data["monthly_cost_usd"]) == {"lambda_x86_64", "lambda_arm64", "fargate", "ec2"}
    assert data["verdict"] in ("lambda", "containers", "ec2")
    assert all(isinstance(r, str) and r for r in data["reasons"])
    assert isinstance(data["crossover_monthly_requests"], int)
    json.dumps(data)  # serialisable as is


def test_recommendation_from_a_scanned_function():
    # given a function with 14 days of steady traffic, 40 calls a second at 250 ms
    fn = function(metrics=metrics_from_hourly([144_000.0] * 336, duration_ms=250))
    rec = recommend(profile_from_function(fn, invocation_types={"sync"}), PRICES)
    assert rec.profile.monthly_requests == pytest.approx(105_120_000)
    assert rec.verdict == "containers"


def test_function_without_metrics_says_figures_assume_no_traffic():
    rec = recommend(profile_from_function(function()), PRICES)
    assert rec.verdict == "lambda"
    assert rec.reasons[0].startswith("No metrics")
    assert rec.monthly_cost_usd["lambda_x86_64"] == 0.0


def test_cost_curve_has_every_option_at_every_volume_with_the_marks():
    p = profile(monthly_requests=5_000_000)
    curve = cost_curve(p, PRICES)
    assert set(curve.series) == {"lambda_x86_64", "lambda_arm64", "fargate", "ec2"}
    assert all(len(v) == len(curve.volumes) for v in curve.series.values())
    assert curve.volumes == sorted(curve.volumes)
    assert 5_000_000 in curve.volumes
    assert curve.crossover_monthly_requests in curve.volumes
    lam = curve.series["lambda_x86_64"]
    assert lam == sorted(lam)  # more requests never lower the bill


def test_cost_curve_at_given_volumes():
    curve = cost_curve(profile(), PRICES, volumes=[100_000, 10_000_000, 100_000_000])
    assert curve.series["lambda_x86_64"] == [0.19, 18.67, 186.67]


def test_reasons_never_name_fargate_cheapest_when_the_table_shows_ec2_cheaper():
    """Whenever EC2 costs less than Fargate but the verdict is not EC2, a reason says why."""
    from advisor.decide import PlannerInput, load_prices, recommend

    prices = load_prices("us-east-1")
    passed_over = 0
    for requests in (1e6, 3e7, 3e8, 3e9):
        for duration in (50, 400, 3000):
            for memory in (512, 2048):
                for budget in ("low", "medium", "high"):
                    planned = PlannerInput(
                        monthly_requests=requests,
                        avg_duration_ms=duration,
                        memory_mb=memory,
                        ops_budget=budget,
                    )
                    rec = recommend(planned.to_profile(), prices)
                    costs = rec.monthly_cost_usd
                    text = " ".join(rec.reasons)
                    assert "cheapest always-on" not in text
                    if (
                        costs["ec2"] is not None
                        and costs["ec2"] < costs["fargate"]
                        and rec.verdict != "ec2"
                    ):
                        weighed_fargate = any(
                            "weighed against" in r and "Fargate" in r for r in rec.reasons
                        )
                        if weighed_fargate or rec.verdict == "containers":
                            passed_over += 1
                            assert "cheaper still" in text, rec.reasons
                            assert f"{budget} operations budget" in text
    assert passed_over > 0  # the grid does reach the case

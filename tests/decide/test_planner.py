"""The planner's input: validation next to each field, profile, shareable parameters."""

from __future__ import annotations

import pytest

from advisor.decide import PlannerInput, load_prices, parse_planner_params, recommend

VALID = {
    "monthly_requests": "5,000,000",
    "avg_duration_ms": "800",
    "memory_mb": "512",
    "traffic_pattern": "steady",
    "latency_requirement": "moderate",
    "region": "us-east-1",
}


def test_valid_params_parse_into_an_input():
    planner, errors = parse_planner_params(VALID)
    assert errors == {}
    assert planner == PlannerInput(monthly_requests=5_000_000, avg_duration_ms=800, memory_mb=512)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("monthly_requests", "-1", "cannot be negative"),
        ("monthly_requests", "lots", "not a number"),
        ("monthly_requests", "nan", "not a number"),
        ("monthly_requests", "", "Required"),
        ("avg_duration_ms", "0", "more than 0 ms"),
        ("memory_mb", "64", "between 128 and 10,240 MB"),
        ("memory_mb", "10241", "between 128 and 10,240 MB"),
        ("memory_mb", "512.5", "whole number"),
        ("traffic_pattern", "chaotic", "steady"),
        ("latency_requirement", "instant", "strict"),
        ("region", "xx-nowhere-1", "No prices for xx-nowhere-1"),
        ("arch", "sparc", "arm64"),
        ("ops_budget", "infinite", "medium"),
        ("invocation_type", "telepathy", "async"),
        ("longest_run_s", "0.1", "shorter than the average"),
        ("front_door", "drawbridge", "apigw-rest"),
        ("keep_api_gateway", "1", "needs an API Gateway front door"),
    ],
)
def test_invalid_field_is_explained_next_to_it(field, value, message):
    planner, errors = parse_planner_params(VALID | {field: value})
    assert planner is None
    assert list(errors) == [field]
    assert message in errors[field]


def test_several_errors_are_reported_together():
    _, errors = parse_planner_params(VALID | {"monthly_requests": "-5", "memory_mb": "99999"})
    assert set(errors) == {"monthly_requests", "memory_mb"}


def test_a_run_over_fifteen_minutes_is_not_an_error_but_rules_lambda_out():
    planner, errors = parse_planner_params(
        VALID | {"monthly_requests": "3000", "avg_duration_ms": "600000", "longest_run_s": "1200"}
    )
    assert errors == {}
    rec = recommend(planner.to_profile(), load_prices(planner.region))
    assert rec.verdict != "lambda"
    assert any("15.0 min limit" in r for r in rec.reasons)


def test_validate_on_the_dataclass_itself():
    bad = PlannerInput(monthly_requests=-1, avg_duration_ms=100, memory_mb=100)
    assert set(bad.validate()) == {"monthly_requests", "memory_mb"}
    with pytest.raises(ValueError, match="invalid planner input"):
        bad.to_profile()


def test_traffic_pattern_becomes_the_profiles_burstiness():
    steady = PlannerInput(monthly_requests=1e6, avg_duration_ms=100, memory_mb=256)
    bursty = PlannerInput(
        monthly_requests=1e6, avg_duration_ms=100, memory_mb=256, traffic_pattern="bursty"
    )
    assert steady.to_profile().peak_to_mean == 1.5
    assert bursty.to_profile().peak_to_mean == 12.0
    assert bursty.to_profile().idle_hour_share == 0.6


def test_params_round_trip_for_a_shareable_url():
    planner = PlannerInput(
        monthly_requests=12_500_000,
        avg_duration_ms=150.5,
        memory_mb=1024,
        traffic_pattern="business-hours",
        longest_run_s=30,
        latency_requirement="strict",
        gpu=True,
        arch="arm64",
        ops_budget="high",
        invocation_type="queue",
        cpu_bound=True,
        front_door="apigw-http",
        keep_api_gateway=True,
    )
    again, errors = parse_planner_params(planner.to_params())
    assert errors == {}
    assert again == planner


def test_planned_gpu_workload_goes_to_ec2():
    planner, _ = parse_planner_params(VALID | {"gpu": "on"})
    assert recommend(planner.to_profile(), load_prices()).verdict == "ec2"


def test_cpu_bound_workload_needs_more_container_capacity():
    io, _ = parse_planner_params(VALID | {"monthly_requests": "500000000"})
    cpu, _ = parse_planner_params(VALID | {"monthly_requests": "500000000", "cpu_bound": "1"})
    prices = load_prices()
    io_rec, cpu_rec = recommend(io.to_profile(), prices), recommend(cpu.to_profile(), prices)
    assert cpu_rec.fargate.tasks > io_rec.fargate.tasks


def test_the_front_door_reaches_the_profile_and_is_none_unless_asked():
    planner, _ = parse_planner_params(VALID)
    assert planner.to_profile().front_door == "none"  # the worked examples price Lambda alone
    planner, errors = parse_planner_params(
        VALID | {"front_door": "apigw-rest", "keep_api_gateway": "on"}
    )
    assert errors == {}
    profile = planner.to_profile()
    assert profile.front_door == "apigw-rest" and profile.keep_api_gateway

"""The front door: API Gateway in front of Lambda against a load balancer in front of
containers or EC2 (or API Gateway kept in front of all), in both sides of every comparison."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.collect.inventory import ApiIntegration, FunctionUrl, PushSource
from advisor.collect.relations import Callers
from advisor.decide import WorkloadProfile, crossover, load_prices, recommend
from advisor.decide.compare import front_doors
from advisor.decide.cost import api_gateway_monthly_cost, load_balancer_monthly_cost
from advisor.decide.profile import front_door_of, profile_from_function

from .factories import function, metrics_from_hourly

PRICES = load_prices("us-east-1")
ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"


def profile(**overrides) -> WorkloadProfile:
    base = dict(
        monthly_requests=100_000_000,
        avg_duration_ms=200,
        memory_mb=512,
        peak_to_mean=1.3,
        invocation_types=frozenset({"sync"}),
    )
    return WorkloadProfile(**(base | overrides))


def test_rest_requests_run_through_their_tiers_and_http_apis_through_theirs():
    assert api_gateway_monthly_cost(
        requests=100e6, api="rest", prices=PRICES
    ).total_usd == pytest.approx(350.0)
    # 333 M at $3.50 and 167 M at $2.80
    assert api_gateway_monthly_cost(
        requests=500e6, api="rest", prices=PRICES
    ).total_usd == pytest.approx(333 * 3.5 + 167 * 2.8)
    # 300 M at $1.00 and 100 M at $0.90
    assert api_gateway_monthly_cost(
        requests=400e6, api="http", prices=PRICES
    ).total_usd == pytest.approx(390.0)


def test_a_load_balancer_bills_every_hour_and_one_lcu_per_25_new_connections_a_second():
    idle = load_balancer_monthly_cost(requests=0, prices=PRICES)
    assert idle.total_usd == pytest.approx(730 * 0.0225)  # $16.43 standing
    busy = load_balancer_monthly_cost(requests=100e6, prices=PRICES)
    assert busy.lcu_hours == pytest.approx(100e6 / (25 * 3600))
    assert round(busy.total_usd, 2) == 25.31  # $16.43 + 1,111 LCU-hours at $0.008


def test_api_gateway_in_front_of_lambda_is_weighed_against_a_load_balancer_for_servers():
    plain = recommend(profile(), PRICES)
    rest = recommend(profile(front_door="apigw-rest"), PRICES)
    # then Lambda carries the API's $350 and the always-on options an ALB's $25.31
    assert rest.monthly_cost_usd["lambda_x86_64"] == pytest.approx(186.67 + 350.0, abs=0.01)
    assert rest.monthly_cost_usd["fargate"] == pytest.approx(
        plain.monthly_cost_usd["fargate"] + 25.31, abs=0.015
    )
    assert rest.monthly_cost_usd["ec2"] == pytest.approx(
        plain.monthly_cost_usd["ec2"] + 25.31, abs=0.015
    )
    door = next(r for r in rest.reasons if r.startswith("Front door"))
    assert "API Gateway REST API" in door and "$350" in door
    assert "Application Load Balancer" in door and "$25.31" in door
    assert any("behind the API Gateway REST API costs $537" in r for r in rest.reasons)


def test_keeping_api_gateway_in_front_of_every_option_charges_it_on_both_sides():
    kept = recommend(profile(front_door="apigw-http", keep_api_gateway=True), PRICES)
    plain = recommend(profile(), PRICES)
    for option in ("lambda_x86_64", "lambda_arm64", "fargate", "ec2"):
        assert kept.monthly_cost_usd[option] == pytest.approx(
            plain.monthly_cost_usd[option] + 100.0, abs=0.01
        )
    assert any("stays in front of Lambda, containers and EC2" in r for r in kept.reasons)


def test_the_front_door_moves_the_crossover_both_ways():
    base = profile(monthly_requests=1_000_000)
    none, _ = crossover(base, PRICES)
    rest, _ = crossover(dataclasses.replace(base, front_door="apigw-rest"), PRICES)
    url, _ = crossover(dataclasses.replace(base, front_door="function-url"), PRICES)
    assert none is not None and rest is not None and url is not None
    # API Gateway makes every Lambda request dearer: servers win sooner; a free function URL
    # against a load balancer's standing charge: later
    assert rest < none < url
    # and at the crossover the totals, front doors included, meet
    at = dataclasses.replace(base, front_door="apigw-rest")
    below = recommend(at.at_volume(rest * 0.99), PRICES).monthly_cost_usd
    above = recommend(at.at_volume(rest * 1.01), PRICES).monthly_cost_usd
    assert min(below["fargate"], below["ec2"]) >= below["lambda_x86_64"]
    assert min(above["fargate"], above["ec2"]) < above["lambda_x86_64"]


def test_a_load_balancer_in_front_of_lambda_stays_in_front_of_servers():
    doors = front_doors(profile(front_door="alb"), PRICES)
    assert doors.lambda_ == doors.servers
    assert doors.lambda_.monthly_usd == pytest.approx(25.31, abs=0.01)


def test_a_region_without_front_door_prices_leaves_it_out_of_both_sides_and_says_so():
    bare = dataclasses.replace(PRICES, load_balancer=None)
    rec = recommend(profile(front_door="apigw-rest"), bare)
    plain = recommend(profile(), bare)
    assert rec.monthly_cost_usd == plain.monthly_cost_usd
    assert any("has no Application Load Balancer figures" in r for r in rec.reasons)


@pytest.mark.parametrize(
    ("callers", "door"),
    [
        (Callers(), "none"),
        (
            Callers(function_url=FunctionUrl(url="https://x.lambda-url", auth_type="NONE")),
            "function-url",
        ),
        (
            Callers(
                push_sources=(PushSource(ARN, "elasticloadbalancing.amazonaws.com", None, "sync"),)
            ),
            "alb",
        ),
        (
            Callers(
                api_integrations=(ApiIntegration(ARN, "a1", "orders", "http", "GET /", 30000),)
            ),
            "apigw-http",
        ),
        (
            Callers(
                api_integrations=(
                    ApiIntegration(ARN, "a1", "orders", "http", "GET /", 30000),
                    ApiIntegration(ARN, "a2", "legacy", "rest", "GET /", 29000),
                ),
                function_url=FunctionUrl(url="https://x.lambda-url", auth_type="AWS_IAM"),
            ),
            "apigw-rest",
        ),
    ],
)
def test_a_scanned_function_s_front_door_comes_from_its_triggers(callers, door):
    assert front_door_of(callers) == door


def test_a_scanned_function_with_a_queue_too_is_told_every_invocation_goes_through_the_door():
    fn = function(metrics=metrics_from_hourly([40_000.0] * 336))
    callers = Callers(
        api_integrations=(ApiIntegration(ARN, "a1", "orders", "rest", "GET /", 29000),),
        push_sources=(PushSource(ARN, "sns.amazonaws.com", None, "async"),),
    )
    p = profile_from_function(fn, callers=callers)
    assert p.front_door == "apigw-rest" and p.invocation_types == {"sync", "async"}
    rec = recommend(p, PRICES)
    assert any("every invocation is priced through the front door" in r for r in rec.reasons)

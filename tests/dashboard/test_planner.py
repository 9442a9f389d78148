"""The planner page: inputs in the URL, errors next to their fields, the verdict and chart."""

import re

import pytest

BASE = "monthly_requests=5000000&avg_duration_ms=200&memory_mb=512"


def field_error(body: str, name: str) -> str | None:
    match = re.search(rf'data-error-for="{name}">([^<]+)<', body)
    return match.group(1) if match else None


def test_empty_form_shows_no_errors(client, world):
    client.force_login(world["alice"])
    body = client.get("/planner/").content.decode()
    assert "data-error-for" not in body and "Verdict" not in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "monthly_requests=-5&avg_duration_ms=200&memory_mb=512",
            "monthly_requests",
            "Requests per month cannot be negative.",
        ),
        (
            "monthly_requests=1000&avg_duration_ms=200&memory_mb=64",
            "memory_mb",
            "Memory must be between 128 and 10,240 MB",
        ),
        (
            "monthly_requests=1000&avg_duration_ms=200&memory_mb=20000",
            "memory_mb",
            "Memory must be between 128 and 10,240 MB",
        ),
        (
            "monthly_requests=lots&avg_duration_ms=200&memory_mb=512",
            "monthly_requests",
            "not a number",
        ),
        ("monthly_requests=1000&memory_mb=512", "avg_duration_ms", "Required."),
        (
            "monthly_requests=1000&avg_duration_ms=99999999999&memory_mb=512",
            "avg_duration_ms",
            "Average duration must be at most 86,400,000 ms",
        ),
        (
            "monthly_requests=1000&avg_duration_ms=200&memory_mb=512&longest_run_s=999999999",
            "longest_run_s",
            "The longest run must be at most 86,400 seconds",
        ),
        (
            "monthly_requests=1000&avg_duration_ms=200&memory_mb=512&init_duration_ms=20000",
            "init_duration_ms",
            "The INIT duration must be at most 10,000 ms",
        ),
        (
            "monthly_requests=1000&avg_duration_ms=200&memory_mb=512&cold_start_percent=3",
            "cold_start_percent",
            "Cold starts are priced with an INIT duration: give it too.",
        ),
        (
            "monthly_requests=1000&avg_duration_ms=200&memory_mb=512&keep_api_gateway=1",
            "keep_api_gateway",
            "Keeping API Gateway in front of every option needs an API Gateway front door",
        ),
    ],
)
def test_invalid_input_is_explained_next_to_the_field(client, world, query, field, message):
    client.force_login(world["alice"])
    body = client.get(f"/planner/?{query}").content.decode()
    assert message in (field_error(body, field) or "")
    assert f'id="p-{field}-error"' in body and 'aria-invalid="true"' in body
    assert "Verdict" not in body


def test_a_valid_workload_gets_a_verdict_costs_and_chart(client, world):
    client.force_login(world["alice"])
    body = client.get(f"/planner/?{BASE}").content.decode()
    assert "data-error-for" not in body
    assert 'data-verdict="lambda"' in body
    assert "ECS on Fargate" in body and "Lambda (arm64)" in body
    assert 'id="chart-cost"' in body and "vendor/plotly.min.js" in body
    assert 'value="5000000"' in body  # the inputs stay in the form, from the URL


def test_the_lambda_bill_is_split_into_compute_and_requests_as_aws_quotes_it(client, world):
    # AWS's worked example: 5 M requests of 800 ms at 512 MB cost $33.33 compute + $1.00
    # requests (without the free tier)
    client.force_login(world["alice"])
    body = client.get(
        "/planner/?monthly_requests=5000000&avg_duration_ms=800&memory_mb=512"
    ).content.decode()
    assert '<span data-part="compute">$33.33 compute</span>' in body
    assert '<span data-part="requests">$1.00 requests</span>' in body


def test_a_twenty_minute_job_is_not_lambda_and_says_why(client, world):
    client.force_login(world["alice"])
    body = client.get(
        "/planner/?monthly_requests=3000&avg_duration_ms=1200000&memory_mb=2048"
        "&longest_run_s=1200&traffic_pattern=bursty"
    ).content.decode()
    assert "data-error-for" not in body
    verdict = re.search(r'data-verdict="(\w+)"', body).group(1)
    assert verdict in ("containers", "ec2")
    assert "exceeds Lambda" in body and "15" in body
    assert "Lambda is ruled out" in body


def test_gpu_goes_to_ec2(client, world):
    client.force_login(world["alice"])
    body = client.get(f"/planner/?{BASE}&gpu=1").content.decode()
    assert 'data-verdict="ec2"' in body


def test_the_front_door_is_on_each_side_of_the_bill(client, world):
    # given 100 M requests behind a REST API: $350.00 of API Gateway on Lambda's side, an
    # Application Load Balancer ($16.43 a month plus LCUs: $25.31) on the servers' side
    client.force_login(world["alice"])
    body = client.get(
        "/planner/?monthly_requests=100000000&avg_duration_ms=200&memory_mb=512"
        "&front_door=apigw-rest"
    ).content.decode()
    assert "data-error-for" not in body
    assert '<span data-part="API Gateway REST API">$350.00 API Gateway REST API</span>' in body
    assert '<span data-part="Application Load Balancer">$25.31 Application Load Balancer' in body
    line = re.search(r"<p class=\"front-door\" data-front-door>(.*?)</p>", body, re.S).group(1)
    assert "API Gateway REST API" in line and "$350.00" in line
    assert "Application Load Balancer" in line and "$25.31" in line
    # the worked example without a front door says nothing of one
    plain = client.get("/planner/?" + BASE).content.decode()
    assert "data-front-door" not in plain
    # kept in front of every option, it is the same on both sides
    kept = client.get(
        "/planner/?monthly_requests=100000000&avg_duration_ms=200&memory_mb=512"
        "&front_door=apigw-rest&keep_api_gateway=1"
    ).content.decode()
    assert kept.count('<span data-part="API Gateway REST API">$350.00') == 4


def test_init_is_a_part_of_the_lambda_bill_when_given_and_a_note_when_not(client, world):
    client.force_login(world["alice"])
    # given 10 M requests, 1 s of INIT and AWS's 1% of cold starts: 50,000 GB-s, $0.83
    body = client.get(
        "/planner/?monthly_requests=10000000&avg_duration_ms=200&memory_mb=512"
        "&init_duration_ms=1000"
    ).content.decode()
    assert '<span data-part="INIT">$0.83 INIT</span>' in body
    notes = re.search(r"<ul class=\"notes\" data-notes>(.*?)</ul>", body, re.S).group(1)
    assert "1 August 2025" in notes and "1% of invocations start cold" in notes
    assert "prices as of 2026-11-25" in body
    # and without an INIT duration the card says INIT is not in the figures
    plain = client.get(f"/planner/?{BASE}").content.decode()
    assert 'data-part="INIT"' not in plain
    assert "give the INIT duration to include it" in plain

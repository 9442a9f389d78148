"""INIT, billed for every function configuration since 1 August 2025, in the Lambda cost where
cold starts are known or estimated and named where they are not; and the duration tiers, which
aggregate across the organisation under consolidated billing, named where they matter."""

from __future__ import annotations

import pytest

from advisor.decide import (
    WorkloadProfile,
    lambda_monthly_cost,
    load_prices,
    parse_planner_params,
    profile_from_function,
    recommend,
)

from .factories import function, metrics_from_hourly

PRICES = load_prices("us-east-1")


def profile(**overrides) -> WorkloadProfile:
    base = dict(
        monthly_requests=10_000_000,
        avg_duration_ms=200,
        memory_mb=512,
        peak_to_mean=1.3,
        invocation_types=frozenset({"sync"}),
    )
    return WorkloadProfile(**(base | overrides))


def test_init_is_billed_as_duration_through_the_same_tiers():
    # given 10 M requests, 1% cold, 1 s of INIT at 512 MB: 100,000 x 1 s x 0.5 GB = 50,000 GB-s
    cost = lambda_monthly_cost(
        requests=10e6,
        duration_ms=200,
        memory_mb=512,
        arch="x86_64",
        prices=PRICES,
        cold_starts=100_000,
        init_duration_ms=1000,
    )
    assert cost.init_gb_seconds == pytest.approx(50_000)
    assert cost.init_usd == pytest.approx(50_000 * 0.0000166667)
    # the worked example's compute and requests are unchanged; INIT comes on top
    assert round(cost.compute_usd, 2) == 16.67 and round(cost.requests_usd, 2) == 2.00
    assert cost.total_usd == pytest.approx(cost.compute_usd + cost.requests_usd + cost.init_usd)


def test_init_past_a_tier_boundary_is_priced_at_the_next_tier():
    # invocations fill the first tier exactly; every INIT GB-second is at the second tier's rate
    requests = 6e9 / (1.0 * 0.5)  # 1,000 ms at 512 MB = 0.5 GB-s each
    cost = lambda_monthly_cost(
        requests=requests,
        duration_ms=1000,
        memory_mb=512,
        arch="x86_64",
        prices=PRICES,
        cold_starts=1_000_000,
        init_duration_ms=2000,
    )
    assert cost.init_usd == pytest.approx(1_000_000 * 1.0 * 0.0000150000)


def test_a_planned_init_is_in_the_lambda_figures_and_the_notes_say_on_what_cold_starts():
    without = recommend(profile(), PRICES)
    with_init = recommend(
        profile(init_duration_ms=1000, cold_start_share=0.01, cold_start_share_assumed=True),
        PRICES,
    )
    added = with_init.monthly_cost_usd["lambda_x86_64"] - without.monthly_cost_usd["lambda_x86_64"]
    assert added == pytest.approx(0.83, abs=0.01)
    assert with_init.lambda_costs["x86_64"].init_usd == pytest.approx(0.8333, abs=1e-3)
    note = next(n for n in with_init.notes if n.startswith("INIT"))
    assert "1 August 2025" in note and "1% of invocations start cold" in note
    assert "assumed" in note and "$0.83" in note


def test_a_scanned_function_says_plainly_that_init_is_left_out_because_it_was_not_measured():
    fn = function(metrics=metrics_from_hourly([1_000.0] * 336))
    rec = recommend(profile_from_function(fn, invocation_types={"sync"}), PRICES)
    note = next(n for n in rec.notes if n.startswith("INIT"))
    assert "not in the Lambda figures" in note and "cold starts were not measured" in note
    assert rec.lambda_costs["x86_64"].init_usd == 0


def test_the_planner_without_an_init_duration_says_how_to_include_it():
    planner, _ = parse_planner_params(
        {"monthly_requests": "5000000", "avg_duration_ms": "800", "memory_mb": "512"}
    )
    rec = recommend(planner.to_profile(), PRICES)
    assert any("give the INIT duration to include it" in n for n in rec.notes)
    # and the worked example is untouched: $33.33 compute + $1.00 requests
    assert rec.monthly_cost_usd["lambda_x86_64"] == 34.33


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"init_duration_ms": "0"}, "init_duration_ms", "more than 0 ms"),
        ({"init_duration_ms": "20000"}, "init_duration_ms", "at most 10,000 ms"),
        ({"cold_start_percent": "5"}, "cold_start_percent", "give it too"),
        (
            {"init_duration_ms": "500", "cold_start_percent": "150"},
            "cold_start_percent",
            "between 0 and 100%",
        ),
    ],
)
def test_planner_init_inputs_are_checked_beside_their_fields(params, field, message):
    base = {"monthly_requests": "5000000", "avg_duration_ms": "800", "memory_mb": "512"}
    planner, errors = parse_planner_params(base | params)
    assert planner is None and list(errors) == [field] and message in errors[field]


def test_the_planner_uses_the_given_cold_start_share_or_aws_s_one_percent():
    base = {"monthly_requests": "5000000", "avg_duration_ms": "800", "memory_mb": "512"}
    given, _ = parse_planner_params(base | {"init_duration_ms": "600", "cold_start_percent": "4"})
    assumed, _ = parse_planner_params(base | {"init_duration_ms": "600"})
    assert given.to_profile().cold_start_share == pytest.approx(0.04)
    assert not given.to_profile().cold_start_share_assumed
    assert assumed.to_profile().cold_start_share == pytest.approx(0.01)
    assert assumed.to_profile().cold_start_share_assumed


def test_a_move_that_the_organisation_s_other_usage_would_undo_says_so():
    # given 31 M steady requests: Fargate wins by $21.83 on the first tier's rate, but at the
    # cheapest tier (an organisation already past 15 B GB-s) Lambda is $47.53, under the bar
    rec = recommend(profile(monthly_requests=31_000_000), PRICES)
    assert rec.verdict == "containers"
    note = next(n for n in rec.notes if "consolidated billing" in n)
    assert "across the organisation" in note and "15 B GB-seconds" in note
    assert "$47.53" in note and "stay on Lambda" in note
    # well past the bar, the tiers do not change the answer and nothing is said
    clear = recommend(profile(monthly_requests=100_000_000), PRICES)
    assert clear.verdict == "containers"
    assert not any("consolidated billing" in n for n in clear.notes)


def test_a_function_alone_past_the_first_tier_is_told_the_tiers_are_the_organisation_s():
    big = recommend(profile(monthly_requests=5e9, avg_duration_ms=2000, memory_mb=1024), PRICES)
    note = next(n for n in big.notes if "first duration tier" in n)
    assert "past" in note and "6 B GB-seconds" in note and "10 B" in note
    assert "consolidated billing" in note
    small = recommend(profile(), PRICES)
    assert not any("first duration tier" in n for n in small.notes)

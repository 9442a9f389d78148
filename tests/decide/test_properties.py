"""Properties of the decision over any valid workload."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.decide import (
    TRAFFIC_PATTERNS,
    PlannerInput,
    fargate_plan,
    load_prices,
    recommend,
    recommendation_json,
)
from advisor.decide.profile import LATENCY_REQUIREMENTS, OPS_BUDGETS

PRICES = load_prices("us-east-1")

planner_inputs = st.builds(
    PlannerInput,
    monthly_requests=st.floats(min_value=0, max_value=1e11),
    avg_duration_ms=st.floats(min_value=1, max_value=900_000),
    memory_mb=st.integers(min_value=128, max_value=10_240),
    traffic_pattern=st.sampled_from(sorted(TRAFFIC_PATTERNS)),
    latency_requirement=st.sampled_from(LATENCY_REQUIREMENTS),
    gpu=st.booleans(),
    arch=st.sampled_from(["x86_64", "arm64"]),
    ops_budget=st.sampled_from(OPS_BUDGETS),
    invocation_type=st.sampled_from(["sync", "async", "stream", "queue"]),
    cpu_bound=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(planner_inputs, st.floats(min_value=1, max_value=3))
def test_any_valid_workload_gets_a_verdict_with_reasons(planner, longer):
    planner = dataclasses.replace(planner, longest_run_s=planner.avg_duration_ms * longer / 1000)
    assert planner.validate() == {}
    rec = recommend(planner.to_profile(), PRICES)
    data = recommendation_json(rec)
    json.dumps(data)
    assert data["verdict"] in ("lambda", "containers", "ec2")
    assert data["reasons"] and all(isinstance(r, str) and r for r in data["reasons"])
    if planner.gpu:
        assert data["verdict"] == "ec2"
    elif planner.longest_run_s * 1000 > 900_000:
        assert data["verdict"] != "lambda"
    crossover = data["crossover_monthly_requests"]
    if crossover is not None:
        assert crossover > 0


@settings(max_examples=60, deadline=None)
@given(planner_inputs, st.floats(min_value=0, max_value=1e10))
def test_the_fleet_never_shrinks_as_traffic_grows(planner, extra):
    profile = planner.to_profile()
    more = profile.at_volume(profile.monthly_requests + extra)
    assert fargate_plan(more, PRICES).tasks >= fargate_plan(profile, PRICES).tasks

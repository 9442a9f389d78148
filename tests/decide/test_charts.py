"""The cost chart: one line per option, the crossover marked, the current volume drawn; as the
decision card (a function's page, the planner) draws it."""

from __future__ import annotations

import json
import math

from advisor.decide import WorkloadProfile, cost_curve, load_prices
from advisor.decide.charts import cost_chart
from advisor.views.decision import planned_card

PRICES = load_prices("us-east-1")


def steady(**overrides) -> WorkloadProfile:
    return WorkloadProfile(
        **(dict(monthly_requests=5_000_000, avg_duration_ms=200, memory_mb=512) | overrides)
    )


def test_chart_has_a_line_per_option_the_crossover_and_the_current_volume():
    curve = cost_curve(steady(), PRICES)
    chart = cost_chart(curve, title="orders")
    json.dumps(chart)  # plain JSON, ready for a template
    names = [t["name"] for t in chart["data"]]
    assert names == ["Lambda x86_64", "Lambda arm64", "Fargate", "EC2", "Crossover"]
    lam = chart["data"][0]
    assert lam["x"] == curve.volumes and lam["y"] == curve.series["lambda_x86_64"]
    crossover = chart["data"][-1]
    assert crossover["x"] == [curve.crossover_monthly_requests]
    layout = chart["layout"]
    assert layout["xaxis"]["type"] == "log"
    (line,) = layout["shapes"]
    assert line["x0"] == line["x1"] == 5_000_000  # shapes use data units on log axes
    now = next(a for a in layout["annotations"] if a["text"].startswith("Now"))
    assert now["x"] == math.log10(5_000_000)  # annotations use log10 units


def test_options_that_cannot_run_the_workload_are_left_out():
    chart = planned_card(
        steady(avg_duration_ms=600_000, max_duration_ms=1_200_000, monthly_requests=3_000),
        PRICES,
    )["chart"]
    names = [t["name"] for t in chart["data"]]
    assert names == ["Fargate", "EC2"]  # Lambda over 15 minutes; no crossover either


def test_no_current_volume_line_for_a_workload_without_traffic():
    chart = planned_card(steady(monthly_requests=0), PRICES)["chart"]
    assert not chart["layout"].get("shapes")


def test_the_plain_figure_is_one_plotly_accepts_property_for_property():
    """The app builds figures as plain dicts; plotly.py's validation (a dev dependency) is the
    judge that every property exists and holds an allowed value."""
    import plotly.graph_objects as go

    for profile in (
        steady(),
        steady(monthly_requests=0),
        steady(avg_duration_ms=600_000, max_duration_ms=1_200_000, monthly_requests=3_000),
    ):
        chart = cost_chart(cost_curve(profile, PRICES), title="orders")
        validated = go.Figure(chart).to_plotly_json()
        assert [t["name"] for t in validated["data"]] == [t["name"] for t in chart["data"]]
        assert validated["layout"]["title"] == {"text": "orders"}
        assert validated["layout"].get("shapes", []) == chart["layout"].get("shapes", [])

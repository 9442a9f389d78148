"""README "Lambda, containers or EC2" quotes AWS's worked examples in a table: every figure in
it is what the cost model and the planner (with its default, no front door) give, to the cent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor.decide import lambda_monthly_cost, load_prices, parse_planner_params, recommend

README = Path(__file__).resolve().parents[2] / "README.md"
PRICES = load_prices("us-east-1")
ROW = re.compile(
    r"^\| ([\d,]+) \| (\d+) ms \| \$([\d.]+) \| \$([\d.]+) \| \$([\d.]+) \|$", re.MULTILINE
)


def rows() -> list[tuple[int, int, float, float, float]]:
    section = README.read_text().split("## Lambda, containers or EC2", 1)[1].split("\n## ", 1)[0]
    found = [
        (int(r.replace(",", "")), int(d), float(c), float(q), float(t))
        for r, d, c, q, t in ROW.findall(section)
    ]
    assert len(found) == 4, "README's worked-example table is gone or changed shape"
    return found


@pytest.mark.parametrize(("requests", "duration_ms", "compute", "requests_usd", "total"), rows())
def test_readme_worked_examples_reproduce_to_the_cent(
    requests, duration_ms, compute, requests_usd, total
):
    cost = lambda_monthly_cost(
        requests=requests, duration_ms=duration_ms, memory_mb=512, arch="x86_64", prices=PRICES
    )
    assert round(cost.compute_usd + 1e-9, 2) == compute
    assert round(cost.requests_usd + 1e-9, 2) == requests_usd
    assert round(cost.total_usd + 1e-9, 2) == total
    # the planner, left at its defaults (no front door), quotes the same total
    planner, errors = parse_planner_params(
        {"monthly_requests": str(requests), "avg_duration_ms": str(duration_ms), "memory_mb": "512"}
    )
    assert errors == {}
    assert recommend(planner.to_profile(), PRICES).monthly_cost_usd["lambda_x86_64"] == total

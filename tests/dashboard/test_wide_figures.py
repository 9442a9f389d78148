"""Figures at the edge of the model's range stay short enough for their column: the planner's
decision card and the cost opportunities give them compactly, with the exact one as a title."""

import io
import re

from django.core.management import call_command
from django.urls import reverse

from tests.dashboard.builders import make_function

HUGE = "monthly_requests=1000000000000&avg_duration_ms=900000&memory_mb=10240&front_door=apigw-rest"
LONGEST = (
    "monthly_requests=1000000000000&avg_duration_ms=86400000&memory_mb=10240&longest_run_s=86400"
)
SHORT = 13  # "$120 B", "$1,234.56", "cannot run it": what a cost cell may hold


def num_cells(body: str) -> list[str]:
    return re.findall(r'<td class="num"[^>]*>([^<]*)</td>', body)


def test_the_largest_valid_workload_fits_the_cost_table(client, world):
    # given the largest volume, duration and memory the planner accepts
    client.force_login(world["alice"])
    body = client.get(f"/planner/?{HUGE}").content.decode()
    # then it is a valid input with a verdict
    assert "data-error-for" not in body and "data-verdict=" in body
    cells = num_cells(body)
    assert len(cells) == 4 and all(len(c) <= SHORT for c in cells), cells
    assert "$120 B" in cells  # Lambda on x86_64, API Gateway included
    assert 'title="$120,002,363,052.30"' in body  # the exact figure, for whoever needs it
    for part in re.findall(r'<span data-part="[^"]+">([^ ]+) ', body):
        assert len(part) <= SHORT, part  # "$1.53 M"; to the cent below a million
    # and the reasons give fleets and money compactly too, never a 9-digit count
    assert "265 M Fargate tasks" in body and "265498768" not in body
    card = re.search(r'<section class="card decision".*?</section>', body, re.S).group(0)
    shown = re.sub(r'title="[^"]*"|<script.*?</script>', "", card, flags=re.S)
    assert not re.search(r"\d{7,}", shown)


def test_a_day_long_run_at_the_largest_volume_fits_too(client, world):
    client.force_login(world["alice"])
    body = client.get(f"/planner/?{LONGEST}").content.decode()
    assert "data-error-for" not in body and "Lambda is ruled out" in body
    cells = num_cells(body)
    assert cells[:2] == ["cannot run it", "cannot run it"]
    assert all(len(c) <= SHORT for c in cells) and "$7.35 T" in cells
    assert "24.0 h" in body  # the longest run, in hours


def test_a_huge_saving_fits_the_opportunities_table(client, world):
    # given a function at an absurd scale: 10 M calls an hour of 10 minutes at 10 GB
    make_function(
        world["my_scan"], "enormous", per_hour=10_000_000, duration_ms=600_000, memory_mb=10240
    )
    # and its scan's analysis stored, as a scan's finish stores it
    call_command("analyse_scans", stdout=io.StringIO())
    client.force_login(world["alice"])
    url = reverse("advisor:cost-opportunities", args=[world["my_account"].pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "enormous" in fragment
    cells = num_cells(fragment)
    assert cells and all(len(c) <= SHORT for c in cells), cells
    total = re.search(r'<strong title="\$[\d,.]+">(\$[^<]+) a month</strong>', fragment)
    assert total is not None and len(total.group(1)) <= SHORT

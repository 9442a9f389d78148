"""The functions list: latest finished scan only, search, filters, sorting, pagination, and a
query count that does not grow with the number of functions."""

import re

import pytest

from advisor.models import Scan
from tests.dashboard.builders import make_finding, make_function, make_scan


def names(response) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="/functions/\d+/">([^<]+)</a>', response.content.decode()
    )


def test_lists_the_latest_finished_scan_only(client, world):
    # given an older scan and a newer, still running one
    old = make_scan(world["my_account"])
    Scan.objects.filter(pk=old.pk).update(created_at=world["my_scan"].created_at.replace(year=2020))
    make_function(old, "retired-fn")
    running = make_scan(world["my_account"], status=Scan.Status.RUNNING)
    make_function(running, "half-seen-fn")
    client.force_login(world["alice"])
    # when / then
    assert sorted(names(client.get("/functions/"))) == ["nightly-reports", "orders-api"]


def test_search_matches_name(client, world):
    client.force_login(world["alice"])
    assert names(client.get("/functions/?q=ORDERS")) == ["orders-api"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("runtime=nodejs20.x", ["nightly-reports"]),
        ("architecture=arm64", ["nightly-reports"]),
        ("architecture=x86_64", ["orders-api"]),
        ("region=us-east-1", ["nightly-reports", "orders-api"]),
        ("region=eu-west-1", []),
        ("has_findings=yes", ["orders-api"]),
        ("has_findings=no", ["nightly-reports"]),
    ],
)
def test_filters(client, world, query, expected):
    client.force_login(world["alice"])
    assert names(client.get(f"/functions/?{query}")) == expected


def test_account_filter(client, world):
    client.force_login(world["alice"])
    assert len(names(client.get(f"/functions/?account={world['my_account'].pk}"))) == 2
    assert names(client.get(f"/functions/?account={world['their_account'].pk}")) == []


def test_open_findings_column_skips_suppressed_and_resolved(client, world):
    make_finding(world["reports"], rule_id="log-retention-unset", status="resolved")
    client.force_login(world["alice"])
    body = client.get("/functions/?sort=findings&dir=desc").content.decode()
    assert names(client.get("/functions/?sort=findings&dir=desc")) == [
        "orders-api",
        "nightly-reports",
    ]
    assert ">2</a></td>" in body  # orders-api: two open findings


def test_sorting_by_memory_both_ways(client, world):
    make_function(world["my_scan"], "big-fn", memory_mb=3008)
    client.force_login(world["alice"])
    assert names(client.get("/functions/?sort=memory&dir=desc"))[0] == "big-fn"
    assert names(client.get("/functions/?sort=memory&dir=asc"))[-1] == "big-fn"


def test_an_unknown_sort_falls_back_to_name(client, world):
    client.force_login(world["alice"])
    response = client.get("/functions/?sort=drop+table&page=zzz")
    assert response.status_code == 200
    assert names(response) == ["nightly-reports", "orders-api"]


def test_pagination_is_fifty_a_page(client, world):
    for i in range(53):
        make_function(world["my_scan"], f"bulk-{i:03d}", with_metrics=False)
    client.force_login(world["alice"])
    first = client.get("/functions/?q=bulk-")
    assert len(names(first)) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/functions/?q=bulk-&page=2")
    assert names(second) == ["bulk-050", "bulk-051", "bulk-052"]
    assert "q=bulk-&amp;page=1" in second.content.decode()


@pytest.mark.parametrize("sort", ["name", "findings"])
@pytest.mark.parametrize("count", [3, 30])
def test_query_count_does_not_grow_with_functions(
    client, world, django_assert_max_num_queries, count, sort
):
    for i in range(count):
        record = make_function(world["my_scan"], f"q-{i}", with_metrics=False)
        make_finding(record)
    client.force_login(world["alice"])
    with django_assert_max_num_queries(10):
        response = client.get(f"/functions/?sort={sort}&dir=desc&has_findings=yes")
    assert response.status_code == 200
    assert len(names(response)) == min(count + 1, 50)  # nightly-reports has no findings


def test_each_row_shows_its_verdict(client, world):
    # given a function whose runs exceed Lambda's 15 minutes
    make_function(world["my_scan"], "batch-job", duration_ms=10 * 60 * 1000, timeout_s=900)
    client.force_login(world["alice"])
    body = client.get("/functions/").content.decode()
    verdicts = dict(
        re.findall(r'<a href="/functions/\d+/">([^<]+)</a>.*?data-verdict="(\w*)"', body, re.S)
    )
    assert verdicts["orders-api"] == "lambda"
    assert verdicts["batch-job"] in ("containers", "ec2")

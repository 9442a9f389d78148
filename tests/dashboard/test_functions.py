"""The functions list: latest finished scan only, search, filters, sorting, pagination, and a
query count that does not grow with the number of functions."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from advisor.models import Scan
from advisor.services.suppressions import suppression_create
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
    url = f"/functions/?sort={sort}&dir=desc&has_findings=yes"
    # The first request counts the account's open findings (stored before counts were) ...
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    assert len(names(response)) == min(count + 1, 50)  # nightly-reports has no findings
    # ... the next ones read what it stored.
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(names(response)) == min(count + 1, 50)


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


def counted(response) -> list[tuple[str, int]]:
    """(function, open findings) of each row, in the page's order."""
    rows = re.findall(
        r'<th scope="row"><a href="/functions/\d+/">([^<]+)</a>.*?'
        r'<td class="num">(?:<a href="[^"]*">)?(\d+)(?:</a>)?</td>\s*<td data-verdict',
        response.content.decode(),
        re.S,
    )
    return [(name, int(n)) for name, n in rows]


def test_a_suppression_and_its_expiry_change_the_findings_sort_and_count(
    client, world, monkeypatch
):
    # given nightly-reports with one open finding, orders-api with two
    make_finding(world["reports"], rule_id="log-retention-unset")
    client.force_login(world["alice"])
    url = "/functions/?sort=findings&dir=desc"
    assert counted(client.get(url)) == [("orders-api", 2), ("nightly-reports", 1)]
    # when both of orders-api's findings are suppressed for an hour
    now = timezone.now()
    for finding in (world["my_finding"], world["my_high"]):
        suppression_create(
            account=world["my_account"],
            rule_id=finding.rule_id,
            resource_pattern=world["orders"].arn,
            reason="Accepted until the migration",
            expires_at=now + dt.timedelta(hours=1),
        )
    # then it counts no findings and sorts last, and "has findings" leaves it out
    assert counted(client.get(url)) == [("nightly-reports", 1), ("orders-api", 0)]
    assert names(client.get("/functions/?has_findings=yes")) == ["nightly-reports"]
    assert names(client.get("/functions/?has_findings=no")) == ["orders-api"]
    # and once the suppression has expired, both count again
    later = now + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert counted(client.get(url)) == [("orders-api", 2), ("nightly-reports", 1)]
    assert counted(client.get("/functions/?sort=findings")) == [
        ("nightly-reports", 1),
        ("orders-api", 2),
    ]
    # each row's count is what the function's own page lists
    assert "Open findings (2)" in client.get(f"/functions/{world['orders'].pk}/").content.decode()


def test_a_newer_scan_is_not_shown_the_counts_of_the_one_before(client, world):
    client.force_login(world["alice"])
    assert counted(client.get("/functions/?sort=findings&dir=desc"))[0] == ("orders-api", 2)
    # given a newer scan whose findings were recorded after the counts were stored
    newer = make_scan(world["my_account"])
    orders = make_function(newer, "orders-api")
    make_function(newer, "nightly-reports", runtime="nodejs20.x", arch="arm64")
    for rule_id in ("memory-starved", "timeouts-observed"):
        make_finding(orders, rule_id=rule_id)
    # then the list counts them: the two findings before and the two new ones
    assert counted(client.get("/functions/?sort=findings&dir=desc")) == [
        ("orders-api", 4),
        ("nightly-reports", 0),
    ]
    assert names(client.get("/functions/?has_findings=yes")) == ["orders-api"]
    assert "Open findings (4)" in client.get(f"/functions/{orders.pk}/").content.decode()

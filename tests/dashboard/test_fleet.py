"""The fleet overview: one workspace's accounts side by side, its worst accounts and functions,
totals and their trend per scan day, cost opportunities and a search across every account."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from advisor.models import (
    SEVERITY_ORDER,
    AccountFindingSummary,
    Finding,
    FunctionFindingSummary,
    Scan,
    Suppression,
)
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create
from advisor.services.suppressions import suppression_create, suppression_delete
from tests.dashboard.builders import analyse, make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

URL = "/fleet/"


def _fleet(client, user, **query):
    client.force_login(user)
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def _table(body: str, name: str) -> str:
    return re.search(rf'<table class="data" data-fleet="{name}">(.+?)</table>', body, re.S).group(1)


def _row(table: str, account_pk: int) -> list[str]:
    row = re.search(rf'<tr data-account="{account_pk}">(.+?)</tr>', table, re.S).group(1)
    return _cells(row)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_the_nav_links_to_the_fleet(client, world):
    body = _fleet(client, world["alice"])
    assert f'<a href="{URL}" aria-current="page">Fleet</a>' in body
    assert "<h1>Fleet</h1>" in body


def test_each_account_is_a_row_of_open_findings_by_severity_and_pillar(client, world):
    # given a second account in Alice's workspace with one critical security finding
    dev = make_account(world["my_account"].workspace, name="acme-dev")
    fn = make_function(make_scan(dev), "dev-fn", with_metrics=False)
    make_finding(fn, rule_id="function-url-public", severity="critical", pillar="security")
    # and a resolved finding, which is not open
    make_finding(fn, rule_id="tracing-disabled", severity="low", status="resolved")
    Scan.objects.filter(pk=world["my_scan"].pk).update(function_count=2)
    # when Alice opens the fleet
    matrix = _table(_fleet(client, world["alice"]), "matrix")
    # then the columns are critical, high, medium, low, info, then the pillars, then functions
    assert re.findall(r'<th scope="col" class="num">(\w+)</th>', matrix)[:6] == [
        "Critical",
        "High",
        "Medium",
        "Low",
        "Info",
        "Reliability",
    ]
    prod = _row(matrix, world["my_account"].pk)
    assert prod[:5] == ["0", "1", "0", "1", "0"]  # one high, one low
    assert _row(matrix, dev.pk)[:5] == ["1", "0", "0", "0", "0"]
    pillars = re.findall(r'<th scope="col" class="num">(\w+)</th>', matrix)[5:]
    dev_pillars = dict(zip(pillars, _row(matrix, dev.pk)[5:], strict=False))
    assert dev_pillars["Security"] == "1" and dev_pillars["Reliability"] == "0"
    assert _row(matrix, world["my_account"].pk)[-2] == "2"  # functions of the latest scan
    # and the count links to those findings
    assert f"?account={dev.pk}&amp;severity=critical" in matrix


def test_worst_accounts_rank_critical_before_high_before_count(client, world):
    workspace = world["my_account"].workspace
    many_low = make_account(workspace, name="many-low")
    scan = make_scan(many_low)
    for i in range(5):
        make_finding(make_function(scan, f"low-{i}", with_metrics=False), severity="low")
    one_critical = make_account(workspace, name="one-critical")
    make_finding(
        make_function(make_scan(one_critical), "crit", with_metrics=False), severity="critical"
    )
    make_account(workspace, name="clean")  # no findings: never among the worst
    table = _table(_fleet(client, world["alice"]), "worst-accounts")
    names = re.findall(r'<th scope="row"><a [^>]+>([\w-]+)</a>', table)
    assert names == ["one-critical", "acme-prod", "many-low"]


def test_worst_functions_count_every_finding_that_concerns_them(client, world):
    # given a queue finding filed under the queue but concerning nightly-reports
    make_finding(
        world["reports"],
        rule_id="sqs-visibility-timeout-short",
        severity="high",
        pillar="reliability",
        resource_arn="arn:aws:sqs:us-east-1:111:jobs",
    )
    make_finding(world["reports"], rule_id="log-retention-unset", severity="high")
    table = _table(_fleet(client, world["alice"]), "worst-functions")
    rows = re.findall(r"<tr><th scope=\"row\">(.+?)</tr>", table, re.S)
    # then nightly-reports (two high) comes before orders-api (one high, one low)
    assert "nightly-reports" in rows[0] and "orders-api" in rows[1]
    assert f'href="/functions/{world["reports"].pk}/"' in rows[0]
    assert _cells(rows[0]) == ["acme-prod", "0", "2", "0", "0", "0", "2"]


def test_totals_add_up_the_fleet(client, world):
    dev = make_account(world["my_account"].workspace, name="acme-dev")
    scan = make_scan(dev, function_count=3)
    make_finding(make_function(scan, "a", with_metrics=False), severity="critical")
    make_account(world["my_account"].workspace, name="never")
    world["my_scan"].function_count = 2
    world["my_scan"].save()
    body = _fleet(client, world["alice"])
    assert "3 accounts · 5 functions · 3 open findings" in body
    health = re.search(r'data-fleet="health">(.+?)</p>', body).group(1)
    assert "1 never scanned" in health
    assert '<li class="sev-critical"><strong>1</strong> critical</li>' in body


def test_the_trend_is_the_fleet_per_scan_day_carrying_unscanned_accounts(client, world):
    now = timezone.now()
    prod, workspace = world["my_account"], world["my_account"].workspace
    dev = make_account(workspace, name="acme-dev")
    # given prod scanned two days ago (10 findings) and today (the world's scan, 0 findings);
    # dev scanned only yesterday (4 findings) and then a failed scan today
    for account, days_ago, findings, functions in ((prod, 2, 10, 20), (dev, 1, 4, 5)):
        when = now - dt.timedelta(days=days_ago)
        scan = make_scan(account, finding_count=findings, function_count=functions)
        Scan.objects.filter(pk=scan.pk).update(created_at=when, finished_at=when)
    Scan.objects.filter(pk=world["my_scan"].pk).update(finding_count=3, function_count=2)
    make_scan(dev, status=Scan.Status.FAILED)
    # and a scan of another workspace today
    make_scan(world["their_account"], finding_count=100)
    body = _fleet(client, world["alice"])
    trend = _table(body, "trend")
    days = re.findall(r"<tr><th scope=\"row\">([\d-]+)</th>(.+?)</tr>", trend)
    figures = [_cells(cells) for _, cells in days]
    # newest first: scanned that day, accounts counted, functions, findings
    assert [d for d, _ in days] == [
        (now - dt.timedelta(days=n)).astimezone(dt.UTC).date().isoformat() for n in (0, 1, 2)
    ]
    assert figures == [["1", "2", "7", "7"], ["1", "2", "25", "14"], ["1", "1", "20", "10"]]
    chart = r'<script id="chart-fleet-trend" type="application/json">(.+?)</script>'
    figure = json.loads(re.search(chart, body, re.S).group(1))
    assert figure["data"][0]["y"] == [10, 14, 7]


def test_cost_opportunities_are_added_up_across_accounts(client, world):
    dev = make_account(world["my_account"].workspace, name="acme-dev")
    dev_scan = make_scan(dev)
    make_function(dev_scan, "dev-busy", per_hour=400_000, duration_ms=800, memory_mb=2048)
    make_function(world["my_scan"], "prod-busy", per_hour=200_000, duration_ms=800, memory_mb=2048)
    prod_saving = analyse(world["my_scan"]).cost_opportunities["total_saving"]
    dev_saving = analyse(dev_scan).cost_opportunities["total_saving"]
    assert prod_saving > 0 and dev_saving > 0
    body = _fleet(client, world["alice"])
    saving = re.search(r'data-fleet="saving"><strong title="\$([\d,.]+)"', body).group(1)
    assert float(saving.replace(",", "")) == pytest.approx(prod_saving + dev_saving, abs=0.01)
    section = body[body.index('id="fleet-opps-h"') :]
    # the largest first, each with its account
    assert section.index("dev-busy") < section.index("prod-busy")
    assert "acme-dev" in section and "Move to arm64" in section


def test_search_finds_findings_and_functions_across_accounts_paginated(client, world):
    dev = make_account(world["my_account"].workspace, name="acme-dev")
    scan = make_scan(dev)
    for i in range(30):
        make_finding(make_function(scan, f"billing-{i:02d}", with_metrics=False))
    make_finding(world["orders"], rule_id="billing-alarm", severity="critical")
    # when Alice searches the findings
    body = _fleet(client, world["alice"], q="billing")
    assert "31 open findings match “billing”" in body
    assert "Page 1 of 2" in body and "q=billing&amp;page=2" in body
    section = body[body.index('id="fleet-search-h"') : body.index('id="fleet-matrix-h"')]
    assert section.index("billing-alarm") < section.index("billing-00")  # critical first
    page2 = _fleet(client, world["alice"], q="billing", page=2)
    assert "Page 2 of 2" in page2
    # and the functions
    body = _fleet(client, world["alice"], q="billing", kind="functions")
    assert "30 functions match “billing”" in body
    assert "billing-00" in body and "orders-api" not in body.split('id="fleet-matrix-h"')[0]


def test_another_workspace_is_never_shown(client, world):
    # the world gives Bob's workspace a finding on their-secret-fn; Alice's fleet has none of it
    body = _fleet(client, world["alice"], q="secret")
    assert "their-secret-fn" not in body and "other-prod" not in body
    assert "0 open findings match" in body
    body = _fleet(client, world["alice"], q="their", kind="functions")
    assert "their-secret-fn" not in body
    # and asking for Bob's workspace by id is not found
    client.force_login(world["alice"])
    theirs = world["their_account"].workspace.pk
    assert client.get(URL, {"workspace": theirs}).status_code == 404
    # while Bob sees only his
    body = _fleet(client, world["bob"])
    assert "other-prod" in body and "acme-prod" not in body


def test_a_member_of_two_workspaces_chooses_one(client, world):
    second = make_workspace(name="Zeta", members={world["alice"]: "viewer"})
    make_account(second, name="zeta-prod")
    body = _fleet(client, world["alice"])
    assert "acme-prod" in body and "zeta-prod" not in body  # the first by name
    assert f'<option value="{second.pk}">Zeta</option>' in body
    body = _fleet(client, world["alice"], workspace=second.pk)
    assert "zeta-prod" in body and "acme-prod" not in body


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_matrix_is_paginated(client, world):
    for i in range(55):
        make_account(world["my_account"].workspace, name=f"acct-{i:02d}")
    body = _fleet(client, world["alice"])
    assert "Accounts 1 to 50 of 56" in body
    assert _table(body, "matrix").count("<tr data-account=") == 50
    assert "Accounts 51 to 56 of 56" in _fleet(client, world["alice"], accounts_page=2)


@pytest.mark.parametrize("accounts", [1, 8])
@pytest.mark.parametrize("query", [{}, {"q": "x-"}, {"q": "x-", "kind": "functions"}])
def test_fleet_query_count_does_not_grow(
    client, world, django_assert_max_num_queries, accounts, query
):
    workspace = world["my_account"].workspace
    for i in range(accounts):
        account = make_account(workspace, name=f"extra-{i}")
        scan = make_scan(account)
        make_finding(make_function(scan, f"x-{i}", with_metrics=False), severity="high")
        analyse(scan)
    client.force_login(world["alice"])
    # the builders store findings without their counts: the first read counts every account's
    # again, in a fixed number of queries however many accounts
    with django_assert_max_num_queries(23):
        assert client.get(URL, query).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(URL, query).status_code == 200


def _matrix_row(client, world) -> list[str]:
    return _row(_table(_fleet(client, world["alice"]), "matrix"), world["my_account"].pk)[:5]


def test_a_suppression_added_removed_or_expired_counts_the_account_again(client, world):
    account = world["my_account"]
    assert _matrix_row(client, world) == ["0", "1", "0", "1", "0"]  # counted and stored
    # when the high finding is suppressed, the stored counts change with it
    suppression = suppression_create(
        account=account,
        rule_id="apigw-timeout-exceeds-integration",
        resource_pattern=world["orders"].arn,
        reason="accepted",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    stored = AccountFindingSummary.objects.get(account=account)
    assert stored.severity.get("high", 0) == 0 and stored.valid_until == suppression.expires_at
    assert _matrix_row(client, world) == ["0", "0", "0", "1", "0"]
    worst = _table(_fleet(client, world["alice"]), "worst-functions")
    assert _cells(re.findall(r"<tr><th scope=\"row\">(.+?)</tr>", worst, re.S)[0])[2] == "0"
    # and once the suppression has expired, the finding counts again
    Suppression.objects.filter(pk=suppression.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    AccountFindingSummary.objects.filter(account=account).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _matrix_row(client, world) == ["0", "1", "0", "1", "0"]
    # and suppressed again, then the suppression removed
    suppression = suppression_create(
        account=account,
        rule_id="tracing-disabled",
        resource_pattern="*",
        reason="no tracing here",
    )
    assert _matrix_row(client, world) == ["0", "1", "0", "0", "0"]
    suppression_delete(suppression=suppression)
    assert AccountFindingSummary.objects.get(account=account).severity == {"high": 1, "low": 1}
    assert _matrix_row(client, world) == ["0", "1", "0", "1", "0"]


def test_a_finishing_scan_stores_its_accounts_counts_as_findings_open_and_resolve(client, db, aws):
    workspace = make_workspace(members={(alice := make_user("alice")): "owner"})
    account = make_account(workspace, endpoint_url=aws, account_id="222233334445")
    account.role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.save()
    create_function(session, aws, name="legacy-report", runtime="python3.8")
    lam = session.client("lambda", endpoint_url=aws, region_name="us-east-1")
    fn_arn = lam.get_function(FunctionName="legacy-report")["Configuration"]["FunctionArn"]

    def stored() -> tuple[AccountFindingSummary, dict[str, int]]:
        summary = AccountFindingSummary.objects.get(account=account)
        functions = dict(
            FunctionFindingSummary.objects.filter(account=account).values_list(
                "function_arn", "total"
            )
        )
        return summary, functions

    first = run_scan_inline(scan_create(account=account))
    deprecated = Finding.objects.get(account=account, rule_id="deprecated-runtime")
    summary, functions = stored()
    assert summary.scan_id == first.pk
    assert summary.severity[deprecated.severity] >= 1
    opened = Finding.objects.for_account(account).open_unsuppressed().count()
    assert sum(summary.severity.values()) == sum(summary.pillar.values()) == opened
    assert functions[fn_arn] >= 1
    # when it is fixed, the next scan resolves it and its counts go with it
    lam.update_function_configuration(FunctionName="legacy-report", Runtime="python3.13")
    second = run_scan_inline(scan_create(account=account))
    summary, after = stored()
    assert summary.scan_id == second.pk
    assert sum(summary.severity.values()) == opened - 1
    assert after.get(fn_arn, 0) == functions[fn_arn] - 1
    # and the page shows what was stored, without counting again
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert _row(_table(body, "matrix"), account.pk)[:5] == [
        str(summary.severity.get(s, 0)) for s in SEVERITY_ORDER
    ]
    assert AccountFindingSummary.objects.get(account=account).counted_at == summary.counted_at


def test_the_largest_opportunities_across_many_accounts_are_the_largest_of_all(client, world):
    # given 14 accounts whose latest scans stored their opportunities largest first, with ties
    # across accounts and accounts whose smaller ones beat others' largest
    workspace = world["my_account"].workspace
    stored = []
    for i in range(14):
        account = make_account(workspace, name=f"acct-{i:02d}")
        savings = sorted({float(50 + (i * 7) % 23), float(40 + i % 3), 10.0 + i}, reverse=True)
        opportunities = [
            {
                "kind": "arm64-saving",
                "function_arn": f"arn:aws:lambda:us-east-1:{i}:function:fn-{i}-{n}",
                "function_name": f"fn-{i}-{n}",
                "function_pk": None,
                "region": "us-east-1",
                "saving": saving,
                "current": 100.0,
                "proposed": 100.0 - saving,
                "summary": "arm64 costs less.",
            }
            for n, saving in enumerate(savings)
        ]
        make_scan(
            account,
            cost_opportunities={
                "opportunities": opportunities,
                "total_saving": sum(savings),
                "count": len(savings),
                "functions": len(savings),
                "no_prices": [],
            },
        )
        stored.extend((-o["saving"], account.name, o["function_name"]) for o in opportunities)
    # when Alice opens the fleet
    body = _fleet(client, world["alice"])
    section = body[body.index('id="fleet-opps-h"') : body.index('id="fleet-trend-h"')]
    shown = re.findall(r'<th scope="row">([\w-]+)<br>', section)
    # then the ten shown are the ten largest of all 42, in order
    assert shown == [name for *_, name in sorted(stored)[:10]]
    total = sum(-s for s, *_ in stored)
    assert f"${total:,.2f}" in section


def test_a_function_search_past_its_count_limit_says_more_than(client, world, monkeypatch):
    from advisor.selectors import fleet as fleet_selectors

    monkeypatch.setattr(fleet_selectors, "SEARCH_COUNT_LIMIT", 10)
    scan = make_scan(make_account(world["my_account"].workspace, name="acme-dev"))
    for i in range(12):
        make_function(scan, f"billing-{i:02d}", with_metrics=False)
    body = _fleet(client, world["alice"], q="billing", kind="functions")
    assert "More than 10 functions match “billing”" in body
    assert "billing-00" in body
    for i in range(2):
        make_function(world["my_scan"], f"billing-x{i}", with_metrics=False)
    monkeypatch.setattr(fleet_selectors, "SEARCH_COUNT_LIMIT", 14)
    body = _fleet(client, world["alice"], q="billing", kind="functions")
    assert "14 functions match “billing”" in body and "More than" not in body


def test_each_row_names_its_latest_scan_and_links_to_it(client, world):
    # given an account whose latest scan failed after one that succeeded
    dev = make_account(world["my_account"].workspace, name="acme-dev")
    make_scan(dev)
    failed = make_scan(dev, status=Scan.Status.FAILED)
    make_account(world["my_account"].workspace, name="acme-new")  # never scanned
    matrix = _table(_fleet(client, world["alice"]), "matrix")
    row = re.search(rf'<tr data-account="{dev.pk}">(.+?)</tr>', matrix, re.S).group(1)
    # then its last cell is the failed scan, by its label, linked to its page
    assert (
        f'<a href="/scans/{failed.pk}/"><span class="status status-failed">Failed</span></a>' in row
    )
    assert "Never scanned" in matrix

"""The overview's trend chart and the cost opportunities fragment."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.dashboard.builders import analyse, make_finding, make_function, make_scan
from tests.factories import make_account, make_workspace


def test_overview_draws_the_findings_trend_per_account(client, world):
    make_scan(world["my_account"], finding_count=7)
    client.force_login(world["alice"])
    body = client.get("/").content.decode()
    match = re.search(
        r'<script id="chart-trend" type="application/json">(.+?)</script>', body, re.S
    )
    figure = json.loads(match.group(1))
    assert [trace["name"] for trace in figure["data"]] == ["acme-prod"]
    assert figure["data"][0]["y"] == [0, 7]  # oldest first
    assert f'hx-get="/accounts/{world["my_account"].pk}/cost-opportunities/"' in body


def test_cost_opportunities_name_the_saving(client, world):
    # given a busy x86_64 function: arm64 would save money
    make_function(world["my_scan"], "busy-x86", per_hour=400_000, duration_ms=800, memory_mb=2048)
    analyse(world["my_scan"])
    client.force_login(world["alice"])
    url = reverse("advisor:cost-opportunities", args=[world["my_account"].pk])
    # when htmx asks for the fragment
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    # then
    assert "<html" not in fragment
    assert "busy-x86" in fragment and "Move to arm64" in fragment
    assert re.search(r"\$[\d,]+\.\d\d a month", fragment)
    # and without JavaScript the same list is a page
    assert "<html" in client.get(url).content.decode()


def test_cost_opportunities_are_scoped(client, world):
    client.force_login(world["alice"])
    url = reverse("advisor:cost-opportunities", args=[world["their_account"].pk])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_one_scan_is_not_a_trend(client, world):
    client.force_login(world["alice"])
    body = client.get("/").content.decode()
    assert 'id="chart-trend"' not in body and "vendor/plotly.min.js" not in body


def test_overview_shows_the_ten_worst_findings_per_account(client, world):
    for i in range(12):
        make_finding(make_function(world["my_scan"], f"w-{i:02d}", with_metrics=False))
    client.force_login(world["alice"])
    body = client.get("/").content.decode()
    assert "Showing 10 of 14 open findings." in body
    assert body.index("apigw-timeout-exceeds-integration") < body.index("tracing-disabled")
    assert '<li class="sev-high"><strong>1</strong> high</li>' in body


def test_viewer_sees_no_scan_button(client, world):
    client.force_login(world["vera"])
    assert "Scan now" not in client.get("/").content.decode()
    client.force_login(world["alice"])
    assert "Scan now" in client.get("/").content.decode()


@pytest.mark.parametrize("accounts", [1, 6])
def test_overview_query_count_does_not_grow(client, world, django_assert_max_num_queries, accounts):
    workspace = world["my_account"].workspace
    for i in range(accounts):
        account = make_account(workspace, name=f"extra-{i}")
        scan = make_scan(account)
        make_finding(make_function(scan, f"x-{i}", with_metrics=False))
    client.force_login(world["alice"])
    # the session, the user, four for the accounts' rows, the findings' links, the trend
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_open_findings_are_counted_by_severity_and_pillar_per_account_and_workspace(client, world):
    # given a second account in Alice's workspace, and Alice in a second workspace of her own
    second = make_account(world["my_account"].workspace, name="acme-dev")
    dev = make_function(make_scan(second), "dev-fn", with_metrics=False)
    make_finding(dev, rule_id="deprecated-runtime", severity="critical", pillar="security")
    make_finding(dev, rule_id="memory-starved", severity="high", pillar="performance")
    side = make_workspace("Side project", members={world["alice"]: "owner"})
    make_account(side, name="side-prod")  # never scanned
    client.force_login(world["alice"])
    # when
    response = client.get("/")
    # then each account counts its own findings by pillar
    rows = {row["account"].name: row for row in response.context["rows"]}
    assert dict(rows["acme-dev"]["pillar_counts"]) == {
        "reliability": 0,
        "performance": 1,
        "cost": 0,
        "security": 1,
        "operations": 0,
    }
    assert dict(rows["acme-prod"]["pillar_counts"])["reliability"] == 1
    # and each workspace adds up its accounts (Bob's workspace is not there)
    summaries = {s["workspace"].name: s for s in response.context["workspaces"]}
    assert set(summaries) == {world["my_account"].workspace.name, "Side project"}
    mine = summaries[world["my_account"].workspace.name]
    assert (mine["accounts"], mine["finding_total"]) == (2, 4)
    assert dict(mine["severity_counts"]) == {
        "critical": 1,
        "high": 2,
        "medium": 0,
        "low": 1,
        "info": 0,
    }
    assert dict(mine["pillar_counts"])["performance"] == 1
    assert (summaries["Side project"]["accounts"], summaries["Side project"]["never_scanned"]) == (
        1,
        1,
    )
    body = response.content.decode()
    assert 'aria-label="Open findings of acme-dev by pillar"' in body
    assert "<strong>1</strong> security</li>" in body


def test_coverage_gaps_of_the_latest_scan_are_on_the_overview(client, world):
    gaps = [
        {
            "region": "us-east-1",
            "service": "lambda",
            "operation": "GetPolicy",
            "error_code": "AccessDenied",
            "hides": "who may invoke the function",
            "resource_arn": f"arn:aws:lambda:us-east-1:1:function:f{i}",
        }
        for i in range(7)
    ]
    client.force_login(world["alice"])
    assert "Coverage gaps" not in client.get("/").content.decode()
    scan = make_scan(world["my_account"], coverage_gaps=gaps)
    body = client.get("/").content.decode()
    assert "Coverage gaps" in body and "lambda:GetPolicy" in body
    assert body.count("AccessDenied") == 5  # the first five, then a link to all of them
    assert f'href="/scans/{scan.pk}/#gaps">All 7 gaps of this scan</a>' in body
    assert "1 account could not be fully seen by its latest scan" in body


def test_cost_opportunities_are_read_from_the_scan_once_worked_out(client, world):
    from advisor.models import Scan, ScanRegion

    # given a scan finished before opportunities were stored, with a busy x86_64 function
    make_function(world["my_scan"], "busy-x86", per_hour=400_000, duration_ms=800, memory_mb=2048)
    client.force_login(world["alice"])
    url = reverse("advisor:cost-opportunities", args=[world["my_account"].pk])
    # the page does not work them out itself
    assert "busy-x86" not in client.get(url).content.decode()
    # when the one-off command works them out from the inventory and stores them
    call_command("analyse_scans", stdout=io.StringIO())
    assert "busy-x86" in client.get(url).content.decode()
    stored = Scan.objects.get(pk=world["my_scan"].pk).cost_opportunities
    assert stored["count"] >= 1 and stored["opportunities"][0]["function_name"] == "busy-x86"
    # and from then on the inventory is not needed
    ScanRegion.objects.filter(scan=world["my_scan"]).update(inventory=None)
    assert "busy-x86" in client.get(url).content.decode()


def test_many_accounts_come_a_page_of_cards_at_a_time_under_the_whole_workspace(client, world):
    workspace = world["my_account"].workspace
    for i in range(24):
        account = make_account(workspace, name=f"zz-{i:02d}")
        make_finding(make_function(make_scan(account), f"fn-{i}", with_metrics=False))
    client.force_login(world["alice"])
    body = client.get("/").content.decode()
    # the workspace adds up all 25 accounts; the cards and their fragments are the first 20
    assert "25 accounts · 26 open findings" in body
    assert body.count('<section class="card account"') == 20
    assert body.count("hx-get=") == 20
    assert "Accounts 1 to 20 of 25" in body and "page=2" in body
    page2 = client.get("/", {"page": 2}).content.decode()
    assert page2.count('<section class="card account"') == 5
    assert "zz-23" in page2 and "zz-23" not in body.split("card account", 1)[1]
    assert "fn-23" in page2  # its worst findings come with its card


def _counted(account_ids) -> dict[str, int]:
    """What counting every open, unsuppressed finding of these accounts gives, by severity."""
    from django.db.models import Count

    from advisor.models import Finding

    counted = (
        Finding.objects.for_accounts(account_ids)
        .open_unsuppressed()
        .order_by()
        .values_list("severity")
        .annotate(n=Count("pk"))
    )
    return {s: n for s, n in counted}


def _workspace_totals(client, workspace) -> dict[str, int]:
    response = client.get("/")
    (mine,) = [s for s in response.context["workspaces"] if s["workspace"] == workspace]
    return {s: n for s, n in mine["severity_counts"] if n}


def test_workspace_totals_are_the_stored_counts_and_equal_counting_every_finding(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from advisor.models import AccountFindingSummary, Suppression
    from advisor.services.finding_summaries import summaries_refresh
    from advisor.services.suppressions import suppression_create

    workspace = world["my_account"].workspace
    dev = make_account(workspace, name="acme-dev")
    dev_scan = make_scan(dev)
    for i, severity in enumerate(["critical", "high", "high", "info"]):
        make_finding(make_function(dev_scan, f"dev-{i}", with_metrics=False), severity=severity)
    ids = [world["my_account"].pk, dev.pk]
    client.force_login(world["alice"])
    # given counts not stored yet: the overview counts those accounts itself
    expected = {"critical": 1, "high": 3, "low": 1, "info": 1}
    assert _counted(ids) == expected
    assert _workspace_totals(client, workspace) == expected
    # when they are stored, the overview reads them and counts no finding
    summaries_refresh({world["my_account"].pk: world["my_scan"].pk, dev.pk: dev_scan.pk})
    with CaptureQueriesContext(connection) as queries:
        assert _workspace_totals(client, workspace) == expected
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "advisor_finding"' in q["sql"]]
    assert not [sql for sql in reads if "COUNT(" in sql]
    # and a suppression stores the counts again: the totals follow it
    suppression_create(
        account=dev,
        rule_id="tracing-disabled",
        resource_pattern="*",
        reason="no tracing here",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    expected = {"high": 1, "low": 1}  # dev's four findings are tracing-disabled: all hidden
    assert _counted(ids) == expected
    assert _workspace_totals(client, workspace) == expected
    # and a newer scan of prod (its findings not counted yet) is counted, not the stored counts
    newer = make_scan(world["my_account"])
    make_finding(make_function(newer, "orders-api-2", with_metrics=False), severity="critical")
    assert AccountFindingSummary.objects.get(account=world["my_account"]).scan_id != newer.pk
    expected = {"critical": 1, "high": 1, "low": 1}
    assert _counted(ids) == expected
    assert _workspace_totals(client, workspace) == expected
    # and once the suppression has expired, what it hid counts again
    past = timezone.now() - dt.timedelta(seconds=1)
    Suppression.objects.filter(account=dev).update(expires_at=past)
    AccountFindingSummary.objects.filter(account=dev).update(valid_until=past)  # as time passes
    expected = {"critical": 2, "high": 3, "low": 1, "info": 1}
    assert _counted(ids) == expected
    assert _workspace_totals(client, workspace) == expected

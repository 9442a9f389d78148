"""One function's page: configuration, callers, charts, findings with fixes, the decision."""

import copy
import io
import json
import re

from django.core.management import call_command
from django.urls import reverse

from advisor.collect.inventory import Function, from_plain
from advisor.decide import load_prices, profile_from_function, recommend
from advisor.decide import prices as prices_module
from advisor.decide.prices import install_refreshed
from advisor.models import FunctionRecord, Scan
from tests.dashboard.builders import make_function, make_scan


def figure(body: str, chart_id: str) -> dict:
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.+?)</script>', body, re.S
    )
    assert match, f"no {chart_id}"
    return json.loads(match.group(1))


def test_shows_configuration_callers_and_findings(client, world):
    client.force_login(world["alice"])
    body = client.get(
        reverse("advisor:function-detail", args=[world["orders"].pk])
    ).content.decode()
    assert world["orders"].arn in body
    assert "orders-api" in body and "GET /orders" in body and "29,000 ms" in body
    assert "Open findings (2)" in body
    assert body.count("data-copy=") == 4  # CLI and IaC for each finding
    assert 'data-verdict="' in body and 'id="chart-cost"' in body


def test_duration_chart_draws_the_timeout_and_api_gateway_limit(client, world):
    client.force_login(world["alice"])
    body = client.get(
        reverse("advisor:function-detail", args=[world["orders"].pk])
    ).content.decode()
    duration = figure(body, "chart-duration")
    limits = sorted(shape["y0"] for shape in duration["layout"]["shapes"])
    assert limits == [29_000, 30_000]  # API Gateway 29 s, function timeout 30 s
    names = [trace["name"] for trace in figure(body, "chart-activity")["data"]]
    assert names == ["Invocations", "Errors", "Throttles"]


def test_without_an_api_only_the_timeout_line_is_drawn(client, world):
    client.force_login(world["alice"])
    body = client.get(
        reverse("advisor:function-detail", args=[world["reports"].pk])
    ).content.decode()
    assert [s["y0"] for s in figure(body, "chart-duration")["layout"]["shapes"]] == [30_000]
    assert "No trigger was found" in body
    assert "No open findings." in body


def test_without_metrics_the_page_says_so(client, world):
    record = make_function(world["my_scan"], "quiet", with_metrics=False)
    client.force_login(world["alice"])
    body = client.get(reverse("advisor:function-detail", args=[record.pk])).content.decode()
    assert "No metrics were collected" in body
    assert 'id="chart-cost"' in body  # the decision still has the configuration to go on


def test_an_older_record_links_to_the_latest(client, world):
    newer_scan = make_scan(world["my_account"])
    Scan.objects.filter(pk=world["my_scan"].pk).update(
        created_at=newer_scan.created_at.replace(year=2020)
    )
    newer = make_function(newer_scan, "orders-api")
    client.force_login(world["alice"])
    body = client.get(
        reverse("advisor:function-detail", args=[world["orders"].pk])
    ).content.decode()
    assert reverse("advisor:function-detail", args=[newer.pk]) in body


def test_detail_query_count_is_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world["alice"])
    with django_assert_max_num_queries(10):
        client.get(reverse("advisor:function-detail", args=[world["orders"].pk]))


def test_callers_come_from_the_stored_relations_not_the_bulky_inventory(client, world):
    # given the region's inventory dropped (as retention does), its relations kept
    from advisor.models import ScanRegion

    ScanRegion.objects.filter(scan=world["my_scan"]).update(inventory=None)
    client.force_login(world["alice"])
    # when
    body = client.get(
        reverse("advisor:function-detail", args=[world["orders"].pk])
    ).content.decode()
    # then the API that calls the function is still on its page
    assert "GET /orders" in body and "29,000 ms" in body


def test_relations_of_regions_stored_before_they_had_a_column_are_copied(world):
    import importlib

    from django.apps import apps

    from advisor.models import ScanRegion

    part = ScanRegion.objects.get(scan=world["my_scan"])
    ScanRegion.objects.filter(pk=part.pk).update(relations=None)
    migration = importlib.import_module("advisor.migrations.0009_relations_and_opportunities")
    migration.copy_relations(apps, None)
    part.refresh_from_db()
    assert part.relations["api_integrations"][0]["route"] == "GET /orders"
    assert set(part.relations) == {
        "event_source_mappings",
        "api_integrations",
        "push_sources",
        "queues",
    }


def test_the_decision_prices_the_front_door_its_triggers_show(client, world):
    # given orders behind a REST API and reports with no trigger at all
    client.force_login(world["alice"])
    orders = client.get(
        reverse("advisor:function-detail", args=[world["orders"].pk])
    ).content.decode()
    line = re.search(r'<p class="front-door" data-front-door>(.*?)</p>', orders, re.S)
    # then the REST API is on Lambda's side and a load balancer on the servers' side
    assert line is not None
    assert "in front of Lambda, API Gateway REST API" in line.group(1)
    assert "in front of containers or EC2, Application Load Balancer" in line.group(1)
    assert 'data-part="API Gateway REST API"' in orders
    reports = client.get(
        reverse("advisor:function-detail", args=[world["reports"].pk])
    ).content.decode()
    assert "data-front-door" not in reports


def test_a_scanned_function_s_card_says_init_is_left_out_because_not_measured(client, world):
    client.force_login(world["alice"])
    body = client.get(
        reverse("advisor:function-detail", args=[world["orders"].pk])
    ).content.decode()
    notes = re.search(r'<ul class="notes" data-notes>(.*?)</ul>', body, re.S)
    assert notes is not None
    assert "not in the Lambda figures" in notes.group(1)
    assert "cold starts were not measured" in notes.group(1)


def test_findings_that_disagree_about_a_setting_show_one_reconciled_change(client, world):
    # given a function behind a 29 s API whose long invocations ask for a 90 s timeout
    from tests.dashboard.builders import make_finding

    orders = world["orders"]
    world["my_high"].delete()
    make_finding(
        orders,
        rule_id="apigw-timeout-exceeds-integration",
        severity="high",
        message="orders-api's 30 s timeout outlasts its API's 29 s integration timeout.",
        evidence={"suggested_timeout_s": 28, "integration_timeout_ms": 29_000},
    )
    make_finding(
        orders,
        rule_id="timeouts-observed",
        message="orders-api ran up to 29.8 s of its 30 s timeout.",
        evidence={"suggested_timeout_s": 90},
    )
    client.force_login(world["alice"])
    # when its page is read
    body = client.get(reverse("advisor:function-detail", args=[orders.pk])).content.decode()
    # then one change is shown: the cap, with both findings' reasons and why the cap wins
    assert body.count('id="reconciled-fix"') == 1
    setting = re.search(r'<dd data-setting="timeout_s">(.+?)</dd>', body, re.S).group(1)
    assert "30 → 28 s" in setting
    assert "outlasts its API" in setting and "ran up to 29.8 s" in setting
    assert "hard limit" in setting and "asynchronously" in setting
    assert "--function-name orders-api --timeout 28" in body
    assert "--timeout 90" not in body.split('id="reconciled-fix"')[1].split("</section>")[0]
    # and each of the two findings points to it
    assert body.count('href="#reconciled-fix"') == 2


def test_the_decision_card_takes_the_workspace_threshold_for_moving(client, world):
    # given a busy function that containers would run for less
    busy = make_function(
        world["my_scan"], "busy-x86", per_hour=400_000, duration_ms=800, memory_mb=2048
    )
    client.force_login(world["alice"])
    url = reverse("advisor:function-detail", args=[busy.pk])
    assert re.search(r'data-verdict="(containers|ec2)"', client.get(url).content.decode())
    # when the workspace asks moving to save more than it would, and scans again
    workspace = world["my_account"].workspace
    workspace.rule_options = {"consider-containers": {"min_monthly_saving_usd": 1_000_000}}
    workspace.save()
    again = make_function(
        make_scan(world["my_account"]),
        "busy-x86",
        per_hour=400_000,
        duration_ms=800,
        memory_mb=2048,
    )
    # then the card, like the scan's analysis and the finding, keeps it on Lambda
    url = reverse("advisor:function-detail", args=[again.pk])
    assert 'data-verdict="lambda"' in client.get(url).content.decode()
    # while the earlier scan's page keeps the verdict that scan stored
    earlier = client.get(reverse("advisor:function-detail", args=[busy.pk])).content.decode()
    assert re.search(r'data-verdict="(containers|ec2)"', earlier)


def card_html(body: str) -> str:
    match = re.search(r'<section class="card decision".*?</section>', body, re.S)
    assert match, "no decision card"
    return match.group(0)


def test_the_card_shows_the_figures_its_scan_stored_whatever_the_prices_are_now(client, world):
    # given orders' page as its scan stored it
    client.force_login(world["alice"])
    url = reverse("advisor:function-detail", args=[world["orders"].pk])
    before = card_html(client.get(url).content.decode())
    stored = FunctionRecord.objects.get(pk=world["orders"].pk)
    [lambda_usd] = [c["usd"] for c in stored.decision["costs"] if c["option"] == "lambda_x86_64"]
    assert stored.recommendation["monthly_cost_usd"]["lambda_x86_64"] == lambda_usd
    assert f"{lambda_usd:,.2f}" in before
    # when a price refresh after the scan makes Lambda ten times dearer
    data = copy.deepcopy(prices_module._raw()["regions"]["us-east-1"])
    data["lambda"]["requests_per_million"]["usd"] *= 10
    for tier in data["lambda"]["duration"]["x86_64"]:
        tier["usd_per_gb_second"] *= 10
    install_refreshed({"us-east-1": data}, version="ten times dearer")
    fn = from_plain(Function, stored.config)
    now = recommend(profile_from_function(fn), load_prices("us-east-1"))
    assert now.monthly_cost_usd["lambda_x86_64"] > 2 * lambda_usd  # the cost model would say so
    # then the page still shows what the scan worked out, figure for figure
    assert card_html(client.get(url).content.decode()) == before


def test_a_function_stored_before_cards_says_how_to_get_it_and_works_out_nothing(client, world):
    # given a function of a scan stored before its analysis kept the card
    FunctionRecord.objects.filter(pk=world["orders"].pk).update(decision=None)
    client.force_login(world["alice"])
    url = reverse("advisor:function-detail", args=[world["orders"].pk])
    # when its page is read, then it says what to run, and shows no card of its own making
    body = client.get(url).content.decode()
    assert "data-no-card" in body and "manage.py analyse_scans" in body
    assert 'id="chart-cost"' not in body and "data-verdict" not in body
    # and once the command has run, the card is there
    call_command("analyse_scans", stdout=io.StringIO())
    body = client.get(url).content.decode()
    assert "data-no-card" not in body and 'id="chart-cost"' in body


def test_a_function_in_a_region_without_prices_says_so(client, world):
    record = make_function(world["my_scan"], "far-away", region="xx-nowhere-1")
    client.force_login(world["alice"])
    body = client.get(reverse("advisor:function-detail", args=[record.pk])).content.decode()
    assert "The price table has no prices for xx-nowhere-1" in body
    assert "data-no-card" not in body and 'id="chart-cost"' not in body

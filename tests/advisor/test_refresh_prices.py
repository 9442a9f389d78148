"""``refresh_prices``: the Price List API (the emulator, over HTTP) → validated, stored prices
that every page, scan and report then uses; a failure keeps the last good prices."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from advisor.decide import UnknownRegionError, load_prices
from advisor.decide.prices import install_refreshed
from advisor.models import PriceRefresh, RegionPriceList
from advisor.services import prices as prices_service
from advisor.services.prices import PriceRefreshRefused, prices_refresh
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role
from tests.fixtures.emulator import reset_emulator
from tests.fixtures.pricelist import (
    ecs_products,
    lambda_products,
    load_catalogue,
    region_catalogue,
)

pytestmark = pytest.mark.django_db


def test_a_region_without_prices_says_which_command_fixes_it():
    with pytest.raises(UnknownRegionError) as unknown:
        load_prices("eu-west-1")
    assert "manage.py refresh_prices --regions eu-west-1" in str(unknown.value)


def test_refresh_stores_a_region_and_the_cost_model_reads_it(aws, capsys):
    load_catalogue(aws, region_catalogue("eu-west-1", 1.1))

    call_command("refresh_prices", "--regions", "eu-west-1", "--endpoint-url", aws)

    out = capsys.readouterr().out
    assert "eu-west-1: refreshed" in out and "1 of 1 regions refreshed" in out
    row = RegionPriceList.objects.get(region="eu-west-1")
    assert row.data["name"] == "EU (Ireland)"
    table = load_prices("eu-west-1")
    assert table.fargate["x86_64"].per_vcpu_hour == pytest.approx(0.04048 * 1.1, rel=1e-6)
    assert table.lambda_.duration["arm64"][0].usd_per_gb_second == pytest.approx(
        0.0000133334 * 1.1, rel=1e-5
    )
    assert "GetProducts" in table.lambda_.duration["x86_64"][0].source
    run = PriceRefresh.objects.get()
    assert run.refreshed == ["eu-west-1"] and run.failures == {}
    assert run.calls == 5  # Lambda, ECS, EC2, API Gateway and ELB: one page each
    assert table.api_gateway.http[0].usd_per_million == pytest.approx(1.10)
    assert table.load_balancer.alb_per_hour == pytest.approx(0.0225 * 1.1)
    assert load_prices("us-east-1").fargate["x86_64"].per_vcpu_hour == 0.04048  # untouched


def test_a_failed_region_keeps_its_last_good_prices_and_says_what_failed(aws, capsys):
    load_catalogue(aws, region_catalogue("eu-west-1", 1.1))
    prices_refresh(regions=["eu-west-1"], endpoint_url=aws)
    # The Price List now lacks Fargate for eu-west-1 and carries new Lambda prices.
    reset_emulator(aws)
    load_catalogue(aws, lambda_products("eu-west-1", 1.3) + region_catalogue("us-east-1"))

    with pytest.raises(SystemExit) as exit_status:
        call_command("refresh_prices", "--regions", "eu-west-1,us-east-1", "--endpoint-url", aws)

    assert exit_status.value.code == 1  # some regions failed
    err = capsys.readouterr().err
    assert "eu-west-1: kept the last good prices" in err and "Fargate" in err
    run = PriceRefresh.objects.latest("started_at")
    assert run.refreshed == ["us-east-1"] and list(run.failures) == ["eu-west-1"]
    table = load_prices("eu-west-1")
    assert table.fargate["x86_64"].per_vcpu_hour == pytest.approx(0.04048 * 1.1, rel=1e-6)
    assert table.lambda_.duration["x86_64"][0].usd_per_gb_second == pytest.approx(
        0.0000166667 * 1.1, rel=1e-5
    )  # not the 1.3 of the failed run


def test_insane_prices_are_refused_and_nothing_is_stored(aws):
    load_catalogue(aws, lambda_products("eu-west-1", 500) + ecs_products("eu-west-1"))
    run = prices_refresh(regions=["eu-west-1"], endpoint_url=aws)
    assert run.refreshed == [] and "sane range" in run.failures["eu-west-1"]
    assert not RegionPriceList.objects.exists()


def test_every_region_failing_exits_2(aws, capsys):
    with pytest.raises(SystemExit) as exit_status:
        call_command("refresh_prices", "--regions", "eu-west-1", "--endpoint-url", aws)
    assert exit_status.value.code == 2
    assert "the Price List has no Lambda AWS-Lambda-Requests" in capsys.readouterr().err


def test_an_endpoint_url_is_refused_unless_endpoints_are_allowed(aws):
    with override_settings(ADVISOR_ALLOW_ENDPOINT_URL=False), pytest.raises(PriceRefreshRefused):
        prices_refresh(regions=["eu-west-1"], endpoint_url=aws)
    assert not PriceRefresh.objects.exists()


def test_an_unknown_region_is_refused_before_any_call():
    with pytest.raises(CommandError, match="not a commercial Lambda region: mars-north-1"):
        call_command("refresh_prices", "--regions", "mars-north-1")


def test_a_scanned_function_in_a_refreshed_region_gets_a_recommendation(aws):
    account = make_account(
        make_workspace(), endpoint_url=aws, account_id="333344445555", regions=["eu-west-1"]
    )
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    create_function(session, aws, name="billing-api", region="eu-west-1")

    before = run_scan_inline(scan_create(account=account))
    assert before.functions.get(name="billing-api").recommendation is None

    load_catalogue(aws, region_catalogue("eu-west-1", 1.1))
    prices_refresh(regions=["eu-west-1"], endpoint_url=aws)
    after = run_scan_inline(scan_create(account=account))

    recommendation = after.functions.get(name="billing-api").recommendation
    assert recommendation is not None and recommendation["verdict"]
    assert set(recommendation["monthly_cost_usd"]) >= {"lambda_x86_64", "fargate"}


def test_pages_pick_up_prices_another_process_stored(client, aws):
    """The web process did not run the refresh (beat's worker did): its pages look for newly
    stored prices and plan in the refreshed region."""
    load_catalogue(aws, region_catalogue("eu-west-1", 1.1))
    prices_refresh(regions=["eu-west-1"], endpoint_url=aws)
    # As another process: nothing installed yet, and not checked for a minute.
    install_refreshed({}, version="")
    prices_service._checked_at = None
    user = make_user()
    make_workspace(members={user: "viewer"})
    client.force_login(user)

    body = client.get(
        "/planner/?monthly_requests=5000000&avg_duration_ms=200&memory_mb=512&region=eu-west-1"
    ).content.decode()

    assert 'value="eu-west-1"' in body
    assert "Verdict" in body

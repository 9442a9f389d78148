"""The Price List parser: GetProducts rows in their real shape become a region of the table."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from advisor.decide import load_prices
from advisor.decide.pricelist import (
    PriceListError,
    api_gateway_query,
    load_balancer_query,
    parse_api_gateway,
    parse_ec2,
    parse_fargate,
    parse_lambda,
    parse_load_balancer,
    region_prices,
)
from advisor.decide.prices import parse_region, shipped_region
from tests.fixtures.pricelist import (
    api_gateway_products,
    ec2_products,
    ecs_products,
    lambda_products,
    load_balancer_products,
    product,
)

SHIPPED = shipped_region("us-east-1")


def as_entries(products):
    """GetProducts hands each product over as a JSON string."""
    return [json.dumps(p) for p in products]


def whole_region(region, scale=1.0, **ec2):
    return region_prices(
        region,
        lambda_entries=as_entries(lambda_products(region, scale)),
        ecs_entries=as_entries(ecs_products(region, scale)),
        ec2_entries=as_entries(ec2_products(region, scale, **ec2)),
        api_gateway_entries=as_entries(api_gateway_products(region, scale)),
        load_balancer_entries=as_entries(load_balancer_products(region, scale)),
        shipped=SHIPPED,
        fetched_on=dt.date(2026, 12, 1),
    )


def test_us_east_1_rows_reproduce_the_shipped_table_figure_for_figure():
    table = parse_region("us-east-1", whole_region("us-east-1").data)
    shipped = load_prices("us-east-1")
    assert table.lambda_.requests_per_million == pytest.approx(0.20)
    for arch in ("x86_64", "arm64"):
        got = [(t.up_to_gb_seconds, t.usd_per_gb_second) for t in table.lambda_.duration[arch]]
        want = [(t.up_to_gb_seconds, t.usd_per_gb_second) for t in shipped.lambda_.duration[arch]]
        assert got == want
        assert table.lambda_.provisioned[arch] == shipped.lambda_.provisioned[arch]
        assert table.fargate[arch] == shipped.fargate[arch]
    assert {i.type: i.usd_per_hour for i in table.ec2} == {
        i.type: i.usd_per_hour for i in shipped.ec2
    }
    assert table.as_of == dt.date(2026, 12, 1)
    assert table.lambda_.free_requests == 1_000_000  # the free tier comes from the shipped table
    for api in ("rest", "http"):
        got = getattr(table.api_gateway, api)
        want = getattr(shipped.api_gateway, api)
        assert [t.up_to_requests for t in got] == [t.up_to_requests for t in want]
        assert [t.usd_per_million for t in got] == pytest.approx([t.usd_per_million for t in want])
    assert table.load_balancer.alb_per_hour == pytest.approx(shipped.load_balancer.alb_per_hour)
    assert table.load_balancer.alb_per_lcu_hour == pytest.approx(
        shipped.load_balancer.alb_per_lcu_hour
    )


def test_api_gateway_tiers_come_from_ranges_per_request_and_ignore_websocket_and_cache():
    section = parse_api_gateway(as_entries(api_gateway_products("eu-west-1", 1.1)), "eu-west-1")
    rest = section["rest"]
    assert [t.get("up_to_requests") for t in rest] == [333e6, 1e9, 20e9, None]
    assert rest[0]["usd_per_million"] == pytest.approx(3.50 * 1.1)
    assert [t["usd_per_million"] for t in section["http"]] == pytest.approx([1.10, 0.99])
    assert "AmazonApiGateway SKU" in rest[0]["source"]


def test_the_load_balancer_reads_hour_and_lcu_and_not_the_reserved_lcu():
    section = parse_load_balancer(as_entries(load_balancer_products("us-east-1")), "us-east-1")
    assert section["alb_per_hour"]["usd"] == pytest.approx(0.0225)
    assert section["alb_per_lcu_hour"]["usd"] == pytest.approx(0.008)
    assert "AWSELB SKU" in section["alb_per_lcu_hour"]["source"]


def test_a_region_without_load_balancer_rows_names_what_is_missing():
    with pytest.raises(PriceListError, match="Application Load Balancer LCU-hour"):
        region_prices(
            "eu-west-1",
            lambda_entries=as_entries(lambda_products("eu-west-1")),
            ecs_entries=as_entries(ecs_products("eu-west-1")),
            ec2_entries=as_entries(ec2_products("eu-west-1")),
            api_gateway_entries=as_entries(api_gateway_products("eu-west-1")),
            load_balancer_entries=as_entries(
                p for p in load_balancer_products("eu-west-1") if "LCU" not in str(p)
            ),
            shipped=SHIPPED,
            fetched_on=dt.date(2026, 12, 1),
        )


def test_front_door_queries_filter_by_region_and_product_family():
    assert api_gateway_query("eu-west-1").kwargs()["Filters"] == [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "API Calls"},
    ]
    assert load_balancer_query("eu-west-1").kwargs()["ServiceCode"] == "AWSELB"


def test_duration_tiers_come_from_begin_and_end_ranges():
    section = parse_lambda(as_entries(lambda_products("eu-west-1", 1.2)), "eu-west-1")
    x86 = section["duration"]["x86_64"]
    assert [t.get("up_to_gb_seconds") for t in x86] == [6e9, 15e9, None]
    assert x86[0]["usd_per_gb_second"] == pytest.approx(0.0000166667 * 1.2, rel=1e-5)
    assert "SKU TESTSKU" in x86[0]["source"] and "GetProducts" in x86[0]["source"]


def test_the_free_tier_rows_priced_for_location_any_are_dropped():
    rows = lambda_products("eu-west-1")
    # Without the dropping, AWS-Lambda-Requests would have two products with different prices.
    section = parse_lambda(as_entries(rows), "eu-west-1")
    assert section["requests_per_million"]["usd"] == pytest.approx(0.20)


def test_a_tier_gap_is_refused():
    rows = lambda_products("eu-west-1")
    duration = rows[0]["terms"]["OnDemand"]
    dims = next(iter(duration.values()))["priceDimensions"]
    second = list(dims.values())[1]
    second["beginRange"] = "7000000000"  # the first tier ends at 6 B
    with pytest.raises(PriceListError, match="gap"):
        parse_lambda(as_entries(rows), "eu-west-1")


def test_a_missing_group_names_what_is_missing():
    rows = [
        r
        for r in lambda_products("eu-west-1")
        if r["product"]["attributes"]["group"] != "AWS-Lambda-Duration-ARM"
    ]
    with pytest.raises(PriceListError, match="AWS-Lambda-Duration-ARM"):
        parse_lambda(as_entries(rows), "eu-west-1")


def test_a_price_outside_the_sane_range_is_refused():
    with pytest.raises(PriceListError, match="sane range"):
        parse_lambda(as_entries(lambda_products("eu-west-1", 1000)), "eu-west-1")


def test_fargate_reads_region_prefixed_usage_types_and_ignores_spot_windows_and_storage():
    section = parse_fargate(as_entries(ecs_products("eu-west-1", 1.1)), "eu-west-1")
    assert section["x86_64"]["per_vcpu_hour"]["usd"] == pytest.approx(0.04048 * 1.1)
    assert section["x86_64"]["per_gb_hour"]["usd"] == pytest.approx(0.004445 * 1.1)
    assert section["arm64"]["per_vcpu_hour"]["usd"] == pytest.approx(0.03238 * 1.1)
    assert section["arm64"]["per_gb_hour"]["usd"] == pytest.approx(0.00356 * 1.1)


def test_us_east_1_fargate_usage_types_without_a_prefix_are_read_too():
    rows = ecs_products("us-east-1")
    for row in rows:
        usage = row["product"]["attributes"]["usagetype"]
        row["product"]["attributes"]["usagetype"] = usage.removeprefix("USE1-")
    section = parse_fargate(as_entries(rows), "us-east-1")
    assert section["x86_64"]["per_vcpu_hour"]["usd"] == pytest.approx(0.04048)


def test_several_skus_with_one_price_count_once_and_reserved_terms_are_ignored():
    instances, notes = parse_ec2(as_entries(ec2_products("eu-west-1")), "eu-west-1", SHIPPED["ec2"])
    small = next(i for i in instances if i["type"] == "t3.small")
    assert small["usd_per_hour"] == pytest.approx(0.0208)  # not the 0.0001 reservation
    assert notes == []


def test_several_skus_with_different_prices_leave_that_type_out_with_a_note():
    rows = ec2_products("eu-west-1")
    twin = json.loads(
        json.dumps(
            next(r for r in rows if r["product"]["attributes"]["instanceType"] == "t3.small")
        )
    )
    twin["product"]["sku"] = "OTHERSKU"
    term = next(iter(twin["terms"]["OnDemand"].values()))
    next(iter(term["priceDimensions"].values()))["pricePerUnit"]["USD"] = "0.0300000000"
    rows.append(twin)
    instances, notes = parse_ec2(as_entries(rows), "eu-west-1", SHIPPED["ec2"])
    assert "t3.small" not in {i["type"] for i in instances}
    assert any("t3.small" in n and "several different prices" in n for n in notes)


def test_an_instance_type_missing_in_a_region_is_noted_and_the_rest_priced():
    result = whole_region("ap-southeast-2", missing=("c7i.large", "g4dn.xlarge"))
    types = {i["type"] for i in result.data["ec2"]}
    assert "c7i.large" not in types and "m7g.large" in types
    assert len(result.notes) == 2 and all("has no EC2" in n for n in result.notes)
    parse_region("ap-southeast-2", result.data)  # the region still loads


def test_other_operations_and_usage_types_are_not_taken_for_the_linux_price():
    rows = ec2_products("eu-west-1", missing=("t3.small",))
    rows.append(
        product(
            "AmazonEC2",
            {
                "instanceType": "t3.small",
                "regionCode": "eu-west-1",
                "location": "EU (Ireland)",
                "operation": "RunInstances:0010",
                "usagetype": "EUW1-BoxUsage:t3.small",
            },
            [(0, None, 0.05, "Hrs")],
        )
    )
    instances, notes = parse_ec2(as_entries(rows), "eu-west-1", SHIPPED["ec2"])
    assert "t3.small" not in {i["type"] for i in instances}
    assert any("t3.small" in n for n in notes)


def test_a_malformed_entry_says_so():
    with pytest.raises(PriceListError, match="malformed"):
        parse_lambda(['{"product": {"attributes": {}}, "terms": {"OnDemand": {"x": {}}}}'], "r")

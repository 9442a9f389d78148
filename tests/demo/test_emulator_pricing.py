"""The emulator's Price List Query API, called with boto3 over HTTP as ``refresh_prices`` does."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.fixtures.emulator import reset_emulator
from tests.fixtures.pricelist import ec2_products, lambda_products, load_catalogue


def pricing(endpoint: str):
    return boto3.client("pricing", region_name="us-east-1", endpoint_url=endpoint)


def test_get_products_answers_json_strings_filtered_by_service_and_attribute(aws):
    load_catalogue(aws, lambda_products("eu-west-1") + lambda_products("us-east-1"))
    answer = pricing(aws).get_products(
        ServiceCode="AWSLambda",
        FormatVersion="aws_v1",
        Filters=[
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
            {"Type": "TERM_MATCH", "Field": "group", "Value": "AWS-Lambda-Duration"},
        ],
    )
    assert answer["FormatVersion"] == "aws_v1"
    assert len(answer["PriceList"]) == 1 and "NextToken" not in answer
    entry = answer["PriceList"][0]
    assert isinstance(entry, str)  # each product is a JSON document in a string, as AWS sends
    product = json.loads(entry)
    assert product["product"]["attributes"]["usagetype"] == "EUW1-Lambda-GB-Second"
    assert product["terms"]["OnDemand"]


def test_pages_hold_max_results_and_the_paginator_reads_them_all(aws):
    load_catalogue(aws, lambda_products("eu-west-1"))  # 10 products
    client = pricing(aws)
    first = client.get_products(ServiceCode="AWSLambda", MaxResults=4)
    assert len(first["PriceList"]) == 4 and first["NextToken"]
    pages = list(
        client.get_paginator("get_products").paginate(
            ServiceCode="AWSLambda", PaginationConfig={"PageSize": 4}
        )
    )
    assert [len(p["PriceList"]) for p in pages] == [4, 4, 2]


def test_any_of_matches_a_comma_separated_list(aws):
    load_catalogue(aws, ec2_products("eu-west-1"))
    answer = pricing(aws).get_products(
        ServiceCode="AmazonEC2",
        Filters=[{"Type": "ANY_OF", "Field": "instanceType", "Value": "t3.small,m7g.large"}],
    )
    types = [json.loads(p)["product"]["attributes"]["instanceType"] for p in answer["PriceList"]]
    assert sorted(types) == ["m7g.large", "t3.small", "t3.small"]  # t3.small has two SKUs


def test_a_token_from_another_query_is_refused(aws):
    load_catalogue(aws, lambda_products("eu-west-1"))
    client = pricing(aws)
    token = client.get_products(ServiceCode="AWSLambda", MaxResults=2)["NextToken"]
    with pytest.raises(ClientError) as refused:
        client.get_products(ServiceCode="AmazonEC2", NextToken=token)
    assert refused.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_an_unknown_filter_type_is_an_invalid_parameter(aws):
    with pytest.raises(ClientError) as refused:
        pricing(aws).get_products(
            ServiceCode="AWSLambda", Filters=[{"Type": "LIKE", "Field": "group", "Value": "x"}]
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_reset_empties_the_catalogue(aws):
    load_catalogue(aws, lambda_products("eu-west-1"))
    reset_emulator(aws)
    assert pricing(aws).get_products(ServiceCode="AWSLambda")["PriceList"] == []

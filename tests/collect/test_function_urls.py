"""Function URLs in use, found without a Lambda call: CloudWatch lists UrlRequestCount by
``Resource`` for every URL that served requests, an alias's URL and an AWS_IAM one (which needs
no policy statement) included. Only those URLs and the ones a policy grants are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from tests.collect.aws_state import ACCOUNT, REGION, Aws

END = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics_end=END)


def requests(function: str, resource: str) -> dict:
    return {
        "MetricName": "UrlRequestCount",
        "Dimensions": [
            {"Name": "FunctionName", "Value": function},
            {"Name": "Resource", "Value": resource},
        ],
        "Timestamp": END - timedelta(hours=3),
        "Value": 12,
    }


@pytest.fixture
def inventory(aws: str) -> RegionInventory:
    state = Aws.connect(aws)
    lam = state.client("lambda")
    # checkout: an AWS_IAM URL on checkout:live, which served requests; no policy statement
    # names it (the callers' IAM policies allow lambda:InvokeFunctionUrl).
    # internal: an AWS_IAM URL on the unqualified function, which served requests.
    # quiet: an AWS_IAM URL on quiet:live that served none: not seen, and not read.
    for name in ("checkout", "internal", "quiet"):
        state.function(name)
    for name in ("checkout", "quiet"):
        lam.publish_version(FunctionName=name)
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="AWS_IAM")
    lam.create_function_url_config(FunctionName="internal", AuthType="AWS_IAM")
    state.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            requests("checkout", "checkout:live"),
            requests("internal", "internal:$LATEST"),
        ],
    )
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws,
        options=OPTIONS,
    )


def by_name(inventory: RegionInventory, name: str):
    return next(fn for fn in inventory.functions if fn.name == name)


def test_an_iam_url_on_an_alias_that_served_requests_is_read(inventory):
    live = by_name(inventory, "checkout").qualifier("live")
    assert live is not None and live.named_by == ["url"]
    assert live.function_url_read
    assert live.function_url is not None and live.function_url.auth_type == "AWS_IAM"
    assert (live.exists, live.version) == (True, "1")


def test_an_iam_url_on_the_function_that_served_requests_is_read(inventory):
    internal = by_name(inventory, "internal")
    assert internal.function_url is not None and internal.function_url.auth_type == "AWS_IAM"


def test_an_idle_iam_url_costs_no_call(inventory):
    quiet = by_name(inventory, "quiet")
    assert quiet.qualifiers == [] and quiet.function_url is None
    # one URL read each for checkout:live and internal; one ListMetrics finds them
    assert inventory.api_calls["lambda.GetFunctionUrlConfig"] == 2
    assert "lambda.ListFunctionUrlConfigs" not in inventory.api_calls
    assert inventory.coverage_gaps == []

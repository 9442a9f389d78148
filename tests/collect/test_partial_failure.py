"""Partial failure: what AWS refuses becomes a coverage gap and the scan goes on; only a region
that cannot be read at all raises AwsAccessError.

The failures are injected with botocore ``before-call`` handlers on the session, so they travel
the client's real path (the collector's counting hook sees them) and everything else is answered
by the emulator. (moto's IAM enforcement would be the more literal way, but its server rejects
signed Lambda requests with SignatureDoesNotMatch once enforcement is on.)
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from advisor.collect.errors import AwsAccessError
from advisor.collect.inventory import (
    DATA_APIS,
    DATA_FUNCTIONS,
    DATA_METRICS,
    DATA_POLICIES,
    RegionInventory,
)
from advisor.collect.metrics import ACCOUNT_RESOURCE
from advisor.collect.scanner import CollectOptions, collect_inventory, collect_region
from advisor.collect.session import allowed_endpoint
from tests.collect.aws_state import ACCOUNT, REGION, Aws
from tests.fixtures.aws_state import refuse
from tests.fixtures.emulator import free_port

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2)


def arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"


def scan(state: Aws, **options: Any) -> RegionInventory:
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=state.region,
        endpoint_url=state.endpoint,
        options=CollectOptions(**{**OPTIONS.__dict__, **options}),
    )


@pytest.fixture
def state(aws: str) -> Aws:
    state = Aws.connect(aws)
    for name in ("alpha", "bravo", "charlie"):
        state.function(name, Tags={"name": name})
        state.client("lambda").add_permission(
            FunctionName=name,
            StatementId="sns",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
            SourceArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}-topic",
        )
    state.rest_api("public", arn("alpha"))
    return state


def test_access_denied_operation_is_one_region_gap_and_the_rest_is_read(state: Aws):
    refuse(state.session, "lambda.GetPolicy", "AccessDeniedException", status=403)

    inventory = scan(state, max_workers=1)

    assert [
        (g.service, g.operation, g.error_code, g.hides, g.resource_arn)
        for g in inventory.coverage_gaps
    ] == [("lambda", "GetPolicy", "AccessDeniedException", DATA_POLICIES, None)]
    # Refused once for the role: not asked again for every other function.
    assert inventory.api_calls["lambda.GetPolicy"] == 1
    assert sorted(fn.name for fn in inventory.functions) == ["alpha", "bravo", "charlie"]
    assert all(fn.tags == {"name": fn.name} for fn in inventory.functions)
    assert all(fn.policy_statements == [] for fn in inventory.functions)
    assert inventory.api_integrations and inventory.api_integrations[0].function_arn == arn("alpha")
    assert inventory.missing(DATA_POLICIES, arn("bravo")) is not None


def test_throttle_on_one_function_is_a_gap_for_that_function(state: Aws):
    refuse(
        state.session,
        "lambda.GetPolicy",
        "TooManyRequestsException",
        status=429,
        when=lambda params: "bravo" in params["url_path"],
    )

    inventory = scan(state)

    (gap,) = inventory.coverage_gaps
    assert (gap.operation, gap.error_code, gap.hides, gap.resource_arn) == (
        "GetPolicy",
        "TooManyRequestsException",
        DATA_POLICIES,
        arn("bravo"),
    )
    policies = {fn.name: fn.policy_statements for fn in inventory.functions}
    assert policies["bravo"] == []
    assert [s.principal for s in policies["alpha"]] == ["sns.amazonaws.com"]
    assert inventory.missing(DATA_POLICIES, arn("alpha")) is None
    assert {s.function_arn for s in inventory.push_sources} == {arn("alpha"), arn("charlie")}


def test_bare_status_on_one_function_is_a_gap_for_that_function(state: Aws):
    # An answer without an error code (botocore reports the status) says nothing about the
    # operation: the other functions are still asked.
    refuse(
        state.session,
        "lambda.GetFunction",
        "404",
        status=404,
        when=lambda params: "alpha" in params["url_path"],
    )

    inventory = scan(state, max_workers=1)

    (gap,) = inventory.coverage_gaps
    assert (gap.operation, gap.error_code, gap.resource_arn) == ("GetFunction", "404", arn("alpha"))
    assert inventory.api_calls["lambda.GetFunction"] == 3
    tags = {fn.name: fn.tags for fn in inventory.functions}
    assert tags == {"alpha": {}, "bravo": {"name": "bravo"}, "charlie": {"name": "charlie"}}


def test_service_missing_in_the_region_is_a_gap(state: Aws):
    def unreachable(**_: Any):
        raise EndpointConnectionError(endpoint_url="https://apigateway.invalid")

    state.session.events.register("before-call.apigatewayv2.GetApis", unreachable)

    inventory = scan(state)

    (gap,) = inventory.coverage_gaps
    assert (gap.service, gap.operation, gap.error_code, gap.hides, gap.resource_arn) == (
        "apigatewayv2",
        "GetApis",
        "EndpointConnectionError",
        DATA_APIS,
        None,
    )
    assert [i.api_kind for i in inventory.api_integrations] == ["rest"]
    assert len(inventory.functions) == 3


def test_metrics_that_outlast_retries_are_gaps_per_function(state: Aws):
    refuse(state.session, "cloudwatch.GetMetricData", "Throttling", status=400)

    inventory = scan(state)

    gaps = {g.resource_arn: g for g in inventory.coverage_gaps}
    assert set(gaps) == {arn("alpha"), arn("bravo"), arn("charlie"), ACCOUNT_RESOURCE}
    assert all(g.hides == DATA_METRICS and g.error_code == "Throttling" for g in gaps.values())
    assert "Invocations/Sum" in gaps[arn("alpha")].message
    assert all(
        fn.metrics is not None and fn.metrics.invocations is None for fn in inventory.functions
    )
    assert inventory.account_concurrency_max is None
    assert all(fn.tags for fn in inventory.functions)


def test_opt_in_region_not_enabled_is_a_gap_not_a_failure(state: Aws):
    refuse(state.session, "lambda.ListFunctions", "UnrecognizedClientException", status=403)

    inventory = scan(state)

    (gap,) = inventory.coverage_gaps
    assert (gap.operation, gap.error_code, gap.hides, gap.resource_arn) == (
        "ListFunctions",
        "UnrecognizedClientException",
        DATA_FUNCTIONS,
        None,
    )
    assert "opt-in region" in gap.message
    assert inventory.functions == []


def test_refused_credentials_raise(state: Aws):
    refuse(state.session, "lambda.ListFunctions", "InvalidClientTokenId", status=403)
    refuse(state.session, "sts.GetCallerIdentity", "InvalidClientTokenId", status=403)

    with pytest.raises(AwsAccessError, match="credentials refused"):
        scan(state)


def test_unreachable_endpoint_raises(aws: str):
    state = Aws.connect(allowed_endpoint(f"http://127.0.0.1:{free_port()}", allow=True))

    with pytest.raises(AwsAccessError, match="could not be reached"):
        scan(state, connect_timeout_s=1)


def test_an_error_that_is_not_from_aws_propagates(state: Aws):
    def broken(**_: Any):
        raise ValueError("a bug, not an AWS answer")

    state.session.events.register("before-call.lambda.GetFunction", broken)

    with pytest.raises(ValueError, match="a bug"):
        scan(state)


def test_two_regions_make_one_inventory(aws: str):
    for region in ("us-east-1", "eu-west-1"):
        Aws.connect(aws, region=region).function(f"api-{region}")

    inventory = collect_inventory(
        session=boto3.Session(region_name="us-east-1"),
        account_id=ACCOUNT,
        regions=["us-east-1", "eu-west-1"],
        endpoint_url=aws,
        options=OPTIONS,
    )

    assert [r.region for r in inventory.regions] == ["us-east-1", "eu-west-1"]
    assert [fn.arn for fn in inventory.functions] == [
        arn("api-us-east-1", "us-east-1"),
        arn("api-eu-west-1", "eu-west-1"),
    ]
    assert all(r.api_calls["lambda.ListFunctions"] == 1 for r in inventory.regions)
    assert inventory.coverage_gaps == []


def test_async_config_is_not_read_where_a_dead_letter_queue_covers_failures(state: Aws):
    _, dlq = state.queue("alpha-dlq")
    state.client("lambda").update_function_configuration(
        FunctionName="alpha", DeadLetterConfig={"TargetArn": dlq}
    )

    inventory = scan(state)
    everything = scan(state, async_config_with_dead_letter=True)

    assert inventory.api_calls["lambda.GetFunctionEventInvokeConfig"] == 2  # bravo, charlie
    assert everything.api_calls["lambda.GetFunctionEventInvokeConfig"] == 3

"""The API call budget: with 120 functions, every operation is called exactly as often as the
design allows, and the shared Lambda bucket sees fewer than 0.5 calls per function."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from advisor.collect import metrics
from advisor.collect.clients import lambda_bucket
from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from tests.collect.aws_state import ACCOUNT, DUMMY_CREDENTIALS, REGION, Aws
from tests.fixtures.emulator import reset_emulator

FUNCTIONS = 120
ASYNC = 20  # S3 may invoke them: their async invoke config is read
URLS = 5  # their policy grants InvokeFunctionUrl: their URL config is read
PROVISIONED = 3  # CloudWatch lists provisioned-concurrency metrics for them
MAPPINGS = 110  # SQS mappings, more than one page of 100
QUEUES = 10  # distinct source queues
VPC = 30  # attached to a VPC: one DescribeSubnets reads the zones of all their subnets
END = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def scanned(aws_endpoint: str) -> RegionInventory:
    reset_emulator(aws_endpoint)
    state = Aws.connect(aws_endpoint, **DUMMY_CREDENTIALS)
    lam = state.client("lambda")
    queue_arns = [state.queue(f"jobs-{i}")[1] for i in range(QUEUES)]
    ec2 = state.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate(("us-east-1a", "us-east-1b", "us-east-1c"))
    ]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    for i in range(FUNCTIONS):
        name = f"fn-{i:03d}"
        if i >= FUNCTIONS - VPC:
            config = {"SubnetIds": subnets[i % 2 : i % 2 + 2], "SecurityGroupIds": [group]}
            state.function(name, VpcConfig=config)
        else:
            state.function(name)
        if i < ASYNC:
            lam.add_permission(
                FunctionName=name,
                StatementId="s3",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
                SourceArn=f"arn:aws:s3:::bucket-{i}",
            )
        elif i < ASYNC + URLS:
            lam.create_function_url_config(FunctionName=name, AuthType="NONE")
            lam.add_permission(
                FunctionName=name,
                StatementId="url",
                Action="lambda:InvokeFunctionUrl",
                Principal="*",
                FunctionUrlAuthType="NONE",
            )
        if i < MAPPINGS:
            lam.create_event_source_mapping(
                EventSourceArn=queue_arns[i % QUEUES], FunctionName=name, BatchSize=10
            )
    state.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "ProvisionedConcurrencyUtilization",
                "Dimensions": [
                    {"Name": "FunctionName", "Value": f"fn-{i:03d}"},
                    {"Name": "Resource", "Value": f"fn-{i:03d}:live"},
                ],
                "Timestamp": END - timedelta(hours=1),
                "Value": 0.5,
            }
            for i in range(FUNCTIONS - PROVISIONED, FUNCTIONS)
        ],
    )
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws_endpoint,
        options=CollectOptions(rate_limit=False, max_attempts=2, metrics_end=END),
    )


def test_calls_per_operation_for_120_functions(scanned: RegionInventory):
    # 6 series for every function + the p99, 2 more for each provisioned function and for each
    # function S3 invokes (AsyncEventsDropped, AsyncEventAge), 3 account-wide
    queries = FUNCTIONS * 7 + ASYNC * 2 + PROVISIONED * 2 + 3
    assert scanned.api_calls == {
        "lambda.ListFunctions": math.ceil(FUNCTIONS / 50),
        "lambda.ListEventSourceMappings": math.ceil(MAPPINGS / 100),
        "lambda.GetAccountSettings": 1,
        "lambda.GetFunction": FUNCTIONS,
        "lambda.GetPolicy": FUNCTIONS,
        "lambda.GetFunctionEventInvokeConfig": ASYNC,
        "lambda.GetFunctionUrlConfig": URLS,
        "lambda.ListProvisionedConcurrencyConfigs": PROVISIONED,
        "sqs.GetQueueAttributes": QUEUES,
        "ec2.DescribeSubnets": 1,
        "logs.DescribeLogGroups": 1,
        "apigateway.GetRestApis": 1,
        "apigatewayv2.GetApis": 1,
        "scheduler.ListSchedules": 1,
        "events.ListEventBuses": 1,
        "events.ListRules": 1,
        "stepfunctions.ListStateMachines": 1,
        "pipes.ListPipes": 1,
        # provisioned-concurrency metrics, invocations and URL requests per alias or version
        "cloudwatch.ListMetrics": 3,
        "cloudwatch.GetMetricData": math.ceil(queries / 300),
    }
    assert scanned.api_retries == {}
    assert scanned.coverage_gaps == []


def test_shared_lambda_bucket_stays_under_half_a_call_per_function(scanned: RegionInventory):
    shared = sum(n for key, n in scanned.api_calls.items() if lambda_bucket(key) == "lambda")
    assert shared == 3 + 2 + 1 + ASYNC + URLS + PROVISIONED
    assert shared / FUNCTIONS < 0.5


def test_get_metric_data_calls_follow_the_datapoint_limit(scanned: RegionInventory):
    window = metrics.metrics_window(CollectOptions(metrics_end=END))
    assert window.points == 336
    assert metrics.queries_per_call(window.points) == 300  # 300 x 336 = 100,800 data points
    queries = FUNCTIONS * 7 + ASYNC * 2 + PROVISIONED * 2 + 3
    # one window of 336 points: 300 queries a call
    assert scanned.api_calls["cloudwatch.GetMetricData"] == math.ceil(queries / 300) == 3
    assert all(fn.metrics is not None for fn in scanned.functions)
    assert len(scanned.functions) == FUNCTIONS
    assert len(scanned.event_source_mappings) == MAPPINGS


def test_one_describe_subnets_reads_the_zones_of_every_vpc_function(scanned: RegionInventory):
    assert sorted(set(scanned.subnet_zones.values())) == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert scanned.api_calls["ec2.DescribeSubnets"] == 1


# An estate shaped like production: 40 % of the functions sit behind an alias (live -> version 1)
# that their triggers invoke, a quarter of those asynchronously (SNS, granted on the alias).
ALIASED = 48
ALIASED_ASYNC = 12
ALIASED_MAPPINGS = 30  # SQS mappings on fn:live


@pytest.fixture(scope="module")
def production(aws_endpoint: str) -> RegionInventory:
    reset_emulator(aws_endpoint)
    state = Aws.connect(aws_endpoint, **DUMMY_CREDENTIALS)
    lam = state.client("lambda")
    queue_arns = [state.queue(f"work-{i}")[1] for i in range(QUEUES)]
    invocations = []
    for i in range(FUNCTIONS):
        name = f"svc-{i:03d}"
        state.function(name)
        if i >= ALIASED:
            continue
        lam.publish_version(FunctionName=name)
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        if i < ALIASED_ASYNC:
            lam.add_permission(
                FunctionName=name,
                Qualifier="live",
                StatementId="sns",
                Action="lambda:InvokeFunction",
                Principal="sns.amazonaws.com",
                SourceArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:topic-{i}",
            )
        elif i < ALIASED_ASYNC + ALIASED_MAPPINGS:
            lam.create_event_source_mapping(
                EventSourceArn=queue_arns[i % QUEUES], FunctionName=f"{name}:live", BatchSize=10
            )
        invocations.append(
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "FunctionName", "Value": name},
                    {"Name": "Resource", "Value": f"{name}:live"},
                ],
                "Timestamp": END - timedelta(hours=1),
                "Value": 5,
            }
        )
    cloudwatch = state.client("cloudwatch")
    for start in range(0, len(invocations), 20):
        cloudwatch.put_metric_data(
            Namespace="AWS/Lambda", MetricData=invocations[start : start + 20]
        )
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws_endpoint,
        options=CollectOptions(rate_limit=False, max_attempts=2, metrics_end=END),
    )


def test_aliases_keep_the_shared_bucket_under_half_a_call_per_function(
    production: RegionInventory,
):
    calls = production.api_calls
    shared = {key: n for key, n in calls.items() if lambda_bucket(key) == "lambda"}
    assert shared == {
        "lambda.ListFunctions": math.ceil(FUNCTIONS / 50),
        "lambda.ListEventSourceMappings": 1,
        "lambda.GetAccountSettings": 1,
        # the aliases SNS may invoke: their own event invoke config
        "lambda.GetFunctionEventInvokeConfig": ALIASED_ASYNC,
    }
    assert sum(shared.values()) / FUNCTIONS < 0.5
    invoked = sum(len(fn.qualifiers) for fn in production.functions)
    assert invoked == ALIASED
    # GetPolicy: at most one per function plus one per qualifier a caller invokes
    assert calls["lambda.GetPolicy"] == FUNCTIONS + invoked
    assert calls["lambda.GetFunction"] == FUNCTIONS + invoked
    assert production.coverage_gaps == []


def test_aliases_async_callers_invoke_get_their_series_in_the_same_calls(
    production: RegionInventory,
):
    # 7 series a function and 3 account-wide, as without aliases; 4 for each alias SNS invokes
    # (AsyncEventsDropped, AsyncEventAge, DeadLetterErrors, DestinationDeliveryFailures)
    window = metrics.metrics_window(CollectOptions(metrics_end=END))
    queries = FUNCTIONS * 7 + 3 + ALIASED_ASYNC * 4
    calls = production.api_calls["cloudwatch.GetMetricData"]
    assert metrics.queries_per_call(window.points) == 300
    assert calls == math.ceil(queries / 300)
    assert calls == math.ceil((FUNCTIONS * 7 + 3) / 300)  # no call more
    with_series = [fn for fn in production.functions if fn.metrics.async_by_qualifier]
    assert len(with_series) == ALIASED_ASYNC
    assert all(set(fn.metrics.async_by_qualifier) == {"live"} for fn in with_series)


def test_every_alias_resolves_to_the_version_that_serves_it(production: RegionInventory):
    aliased = [fn for fn in production.functions if fn.qualifiers]
    assert len(aliased) == ALIASED
    for fn in aliased:
        live = fn.qualifier("live")
        assert (live.exists, live.version, live.has_traffic) == (True, "1", True)
        assert [v.version for v in fn.serving("live")] == ["1"]
    async_aliases = [fn for fn in aliased if fn.qualifier("live").policy_statements]
    assert len(async_aliases) == ALIASED_ASYNC
    assert all(fn.qualifier("live").async_config_read for fn in async_aliases)


def test_minute_resolution_packs_fewer_queries_into_each_call(aws_endpoint: str):
    # given one function: its 7 series and the account's 3, at one point a minute for 14 days
    reset_emulator(aws_endpoint)
    state = Aws.connect(aws_endpoint, **DUMMY_CREDENTIALS)
    state.function("minutely")
    options = CollectOptions(rate_limit=False, metrics_end=END, metrics_period_s=60)
    assert metrics.metrics_window(options).points == 20_160
    # when the region is collected
    inventory = collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws_endpoint,
        options=options,
    )
    # then 5 queries a call (5 x 20,160 = 100,800 data points): 10 queries take 2 calls
    assert inventory.coverage_gaps == []
    assert inventory.api_calls["cloudwatch.GetMetricData"] == 2

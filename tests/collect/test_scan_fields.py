"""Given real AWS state built in the emulator over HTTP, a region scan reads every field back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from tests.collect.aws_state import (
    ACCOUNT,
    DUMMY_CREDENTIALS,
    REGION,
    Aws,
    package,
)
from tests.fixtures.emulator import reset_emulator

END = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics_end=END)
SECRET_VALUES = {
    "DB_PASSWORD": "hU8#kLq2$vX9pRw4",
    "AWS_KEY": "AKIAIOSFODNN7EXAMPLE",
    "STRIPE": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
}


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@pytest.fixture(scope="module")
def estate(aws_endpoint: str) -> Aws:
    """A small but complete estate: every field the inventory holds has a value to read. Built
    once for the module: the tests below only read the inventory."""
    reset_emulator(aws_endpoint)
    state = Aws.connect(aws_endpoint, **DUMMY_CREDENTIALS)
    lam = state.client("lambda")

    layer_arn = lam.publish_layer_version(
        LayerName="shared-libs", Content={"ZipFile": package()}, CompatibleRuntimes=["python3.12"]
    )["LayerVersionArn"]
    ec2 = state.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc_id)["GroupId"]
    _, orders_dlq = state.queue("orders-dlq")

    # A synchronous API function with everything configured.
    state.function(
        "orders-api",
        MemorySize=1024,
        Timeout=60,
        Architectures=["arm64"],
        EphemeralStorage={"Size": 2048},
        Description="Orders API",
        Layers=[layer_arn],
        TracingConfig={"Mode": "Active"},
        DeadLetterConfig={"TargetArn": orders_dlq},
        VpcConfig={"SubnetIds": [subnet_id], "SecurityGroupIds": [group_id]},
        LoggingConfig={
            "LogFormat": "JSON",
            "LogGroup": "/custom/orders",
            "ApplicationLogLevel": "DEBUG",
            "SystemLogLevel": "WARN",
        },
        Environment={"Variables": {**SECRET_VALUES, "STAGE": "prod", "TABLE": "orders"}},
        Tags={"team": "orders"},
    )
    lam.put_function_concurrency(FunctionName="orders-api", ReservedConcurrentExecutions=50)

    apigw = state.client("apigateway")
    rest = apigw.create_rest_api(name="orders-rest")
    root = apigw.get_resources(restApiId=rest["id"])["items"][0]["id"]
    resource = apigw.create_resource(restApiId=rest["id"], parentId=root, pathPart="orders")
    uri = (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
        f"{arn('orders-api')}/invocations"
    )
    for verb, timeout in (("GET", 10_000), ("POST", None)):
        apigw.put_method(
            restApiId=rest["id"],
            resourceId=resource["id"],
            httpMethod=verb,
            authorizationType="NONE",
        )
        apigw.put_integration(
            restApiId=rest["id"],
            resourceId=resource["id"],
            httpMethod=verb,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri,
            **({"timeoutInMillis": timeout} if timeout else {}),
        )
    v2 = state.client("apigatewayv2")
    http = v2.create_api(Name="orders-http", ProtocolType="HTTP")
    integration = v2.create_integration(
        ApiId=http["ApiId"],
        IntegrationType="AWS_PROXY",
        IntegrationUri=arn("orders-api"),
        PayloadFormatVersion="2.0",
        TimeoutInMillis=5000,
    )
    v2.create_route(
        ApiId=http["ApiId"],
        RouteKey="GET /orders/{id}",
        Target=f"integrations/{integration['IntegrationId']}",
    )

    # An S3-triggered function with an on-failure destination.
    state.function("thumbnailer")
    lam.add_permission(
        FunctionName="thumbnailer",
        StatementId="s3-uploads",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        SourceAccount=ACCOUNT,
    )
    _, thumbnail_failures = state.queue("thumbnailer-failures")
    lam.put_function_event_invoke_config(
        FunctionName="thumbnailer",
        MaximumRetryAttempts=1,
        MaximumEventAgeInSeconds=3600,
        DestinationConfig={"OnFailure": {"Destination": thumbnail_failures}},
    )

    # A public function URL.
    state.function("webhook")
    lam.create_function_url_config(
        FunctionName="webhook", AuthType="NONE", Cors={"AllowOrigins": ["*"]}
    )
    lam.add_permission(
        FunctionName="webhook",
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )

    # An SQS consumer with a redrive policy.
    _, jobs_dlq = state.queue("jobs-dlq")
    _, jobs = state.queue(
        "jobs",
        VisibilityTimeout=180,
        MessageRetentionPeriod=86_400,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": jobs_dlq, "maxReceiveCount": 5}),
    )
    state.function("queue-worker", Timeout=30)
    lam.create_event_source_mapping(
        EventSourceArn=jobs,
        FunctionName="queue-worker",
        BatchSize=10,
        MaximumBatchingWindowInSeconds=5,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 8},
    )

    # A Kinesis consumer with a bounded retry policy.
    kinesis = state.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream = kinesis.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]
    state.function("stream-consumer")
    lam.create_event_source_mapping(
        EventSourceArn=stream["StreamARN"],
        FunctionName="stream-consumer",
        StartingPosition="LATEST",
        BatchSize=100,
        MaximumRetryAttempts=3,
        MaximumRecordAgeInSeconds=3600,
        BisectBatchOnFunctionError=True,
        ParallelizationFactor=2,
        DestinationConfig={"OnFailure": {"Destination": jobs_dlq}},
    )

    # Provisioned concurrency on an alias, which CloudWatch lists.
    state.function("checkout")
    lam.publish_version(FunctionName="checkout")
    lam.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
    lam.put_provisioned_concurrency_config(
        FunctionName="checkout", Qualifier="live", ProvisionedConcurrentExecutions=5
    )

    # SnapStart on a Java function.
    state.function(
        "ledger",
        Runtime="java21",
        Handler="ledger.Handler::handleRequest",
        SnapStart={"ApplyOn": "PublishedVersions"},
    )

    logs = state.client("logs")
    for name, days in (
        ("/aws/lambda/thumbnailer", 14),
        ("/aws/lambda/webhook", None),
        ("/custom/orders", 30),
    ):
        logs.create_log_group(logGroupName=name)
        if days:
            logs.put_retention_policy(logGroupName=name, retentionInDays=days)

    cloudwatch = state.client("cloudwatch")

    def point(metric: str, hours_ago: int, value: float, **dimensions: str) -> dict:
        return {
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            "Timestamp": END - timedelta(hours=hours_ago),
            "Value": value,
        }

    orders = {"FunctionName": "orders-api"}
    cloudwatch.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            point("Invocations", 3, 100, **orders),
            point("Invocations", 2, 300, **orders),
            point("Errors", 2, 2, **orders),
            point("Throttles", 3, 1, **orders),
            point("Duration", 3, 120, **orders),
            point("Duration", 2, 200, **orders),
            point("ConcurrentExecutions", 2, 7, **orders),
            point("DeadLetterErrors", 2, 1, **orders),
            point("IteratorAge", 5, 60_000, FunctionName="stream-consumer"),
            point("DestinationDeliveryFailures", 4, 3, FunctionName="thumbnailer"),
            point(
                "ProvisionedConcurrencyUtilization",
                2,
                0.8,
                FunctionName="checkout",
                Resource="checkout:live",
            ),
            point(
                "ProvisionedConcurrencySpilloverInvocations",
                2,
                4,
                FunctionName="checkout",
                Resource="checkout:live",
            ),
            point("ConcurrentExecutions", 2, 42),
            point("UnreservedConcurrentExecutions", 2, 30),
        ],
    )
    return state


@pytest.fixture(scope="module")
def inventory(estate: Aws) -> RegionInventory:
    return collect_region(
        session=estate.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=estate.endpoint,
        options=OPTIONS,
    )


def by_name(inventory: RegionInventory, name: str):
    return next(fn for fn in inventory.functions if fn.name == name)


def test_function_configuration_is_read_back(inventory: RegionInventory):
    fn = by_name(inventory, "orders-api")
    assert fn.arn == arn("orders-api")
    assert fn.region == REGION
    assert (fn.runtime, fn.handler, fn.memory_mb, fn.timeout_s) == (
        "python3.12",
        "app.handler",
        1024,
        60,
    )
    assert fn.architectures == ["arm64"]
    assert fn.ephemeral_storage_mb == 2048
    assert fn.package_type == "Zip"
    assert fn.code_size == len(package())
    assert fn.description == "Orders API"
    assert fn.tracing_mode == "Active"
    assert fn.dead_letter_target == f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-dlq"
    assert len(fn.vpc_subnet_ids) == 1 and fn.vpc_subnet_ids[0].startswith("subnet-")
    assert len(fn.vpc_security_group_ids) == 1 and fn.vpc_security_group_ids[0].startswith("sg-")
    assert (fn.log_group, fn.log_format) == ("/custom/orders", "JSON")
    assert (fn.application_log_level, fn.system_log_level) == ("DEBUG", "WARN")
    assert fn.last_modified
    assert [layer.arn.split(":")[-2:] for layer in fn.layers] == [["shared-libs", "1"]]
    assert fn.layers[0].code_size == len(package())
    assert by_name(inventory, "ledger").snap_start == "PublishedVersions"
    assert by_name(inventory, "webhook").log_group == "/aws/lambda/webhook"


def test_get_function_adds_reserved_concurrency_and_tags(inventory: RegionInventory):
    fn = by_name(inventory, "orders-api")
    assert fn.reserved_concurrency == 50
    assert fn.tags == {"team": "orders"}
    assert by_name(inventory, "webhook").reserved_concurrency is None


def test_environment_keeps_names_and_secret_flags_only(inventory: RegionInventory):
    fn = by_name(inventory, "orders-api")
    assert {(v.name, v.looks_secret) for v in fn.environment} == {
        ("AWS_KEY", True),
        ("DB_PASSWORD", True),
        ("STAGE", False),
        ("STRIPE", True),
        ("TABLE", False),
    }
    dumped = json.dumps(inventory.to_dict())
    for value in SECRET_VALUES.values():
        assert value not in dumped


def test_policy_statements_push_sources_and_async_config(inventory: RegionInventory):
    fn = by_name(inventory, "thumbnailer")
    (statement,) = fn.policy_statements
    assert (statement.sid, statement.effect, statement.principal, statement.action) == (
        "s3-uploads",
        "Allow",
        "s3.amazonaws.com",
        "lambda:InvokeFunction",
    )
    assert statement.source_arn == "arn:aws:s3:::uploads"
    assert statement.source_account == ACCOUNT
    assert statement.has_condition
    assert [
        (s.function_arn, s.principal, s.source_arn, s.invocation) for s in inventory.push_sources
    ] == [(arn("thumbnailer"), "s3.amazonaws.com", "arn:aws:s3:::uploads", "async")]
    assert fn.async_config is not None
    assert fn.async_config.maximum_retry_attempts == 1
    assert fn.async_config.maximum_event_age_seconds == 3600
    assert fn.async_config.on_failure == f"arn:aws:sqs:{REGION}:{ACCOUNT}:thumbnailer-failures"
    assert fn.async_config.on_success is None
    # Not invoked asynchronously: the async config is not even asked for.
    assert by_name(inventory, "orders-api").async_config is None
    assert inventory.api_calls["lambda.GetFunctionEventInvokeConfig"] == 1


def test_function_url_read_where_the_policy_shows_one(inventory: RegionInventory):
    fn = by_name(inventory, "webhook")
    assert fn.function_url is not None
    assert fn.function_url.auth_type == "NONE"
    assert fn.function_url.cors is True
    assert fn.function_url.url.startswith("https://")
    (statement,) = fn.policy_statements
    assert (statement.principal, statement.action) == ("*", "lambda:InvokeFunctionUrl")
    assert statement.function_url_auth_type == "NONE"
    assert inventory.api_calls["lambda.GetFunctionUrlConfig"] == 1


def test_event_source_mappings_and_queues(inventory: RegionInventory):
    mappings = {m.kind: m for m in inventory.event_source_mappings}
    sqs = mappings["sqs"]
    assert sqs.function_arn.startswith(arn("queue-worker"))
    assert sqs.source_arn == f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
    assert (sqs.batch_size, sqs.batching_window_s, sqs.report_batch_item_failures) == (10, 5, True)
    assert sqs.maximum_concurrency == 8  # ScalingConfig, in ListEventSourceMappings' answer
    assert sqs.state in ("Enabled", "Creating", "Enabling")
    assert sqs.uuid

    kinesis = mappings["kinesis"]
    assert kinesis.maximum_concurrency is None  # SQS only
    assert kinesis.function_arn.startswith(arn("stream-consumer"))
    assert kinesis.source_arn.endswith(":stream/clicks")
    assert (kinesis.maximum_retry_attempts, kinesis.maximum_record_age_s) == (3, 3600)
    assert kinesis.bisect_on_error is True
    assert kinesis.parallelization_factor == 2
    assert kinesis.on_failure_destination == f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs-dlq"

    queue = inventory.queues[f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"]
    assert (queue.visibility_timeout_s, queue.message_retention_s) == (180, 86_400)
    assert queue.redrive_target_arn == f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs-dlq"
    assert queue.max_receive_count == 5
    assert queue.is_dead_letter_queue is False
    assert queue.url.endswith(f"/{ACCOUNT}/jobs")
    assert list(inventory.queues) == [queue.arn]  # only source queues are looked up


def test_api_integrations_with_their_timeouts(inventory: RegionInventory):
    found = sorted(
        (i.api_kind, i.api_name, i.route, i.timeout_ms, i.function_arn)
        for i in inventory.api_integrations
    )
    assert found == [
        ("http", "orders-http", "GET /orders/{id}", 5000, arn("orders-api")),
        ("rest", "orders-rest", "GET /orders", 10_000, arn("orders-api")),
        ("rest", "orders-rest", "POST /orders", 29_000, arn("orders-api")),
    ]
    assert all(i.api_id for i in inventory.api_integrations)


def test_log_group_retention(inventory: RegionInventory):
    assert inventory.log_group_retention == {
        "/aws/lambda/thumbnailer": 14,
        "/aws/lambda/webhook": None,
        "/custom/orders": 30,
    }


def test_account_settings(inventory: RegionInventory):
    account = inventory.account
    assert account.concurrency_limit == 1000
    assert account.unreserved_concurrency == 950  # 50 reserved by orders-api
    assert account.total_code_size and account.total_code_size > 0
    assert account.code_size_limit and account.code_size_zipped_limit == 52_428_800
    assert account.code_size_unzipped_limit == 262_144_000


def test_provisioned_concurrency_read_where_cloudwatch_lists_it(inventory: RegionInventory):
    fn = by_name(inventory, "checkout")
    assert [(c.qualifier, c.requested) for c in fn.provisioned_concurrency] == [("live", 5)]
    assert inventory.api_calls["lambda.ListProvisionedConcurrencyConfigs"] == 1
    assert fn.metrics is not None
    assert fn.metrics.provisioned_utilization_max is not None
    assert fn.metrics.provisioned_utilization_max.peak() == pytest.approx(0.8)
    assert fn.metrics.provisioned_spillover is not None
    assert fn.metrics.provisioned_spillover.total() == 4


def test_metrics_series_and_summaries(inventory: RegionInventory):
    metrics = by_name(inventory, "orders-api").metrics
    assert metrics is not None
    assert metrics.window_hours == 14 * 24
    assert metrics.invocations is not None
    assert len(metrics.invocations.values) == 14 * 24
    assert metrics.invocations.start == int((END - timedelta(days=14)).timestamp())
    assert metrics.invocations.values[-3:] == [100, 300, None]
    assert metrics.invocations_total == 400
    assert metrics.errors_total == 2
    assert metrics.throttles_total == 1
    assert metrics.duration_avg_ms == pytest.approx((120 * 100 + 200 * 300) / 400)
    assert metrics.duration_max_ms == 200
    assert metrics.concurrency_peak == 7
    assert metrics.dead_letter_errors is not None and metrics.dead_letter_errors.total() == 1
    stream = by_name(inventory, "stream-consumer").metrics
    assert stream is not None and stream.iterator_age_max_ms == 60_000
    thumbnailer = by_name(inventory, "thumbnailer").metrics
    assert thumbnailer is not None and thumbnailer.destination_delivery_failures is not None
    assert thumbnailer.destination_delivery_failures.total() == 3
    # Series only for the functions that can have them.
    assert by_name(inventory, "webhook").metrics.iterator_age_max is None
    assert inventory.account_concurrency_max is not None
    assert inventory.account_concurrency_max.peak() == 42
    assert inventory.account_unreserved_concurrency_max is not None
    assert inventory.account_unreserved_concurrency_max.peak() == 30


def test_duration_percentile(inventory: RegionInventory):
    metrics = by_name(inventory, "orders-api").metrics
    assert metrics is not None and metrics.duration_p99 is not None
    assert metrics.duration_p99_ms == 200


def test_no_gaps_and_json_round_trip(inventory: RegionInventory):
    assert inventory.coverage_gaps == []
    again = RegionInventory.from_dict(json.loads(json.dumps(inventory.to_dict())))
    assert again == inventory

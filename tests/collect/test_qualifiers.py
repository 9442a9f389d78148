"""Aliases and versions callers invoke, read from the emulator over HTTP as from AWS: found from
triggers and per-qualifier metrics, resolved to their versions, with each qualifier's own
policy, event invoke config, URL and provisioned concurrency."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from advisor.collect.inventory import DATA_QUALIFIERS, RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.demo.emulator_lambda_qualifiers import MAPPING_STATE_PATH
from tests.collect.aws_state import ACCOUNT, DUMMY_CREDENTIALS, REGION, Aws
from tests.fixtures.emulator import reset_emulator

END = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics_end=END)


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@pytest.fixture(scope="module")
def estate(aws_endpoint: str) -> Aws:
    reset_emulator(aws_endpoint)
    state = Aws.connect(aws_endpoint, **DUMMY_CREDENTIALS)
    lam = state.client("lambda")

    # orders: a REST API calls orders:live (version 2, 60 s) while $LATEST says 5 s; SNS may
    # invoke the alias only, and the alias has the on-failure destination.
    state.function("orders", Timeout=10)
    lam.publish_version(FunctionName="orders")
    lam.update_function_configuration(FunctionName="orders", Timeout=60)
    lam.publish_version(FunctionName="orders")
    lam.update_function_configuration(FunctionName="orders", Timeout=5)
    lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="2")
    lam.add_permission(
        FunctionName="orders",
        Qualifier="live",
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:orders",
    )
    lam.put_function_event_invoke_config(
        FunctionName="orders",
        Qualifier="live",
        DestinationConfig={
            "OnFailure": {"Destination": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-failed"}
        },
    )
    state.rest_api_routes("shop", {"orders": arn("orders:live"), "gone": arn("orders:gone")})
    apigw = state.client("apigateway")

    # A stage-variable API: prod names orders:live, dev names nothing.
    staged = apigw.create_rest_api(name="staged")
    staged_root = apigw.get_resources(restApiId=staged["id"])["items"][0]["id"]
    apigw.put_method(
        restApiId=staged["id"], resourceId=staged_root, httpMethod="GET", authorizationType="NONE"
    )
    apigw.put_integration(
        restApiId=staged["id"],
        resourceId=staged_root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=state.invoke_uri(arn("orders") + ":${stageVariables.alias}"),
    )
    apigw.create_deployment(restApiId=staged["id"], stageName="prod", variables={"alias": "live"})
    apigw.create_deployment(restApiId=staged["id"], stageName="dev")

    # billing: a traffic-shifting alias (live -> 1, 10 % to 2) seen in the metrics only.
    state.function("billing", Timeout=30)
    lam.publish_version(FunctionName="billing")
    lam.update_function_configuration(FunctionName="billing", Timeout=45)
    lam.publish_version(FunctionName="billing")
    lam.create_alias(
        FunctionName="billing",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )

    # reports: a schedule invokes reports:live through its role; the alias is idle and keeps
    # provisioned concurrency that no metric shows.
    state.function("reports")
    lam.publish_version(FunctionName="reports")
    lam.create_alias(FunctionName="reports", Name="live", FunctionVersion="1")
    lam.put_provisioned_concurrency_config(
        FunctionName="reports", Qualifier="live", ProvisionedConcurrentExecutions=5
    )
    scheduler = state.client("scheduler")
    role = state.role("scheduler-role")
    for name, enabled in (("nightly-report", True), ("old-report", False)):
        scheduler.create_schedule(
            Name=name,
            ScheduleExpression="cron(0 3 * * ? *)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": arn("reports:live"), "RoleArn": role},
            State="ENABLED" if enabled else "DISABLED",
        )

    # ingest: an SQS mapping on ingest:live that Lambda disabled; events: a rule targets
    # events-fn:prod.
    state.function("ingest")
    lam.publish_version(FunctionName="ingest")
    lam.create_alias(FunctionName="ingest", Name="live", FunctionVersion="1")
    _, queue_arn = state.queue("ingest")
    mapping = lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName="ingest:live", BatchSize=10
    )
    body = {
        "account_id": ACCOUNT,
        "region": REGION,
        "uuid": mapping["UUID"],
        "state": "Disabled",
        "state_transition_reason": "PROBLEM: Lambda cannot access the queue",
        "last_processing_result": "PROBLEM: Function call failed",
    }
    request = urllib.request.Request(  # noqa: S310
        f"{aws_endpoint}{MAPPING_STATE_PATH}", data=json.dumps(body).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
    state.function("events-fn")
    lam.publish_version(FunctionName="events-fn")
    lam.create_alias(FunctionName="events-fn", Name="prod", FunctionVersion="1")
    events = state.client("events")
    events.put_rule(Name="nightly", ScheduleExpression="rate(1 day)")
    events.put_targets(Rule="nightly", Targets=[{"Id": "fn", "Arn": arn("events-fn:prod")}])

    state.function("plain")  # no alias: no qualifier call at all

    cloudwatch = state.client("cloudwatch")
    point = END - timedelta(hours=2)
    metric_data = [
        {
            "MetricName": "Invocations",
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Timestamp": point,
            "Value": 10,
        }
        for dims in (
            {"FunctionName": "orders", "Resource": "orders:live"},
            {"FunctionName": "billing", "Resource": "billing:live"},
            {"FunctionName": "billing", "Resource": "billing:live", "ExecutedVersion": "1"},
            {"FunctionName": "billing", "Resource": "billing:live", "ExecutedVersion": "2"},
            {"FunctionName": "ingest", "Resource": "ingest:live"},
            {"FunctionName": "events-fn", "Resource": "events-fn:prod"},
        )
    ]
    cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=metric_data)
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


def test_an_alias_named_by_an_api_resolves_to_its_version(inventory: RegionInventory):
    orders = by_name(inventory, "orders")
    assert orders.timeout_s == 5  # $LATEST
    live = orders.qualifier("live")
    assert live is not None
    assert (live.kind, live.exists, live.version) == ("alias", True, "2")
    assert live.named_by == ["api", "metrics"]
    assert live.has_traffic
    assert [v.timeout_s for v in orders.serving("live")] == [60]
    assert orders.serving(None) == []


def test_the_qualifier_s_own_policy_and_destination(inventory: RegionInventory):
    orders = by_name(inventory, "orders")
    live = orders.qualifier("live")
    assert orders.policy_statements == []  # nothing granted on the unqualified function
    assert live.policy_read
    assert [(s.principal, s.source_arn) for s in live.policy_statements] == [
        ("sns.amazonaws.com", f"arn:aws:sns:{REGION}:{ACCOUNT}:orders")
    ]
    assert live.async_config_read
    assert live.async_config.on_failure == f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-failed"
    sources = [s for s in inventory.push_sources if s.principal == "sns.amazonaws.com"]
    assert [(s.function_arn, s.invocation, s.via) for s in sources] == [
        (arn("orders:live"), "async", "policy")
    ]


def test_stage_variables_resolve_per_stage(inventory: RegionInventory):
    staged = sorted(
        (i for i in inventory.api_integrations if i.api_name == "staged"),
        key=lambda i: i.stage or "",
    )
    assert [(i.stage, i.function_arn, i.unresolved) for i in staged] == [
        (
            "dev",
            arn("orders") + ":${stageVariables.alias}",
            "stage dev sets no stage variable alias",
        ),
        ("prod", arn("orders:live"), None),
    ]
    assert inventory.api_calls["apigateway.GetStages"] == 1  # only the API that needs it


def test_a_missing_alias_is_recorded_as_missing(inventory: RegionInventory):
    gone = by_name(inventory, "orders").qualifier("gone")
    assert (gone.exists, gone.version, gone.policy_read) == (False, None, False)


def test_weighted_routing_read_where_metrics_show_two_versions(inventory: RegionInventory):
    billing = by_name(inventory, "billing")
    live = billing.qualifier("live")
    assert live.named_by == ["metrics"]
    assert live.executed_versions == ["1", "2"]
    assert live.routing_read
    assert live.routing == {"2": pytest.approx(0.1)}
    assert live.versions == ["1", "2"]
    assert [v.timeout_s for v in billing.serving("live")] == [30, 45]


def test_schedules_are_async_callers_through_a_role(inventory: RegionInventory):
    assert sorted((s.name, s.state) for s in inventory.schedules) == [
        ("nightly-report", "ENABLED"),
        ("old-report", "DISABLED"),
    ]
    sources = [s for s in inventory.push_sources if s.via == "role"]
    assert [(s.function_arn, s.principal, s.invocation) for s in sources] == [
        (arn("reports:live"), "scheduler.amazonaws.com", "async")
    ]
    live = by_name(inventory, "reports").qualifier("live")
    assert live.named_by == ["schedule"]
    assert live.async_config_read and live.async_config is None  # none configured


def test_idle_alias_provisioned_concurrency_is_listed(inventory: RegionInventory):
    reports = by_name(inventory, "reports")
    assert not reports.qualifier("live").has_traffic
    assert reports.provisioned_concurrency_read
    assert [(c.qualifier, c.requested) for c in reports.provisioned_concurrency] == [("live", 5)]


def test_disabled_mapping_keeps_what_lambda_reports(inventory: RegionInventory):
    (mapping,) = inventory.event_source_mappings
    assert mapping.function_arn == arn("ingest:live")
    assert not mapping.enabled
    assert mapping.problem == "PROBLEM: Function call failed"
    assert mapping.state_transition_reason == "PROBLEM: Lambda cannot access the queue"
    assert by_name(inventory, "ingest").qualifier("live").named_by == ["mapping", "metrics"]


def test_rule_targets_name_qualifiers(inventory: RegionInventory):
    assert [target for _, target in inventory.event_rule_targets] == [arn("events-fn:prod")]
    prod = by_name(inventory, "events-fn").qualifier("prod")
    assert prod.named_by == ["metrics", "rule"]
    assert prod.async_config_read  # a rule invokes asynchronously


def test_calls_for_qualifiers_stay_within_budget(inventory: RegionInventory):
    calls = inventory.api_calls
    functions = len(inventory.functions)  # 6
    # 6 qualifiers (orders:gone answers not found) + billing's version 2
    assert calls["lambda.GetFunction"] == functions + 7
    assert calls["lambda.GetPolicy"] == functions + 5  # one per existing qualifier
    assert calls["lambda.GetAlias"] == 1  # billing only: two executed versions
    # orders:live (SNS), reports:live (schedule), events-fn:prod (rule)
    assert calls["lambda.GetFunctionEventInvokeConfig"] == 3
    assert calls["lambda.ListProvisionedConcurrencyConfigs"] == 1  # reports: idle alias
    assert "lambda.ListAliases" not in calls
    assert calls["scheduler.ListSchedules"] == 1
    assert calls["cloudwatch.ListMetrics"] == 3
    assert inventory.missing(DATA_QUALIFIERS) is None
    assert inventory.coverage_gaps == []


def test_round_trip_keeps_qualifiers(inventory: RegionInventory):
    again = RegionInventory.from_dict(json.loads(json.dumps(inventory.to_dict())))
    assert again == inventory
    assert again.functions[0].qualifiers or any(fn.qualifiers for fn in again.functions)


def test_stored_inventories_without_qualifiers_still_load(inventory: RegionInventory):
    data = json.loads(json.dumps(inventory.to_dict()))
    for fn in data["functions"]:
        for key in ("qualifiers", "versions", "code_sha256", "provisioned_concurrency_read"):
            fn.pop(key)
    for mapping in data["event_source_mappings"]:
        mapping.pop("state_transition_reason")
        mapping.pop("last_processing_result")
    for source in data["push_sources"]:
        source.pop("via")
    for key in ("schedules", "event_rule_targets"):
        data.pop(key)
    old = RegionInventory.from_dict(data)
    assert all(fn.qualifiers == [] and fn.versions == [] for fn in old.functions)
    assert {s.via for s in old.push_sources} == {"policy"}
    assert old.schedules == []

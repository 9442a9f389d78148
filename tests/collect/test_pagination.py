"""Multi-page listings, fed with AWS-shaped pages through botocore's Stubber: ListFunctions pages
of 50 (NextMarker), ListEventSourceMappings pages of 100, GetMetricData result pages (NextToken).
The emulator tests cover the same listings over HTTP (see test_budget.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber

from advisor.collect import lambda_, metrics, triggers
from advisor.collect.clients import CallCounter, Clients
from advisor.collect.context import ScanContext
from advisor.collect.inventory import RegionInventory
from advisor.collect.options import CollectOptions

ACCOUNT = "123456789012"
REGION = "us-east-1"
END = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def ctx() -> ScanContext:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    options = CollectOptions(rate_limit=False, metrics_end=END, duration_percentile=None)
    clients = Clients(
        session=session,
        region=REGION,
        endpoint_url=None,
        options=options,
        counter=CallCounter(),
        limiter=None,
    )
    return ScanContext(
        inventory=RegionInventory(account_id=ACCOUNT, region=REGION),
        clients=clients,
        options=options,
    )


def configuration(i: int) -> dict:
    name = f"fn-{i:03d}"
    return {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "MemorySize": 128,
        "Timeout": 3,
        "CodeSize": 1000 + i,
    }


def test_list_functions_follows_next_marker(ctx: ScanContext):
    stub = Stubber(ctx.client("lambda"))
    stub.add_response(
        "list_functions",
        {"Functions": [configuration(i) for i in range(50)], "NextMarker": "m1"},
        {},
    )
    stub.add_response(
        "list_functions",
        {"Functions": [configuration(i) for i in range(50, 100)], "NextMarker": "m2"},
        {"Marker": "m1"},
    )
    stub.add_response(
        "list_functions",
        {"Functions": [configuration(i) for i in range(100, 120)]},
        {"Marker": "m2"},
    )
    with stub:
        functions = lambda_.list_functions(ctx)
    stub.assert_no_pending_responses()
    assert [fn.name for fn in functions] == [f"fn-{i:03d}" for i in range(120)]
    assert functions[119].code_size == 1119


def uuid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def mapping(i: int) -> dict:
    return {
        "UUID": uuid(i),
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-{i % 7:03d}",
        "EventSourceArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue-{i}",
        "State": "Enabled",
        "BatchSize": 10,
    }


def test_list_event_source_mappings_follows_next_marker(ctx: ScanContext):
    stub = Stubber(ctx.client("lambda"))
    stub.add_response(
        "list_event_source_mappings",
        {"EventSourceMappings": [mapping(i) for i in range(100)], "NextMarker": "next"},
        {},
    )
    stub.add_response(
        "list_event_source_mappings",
        {"EventSourceMappings": [mapping(i) for i in range(100, 130)]},
        {"Marker": "next"},
    )
    with stub:
        triggers.list_event_source_mappings(ctx)
    stub.assert_no_pending_responses()
    assert [m.uuid for m in ctx.inventory.event_source_mappings] == [uuid(i) for i in range(130)]
    assert {m.kind for m in ctx.inventory.event_source_mappings} == {"sqs"}
    assert ctx.inventory.coverage_gaps == []


def test_get_metric_data_pages_are_merged(ctx: ScanContext):
    fn = lambda_.function_from_configuration(configuration(0), REGION)
    window = metrics.metrics_window(ctx.options)
    queries = metrics.plan_queries([fn], [], {}, ctx.options)
    ids = {f"q{i}": q for i, q in enumerate(queries)}
    invocations = next(i for i, q in ids.items() if q.field == "invocations")
    hour = timedelta(hours=1)
    stub = Stubber(ctx.client("cloudwatch"))
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {
                    "Id": invocations,
                    "Timestamps": [window.start, window.start + hour],
                    "Values": [5.0, 7.0],
                    "StatusCode": "PartialData",
                }
            ],
            "NextToken": "t1",
        },
    )
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {
                    "Id": invocations,
                    "Timestamps": [window.end - hour],
                    "Values": [11.0],
                    "StatusCode": "Complete",
                }
            ]
        },
    )
    with stub:
        metrics.collect_metrics(ctx, [fn], [], {})
    stub.assert_no_pending_responses()
    assert fn.metrics is not None and fn.metrics.invocations is not None
    values = fn.metrics.invocations.values
    assert (values[0], values[1], values[-1]) == (5.0, 7.0, 11.0)
    assert fn.metrics.invocations_total == 23
    assert fn.metrics.errors is not None and fn.metrics.errors.total() == 0  # asked, no data
    assert ctx.inventory.coverage_gaps == []

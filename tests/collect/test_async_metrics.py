"""Asynchronous-invocation metrics against the emulator: AsyncEventsDropped and AsyncEventAge
are read, one GetMetricData query each, for the functions an async caller may invoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws

END = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics_end=END)


def point(metric: str, hours_ago: int, value: float, function: str) -> dict:
    return {
        "MetricName": metric,
        "Dimensions": [{"Name": "FunctionName", "Value": function}],
        "Timestamp": END - timedelta(hours=hours_ago, minutes=30),
        "Value": value,
    }


@pytest.fixture
def inventory(aws: str) -> RegionInventory:
    state = Aws.connect(aws)
    lam = state.client("lambda")
    state.function("uploads")
    lam.add_permission(
        FunctionName="uploads",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        SourceAccount=ACCOUNT,
    )
    state.function("api")  # no async caller: its async series are not asked for
    state.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            point("Invocations", 30, 500, "uploads"),
            point("AsyncEventsDropped", 30, 4, "uploads"),
            point("AsyncEventsDropped", 29, 3, "uploads"),
            point("AsyncEventsDropped", 2, 1, "uploads"),
            point("AsyncEventAge", 30, 95_000, "uploads"),
            point("AsyncEventAge", 2, 40, "uploads"),
            point("AsyncEventsDropped", 3, 9, "api"),
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


def test_dropped_events_and_event_age_are_read_for_the_async_function(inventory):
    metrics = by_name(inventory, "uploads").metrics
    assert metrics is not None
    assert metrics.async_events_dropped is not None
    assert metrics.async_events_dropped.total() == 8
    assert metrics.async_event_age_max is not None
    assert metrics.async_event_age_max.peak() == 95_000
    assert inventory.coverage_gaps == []


def test_a_function_no_async_caller_invokes_gets_no_async_series(inventory):
    metrics = by_name(inventory, "api").metrics
    assert metrics is not None
    assert metrics.async_events_dropped is None and metrics.async_event_age_max is None


def test_the_rule_reports_the_lost_events_per_day(inventory):
    results = list(
        rules_by_id()["async-events-dropped"].evaluate(RegionContext.build(inventory), {})
    )
    [finding] = [r for r in results if isinstance(r, Finding)]
    assert finding.resource_arn.endswith(":function:uploads")
    assert sum(finding.evidence["per_day"]["AsyncEventsDropped"].values()) == 8
    assert finding.evidence["async_event_age_max_ms"] == 95_000

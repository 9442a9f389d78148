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


# ---------------------------------------------------------------- per alias or version


def qualified_point(metric: str, hours_ago: int, value: float, function: str, qualifier: str):
    """A data point Lambda publishes for an alias or version: FunctionName and Resource."""
    item = point(metric, hours_ago, value, function)
    item["Dimensions"] = [
        *item["Dimensions"],
        {"Name": "Resource", "Value": f"{function}:{qualifier}"},
    ]
    return item


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@pytest.fixture
def aliased(aws: str) -> RegionInventory:
    state = Aws.connect(aws)
    lam = state.client("lambda")
    # signups: S3 invokes the unqualified function, SNS invokes signups:live (version 1). Neither
    # has a failure path. Only the alias dropped events; CloudWatch's FunctionName series is
    # the aggregate of both, so it shows them too.
    state.function("signups")
    lam.publish_version(FunctionName="signups")
    lam.create_alias(FunctionName="signups", Name="live", FunctionVersion="1")
    lam.add_permission(
        FunctionName="signups",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::signups",
    )
    lam.add_permission(
        FunctionName="signups",
        Qualifier="live",
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:signups",
    )
    # nightly: only a schedule invokes it (through its IAM role; no policy statement), the
    # unqualified function; reports:live likewise.
    state.function("nightly")
    state.function("reports")
    lam.publish_version(FunctionName="reports")
    lam.create_alias(FunctionName="reports", Name="live", FunctionVersion="1")
    scheduler = state.client("scheduler")
    role = state.role("scheduler-role")
    for name, target in (("nightly", arn("nightly")), ("reports", arn("reports:live"))):
        scheduler.create_schedule(
            Name=name,
            ScheduleExpression="cron(0 3 * * ? *)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": target, "RoleArn": role},
        )
    state.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            point("Invocations", 30, 500, "signups"),
            qualified_point("Invocations", 30, 400, "signups", "live"),
            point("AsyncEventsDropped", 30, 4, "signups"),
            qualified_point("AsyncEventsDropped", 30, 4, "signups", "live"),
            point("AsyncEventsDropped", 2, 2, "signups"),
            qualified_point("AsyncEventsDropped", 2, 2, "signups", "live"),
            qualified_point("AsyncEventAge", 30, 61_000, "signups", "live"),
            point("AsyncEventsDropped", 5, 3, "nightly"),
            point("AsyncEventsDropped", 6, 1, "reports"),
            qualified_point("AsyncEventsDropped", 6, 1, "reports", "live"),
        ],
    )
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws,
        options=OPTIONS,
    )


def test_an_alias_async_callers_invoke_gets_its_own_series(aliased):
    metrics = by_name(aliased, "signups").metrics
    assert metrics is not None
    # the function's series is CloudWatch's aggregate, not merged with the alias's once more
    assert metrics.async_events_dropped.total() == 6
    live = metrics.async_by_qualifier["live"]
    assert live.async_events_dropped.total() == 6
    assert live.async_event_age_max.peak() == 61_000
    # read (no data point is an empty series, not a gap)
    assert live.dead_letter_errors.total() == 0
    assert live.destination_delivery_failures.total() == 0
    assert aliased.coverage_gaps == []


def test_callers_with_an_iam_role_get_the_async_series_too(aliased):
    nightly = by_name(aliased, "nightly").metrics
    assert nightly.async_events_dropped.total() == 3
    reports = by_name(aliased, "reports").metrics
    assert reports.async_events_dropped is None  # nothing invokes the unqualified function
    assert reports.async_by_qualifier["live"].async_events_dropped.total() == 1


def test_the_alias_drop_is_caught_while_latest_is_clean(aliased):
    results = list(rules_by_id()["async-events-dropped"].evaluate(RegionContext.build(aliased), {}))
    findings = {r.resource_arn.rsplit(":", 1)[-1]: r for r in results if isinstance(r, Finding)}
    assert sorted(findings) == ["nightly", "reports", "signups"]
    signups = findings["signups"]
    [loss] = signups.evidence["losses"]
    assert (loss["qualifier"], loss["version"], loss["lost_because"]) == (
        "live",
        "1",
        "no failure path",
    )
    assert sum(loss["per_day"]["AsyncEventsDropped"].values()) == 6
    assert signups.message.startswith("signups:live (version 1) dropped 6 asynchronous events")
    assert "--qualifier live" in signups.remediation.cli
    assert findings["reports"].evidence["qualifier"] == "live"
    assert findings["nightly"].evidence["qualifier"] is None


def test_one_get_metric_data_call_still_holds_every_series(aliased):
    # 3 account-wide, 7 a function, 2 for each unqualified async function (signups, nightly),
    # 4 for each alias async callers invoke (signups:live, reports:live): one call
    assert aliased.api_calls["cloudwatch.GetMetricData"] == 1

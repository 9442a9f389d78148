"""One base inventory for rule tests; each case changes one thing.

The base is healthy: every rule passes on it (``test_catalogue`` checks that), so a failing case
shows exactly what breaks a rule.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from advisor.collect.inventory import (
    AccountSettings,
    ApiIntegration,
    CoverageGap,
    EventSourceMapping,
    Function,
    FunctionMetrics,
    PushSource,
    RegionInventory,
    Series,
    SqsQueue,
)
from advisor.rules.base import Finding, NotEvaluated, Result
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id

ACCOUNT = "111122223333"
REGION = "us-east-1"
MB = 1024 * 1024
DAY = 86_400
HOUR = 3_600
# 14 days of hourly points ending at midnight UTC on 2026-11-25
WINDOW_START = 1_794_355_200
WINDOW_HOURS = 14 * 24


def function_arn(name: str = "orders") -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def queue_arn(name: str = "orders-queue") -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def hourly(value: float | None, hours: int = WINDOW_HOURS) -> Series:
    return Series(start=WINDOW_START, period=HOUR, values=[value] * hours)


def make_metrics(**overrides: Any) -> FunctionMetrics:
    """A function busy every hour (100 invocations), no errors or throttles, 120 ms average."""
    metrics = FunctionMetrics(
        invocations=hourly(100.0),
        errors=hourly(0.0),
        throttles=hourly(0.0),
        duration_avg=hourly(120.0),
        duration_max=hourly(900.0),
        concurrent_max=hourly(4.0),
        invocations_total=100.0 * WINDOW_HOURS,
        errors_total=0.0,
        throttles_total=0.0,
        duration_avg_ms=120.0,
        duration_max_ms=900.0,
        duration_p99_ms=600.0,
        concurrency_peak=4.0,
        window_hours=WINDOW_HOURS,
    )
    return replace(metrics, **overrides)


def make_function(name: str = "orders", **overrides: Any) -> Function:
    fields: dict[str, Any] = {
        "arn": function_arn(name),
        "name": name,
        "region": REGION,
        "runtime": "python3.13",
        "handler": "app.handler",
        "memory_mb": 512,
        "timeout_s": 10,
        "architectures": ["arm64"],
        "code_size": 2 * MB,
        "tracing_mode": "Active",
        "log_group": f"/aws/lambda/{name}",
        "metrics": make_metrics(),
    }
    fields.update(overrides)
    return Function(**fields)


def make_inventory(*functions: Function, **overrides: Any) -> RegionInventory:
    functions = functions or (make_function(),)
    inventory = RegionInventory(
        account_id=ACCOUNT,
        region=REGION,
        functions=list(functions),
        account=AccountSettings(
            concurrency_limit=1000,
            unreserved_concurrency=1000,
            total_code_size=1 * 1024 * MB,
            code_size_limit=300 * 1024 * MB,
            code_size_zipped_limit=50 * MB,
            code_size_unzipped_limit=250 * MB,
        ),
        log_group_retention={fn.log_group: 30 for fn in functions if fn.log_group},
    )
    for key, value in overrides.items():
        setattr(inventory, key, value)
    return inventory


def api_integration(
    fn: Function, *, kind: str = "rest", timeout_ms: int = 29_000, qualifier: str = ""
) -> ApiIntegration:
    target = f"{fn.arn}:{qualifier}" if qualifier else fn.arn
    return ApiIntegration(
        function_arn=target,
        api_id="a1b2c3d4e5",
        api_name="orders-api",
        api_kind=kind,
        route="GET /orders/{id}",
        timeout_ms=timeout_ms,
    )


def push_source(
    fn: Function, principal: str = "s3.amazonaws.com", invocation: str = "async"
) -> PushSource:
    return PushSource(
        function_arn=fn.arn,
        principal=principal,
        source_arn="arn:aws:s3:::orders-uploads",
        invocation=invocation,
    )


def sqs_queue(name: str = "orders-queue", **overrides: Any) -> SqsQueue:
    fields: dict[str, Any] = {
        "arn": queue_arn(name),
        "url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}",
        "visibility_timeout_s": 60,
        "message_retention_s": 345_600,
        "redrive_target_arn": queue_arn(f"{name}-dlq"),
        "max_receive_count": 5,
    }
    fields.update(overrides)
    return SqsQueue(**fields)


def sqs_mapping(fn: Function, queue: SqsQueue, **overrides: Any) -> EventSourceMapping:
    fields: dict[str, Any] = {
        "uuid": "6f0b1c2d-sqs",
        "function_arn": fn.arn,
        "source_arn": queue.arn,
        "kind": "sqs",
        "state": "Enabled",
        "batch_size": 10,
        "report_batch_item_failures": True,
    }
    fields.update(overrides)
    return EventSourceMapping(**fields)


def stream_mapping(fn: Function, kind: str = "kinesis", **overrides: Any) -> EventSourceMapping:
    fields: dict[str, Any] = {
        "uuid": f"9a8b7c6d-{kind}",
        "function_arn": fn.arn,
        "source_arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/orders",
        "kind": kind,
        "state": "Enabled",
        "batch_size": 100,
        "maximum_retry_attempts": 10,
        "maximum_record_age_s": 3600,
        "bisect_on_error": True,
        "on_failure_destination": queue_arn("orders-stream-failures"),
    }
    fields.update(overrides)
    return EventSourceMapping(**fields)


def gap(hides: str, resource_arn: str | None = None) -> CoverageGap:
    return CoverageGap(
        region=REGION,
        service="lambda",
        operation="GetSomething",
        error_code="AccessDeniedException",
        message="not authorised",
        hides=hides,
        resource_arn=resource_arn,
    )


def run(rule_id: str, inventory: RegionInventory, **options: Any) -> list[Result]:
    return list(rules_by_id()[rule_id].evaluate(RegionContext.build(inventory), options))


def findings(results: list[Result]) -> list[Finding]:
    return [r for r in results if isinstance(r, Finding)]


def only_finding(results: list[Result]) -> Finding:
    [finding] = findings(results)
    return finding


def not_evaluated(results: list[Result]) -> list[NotEvaluated]:
    return [r for r in results if isinstance(r, NotEvaluated)]

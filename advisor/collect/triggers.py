"""What invokes a function: event source mappings (one account-wide listing) and push sources
(read from the resource policies GetPolicy already returned: no extra call)."""

from __future__ import annotations

from collections.abc import Iterable

from advisor.collect.context import ScanContext
from advisor.collect.inventory import (
    DATA_EVENT_SOURCE_MAPPINGS,
    EventSourceMapping,
    Function,
    PushSource,
)
from advisor.collect.lambda_ import is_async_principal

_KINDS = (
    (":sqs:", "sqs"),
    (":kinesis:", "kinesis"),
    (":dynamodb:", "dynamodb"),
    (":kafka:", "kafka"),
    (":mq:", "mq"),
    (":rds:", "documentdb"),  # DocumentDB change streams are named by an rds cluster ARN
    (":docdb", "documentdb"),
)


def source_kind(item: dict) -> str:
    arn = item.get("EventSourceArn") or ""
    for marker, kind in _KINDS:
        if marker in arn:
            return kind
    if item.get("SelfManagedEventSource") or item.get("SelfManagedKafkaEventSourceConfig"):
        return "kafka"
    return "other"


def list_event_source_mappings(ctx: ScanContext) -> None:
    """All mappings of the region, 100 per page, without a function filter."""

    def call() -> None:
        paginator = ctx.client("lambda").get_paginator("list_event_source_mappings")
        for page in paginator.paginate():
            ctx.inventory.event_source_mappings.extend(
                mapping_from_response(item) for item in page.get("EventSourceMappings") or []
            )

    ctx.attempt(
        call,
        service="lambda",
        operation="ListEventSourceMappings",
        hides=DATA_EVENT_SOURCE_MAPPINGS,
    )


def mapping_from_response(item: dict) -> EventSourceMapping:
    destination = ((item.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    return EventSourceMapping(
        uuid=item["UUID"],
        function_arn=item.get("FunctionArn", ""),
        source_arn=item.get("EventSourceArn"),
        kind=source_kind(item),
        state=item.get("State", "Unknown"),
        batch_size=item.get("BatchSize"),
        batching_window_s=item.get("MaximumBatchingWindowInSeconds") or 0,
        maximum_retry_attempts=item.get("MaximumRetryAttempts"),
        maximum_record_age_s=item.get("MaximumRecordAgeInSeconds"),
        bisect_on_error=bool(item.get("BisectBatchOnFunctionError")),
        on_failure_destination=destination or None,
        parallelization_factor=item.get("ParallelizationFactor"),
        provisioned_pollers=bool(item.get("ProvisionedPollerConfig")),
        maximum_concurrency=(item.get("ScalingConfig") or {}).get("MaximumConcurrency"),
        report_batch_item_failures="ReportBatchItemFailures"
        in (item.get("FunctionResponseTypes") or []),
        state_transition_reason=item.get("StateTransitionReason") or None,
        last_processing_result=item.get("LastProcessingResult") or None,
    )


def push_sources(functions: Iterable[Function]) -> list[PushSource]:
    """Service principals the resource policies allow to invoke each function."""
    sources: list[PushSource] = []
    for fn in functions:
        seen: set[tuple[str, str | None]] = set()
        for statement in fn.policy_statements:
            principal = statement.principal
            if statement.effect != "Allow" or not principal.endswith(".amazonaws.com"):
                continue
            if (principal, statement.source_arn) in seen:
                continue
            seen.add((principal, statement.source_arn))
            sources.append(
                PushSource(
                    function_arn=fn.arn,
                    principal=principal,
                    source_arn=statement.source_arn,
                    invocation="async" if is_async_principal(principal) else "sync",
                )
            )
    return sources

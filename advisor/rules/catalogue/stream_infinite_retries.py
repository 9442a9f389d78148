from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_EVENT_SOURCE_MAPPINGS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    INFINITE_RETRY_KINDS,
    KAFKA,
    is_infinite,
    limit_text,
    logical_id,
    mapping_arn,
    mapping_function_name,
    provisioned_poller_cli,
    provisioned_poller_iac,
    retry_bounds_need_pollers,
    source_properties,
    stream_retry_options,
    yaml,
)

RULE = Rule(
    id="stream-infinite-retries",
    title="Stream or Kafka mapping retrying failed batches forever",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "Kinesis and DynamoDB stream mappings default to MaximumRetryAttempts = -1 and "
        "MaximumRecordAgeInSeconds = -1: a batch that keeps failing is retried until its "
        "records expire from the stream (24 hours by default), and the shard makes no progress "
        "meanwhile. Even an on-failure destination receives nothing until then. Bound the "
        "retries (or the record age) and split failing batches (BisectBatchOnFunctionError) so "
        "that one bad record is set aside and the shard moves on. Kafka mappings (Amazon MSK "
        "and self-managed Apache Kafka) retry a failing batch the same way until it succeeds or "
        "its records leave the topic, stalling the partition; their retries can be bounded "
        "only in provisioned mode (billed per event poller unit), where an on-failure "
        "destination with unbounded retries makes Lambda stop after 10 retries."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-errors.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-configure.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html",
    ),
    requires=(DATA_EVENT_SOURCE_MAPPINGS,),
    **stream_retry_options(),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    retries = options["suggested_retry_attempts"]
    max_age = options["suggested_record_age_s"]
    for mapping in inventory.event_source_mappings:
        if not mapping.live:
            continue  # disabled or broken: it invokes nothing
        if mapping.kind not in INFINITE_RETRY_KINDS:
            continue
        if not (
            is_infinite(mapping.maximum_retry_attempts)
            and is_infinite(mapping.maximum_record_age_s)
        ):
            continue
        kafka = mapping.kind == KAFKA
        if kafka and mapping.provisioned_pollers and mapping.on_failure_destination:
            continue  # Lambda stops after 10 retries (kafka-retry-configurations.html)
        fn_name = mapping_function_name(mapping)
        bisect = "" if mapping.bisect_on_error else " and does not split failing batches"
        where = "partition" if kafka else "shard"
        expiry = "leaves the topic" if kafka else "expires"
        message = (
            f"{fn_name}'s {mapping.kind} mapping retries failed batches without limit "
            f"(MaximumRetryAttempts {limit_text(mapping.maximum_retry_attempts)}, "
            f"MaximumRecordAgeInSeconds {limit_text(mapping.maximum_record_age_s)})"
            f"{bisect}: one bad record stalls its {where} until the record {expiry}."
        )
        if retry_bounds_need_pollers(mapping):
            message += (
                " Its retries can be bounded only in provisioned mode, which the remediation "
                "turns on (billed per event poller unit)."
            )
        yield RULE.finding(
            inventory=inventory,
            resource_arn=mapping_arn(inventory, mapping),
            message=message,
            evidence={
                "uuid": mapping.uuid,
                "kind": mapping.kind,
                "function_arn": mapping.function_arn,
                "source_arn": mapping.source_arn,
                "maximum_retry_attempts": mapping.maximum_retry_attempts,
                "maximum_record_age_s": mapping.maximum_record_age_s,
                "bisect_on_error": mapping.bisect_on_error,
                "on_failure_destination": mapping.on_failure_destination,
                "provisioned_pollers": mapping.provisioned_pollers if kafka else None,
            },
            remediation=Remediation(
                cli=(
                    f"aws lambda update-event-source-mapping --region {inventory.region} "
                    f"--uuid {mapping.uuid}{provisioned_poller_cli(mapping)} "
                    f"--maximum-retry-attempts {retries} "
                    f"--maximum-record-age-in-seconds {max_age} --bisect-batch-on-function-error"
                ),
                iac=yaml(
                    {
                        logical_id(f"{fn_name}-{mapping.kind}-mapping"): {
                            "Type": "AWS::Lambda::EventSourceMapping",
                            "Properties": {
                                "FunctionName": fn_name,
                                **source_properties(mapping),
                                "StartingPosition": "LATEST",
                                **provisioned_poller_iac(mapping),
                                "MaximumRetryAttempts": retries,
                                "MaximumRecordAgeInSeconds": max_age,
                                "BisectBatchOnFunctionError": True,
                            },
                        }
                    }
                ),
                iac_format="CloudFormation",
            ),
        )

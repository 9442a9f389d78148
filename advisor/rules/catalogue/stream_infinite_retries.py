from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_EVENT_SOURCE_MAPPINGS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    RETRYING_STREAM_KINDS,
    is_infinite,
    limit_text,
    logical_id,
    resource_name,
    stream_retry_options,
    yaml,
)

RULE = Rule(
    id="stream-infinite-retries",
    title="Stream mapping retrying failed batches forever",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "Kinesis and DynamoDB stream mappings default to MaximumRetryAttempts = -1 and "
        "MaximumRecordAgeInSeconds = -1: a batch that keeps failing is retried until its "
        "records expire from the stream (24 hours by default), and the shard makes no progress "
        "meanwhile. Even an on-failure destination receives nothing until then. Bound the "
        "retries (or the record age) and split failing batches (BisectBatchOnFunctionError) so "
        "that one bad record is set aside and the shard moves on."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-errors.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html",
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
        if mapping.kind not in RETRYING_STREAM_KINDS:
            continue
        if not (
            is_infinite(mapping.maximum_retry_attempts)
            and is_infinite(mapping.maximum_record_age_s)
        ):
            continue
        fn_name = resource_name(mapping.function_arn)
        bisect = "" if mapping.bisect_on_error else " and does not split failing batches"
        yield RULE.finding(
            inventory=inventory,
            resource_arn=(
                f"arn:aws:lambda:{inventory.region}:{inventory.account_id}:"
                f"event-source-mapping:{mapping.uuid}"
            ),
            message=(
                f"{fn_name}'s {mapping.kind} mapping retries failed batches without limit "
                f"(MaximumRetryAttempts {limit_text(mapping.maximum_retry_attempts)}, "
                f"MaximumRecordAgeInSeconds {limit_text(mapping.maximum_record_age_s)})"
                f"{bisect}: one bad "
                "record stalls its shard until the record expires."
            ),
            evidence={
                "uuid": mapping.uuid,
                "function_arn": mapping.function_arn,
                "source_arn": mapping.source_arn,
                "maximum_retry_attempts": mapping.maximum_retry_attempts,
                "maximum_record_age_s": mapping.maximum_record_age_s,
                "bisect_on_error": mapping.bisect_on_error,
                "on_failure_destination": mapping.on_failure_destination,
            },
            remediation=Remediation(
                cli=(
                    f"aws lambda update-event-source-mapping --region {inventory.region} "
                    f"--uuid {mapping.uuid} --maximum-retry-attempts {retries} "
                    f"--maximum-record-age-in-seconds {max_age} --bisect-batch-on-function-error"
                ),
                iac=yaml(
                    {
                        logical_id(f"{fn_name}-{mapping.kind}-mapping"): {
                            "Type": "AWS::Lambda::EventSourceMapping",
                            "Properties": {
                                "FunctionName": fn_name,
                                "EventSourceArn": mapping.source_arn,
                                "StartingPosition": "LATEST",
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

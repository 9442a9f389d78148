from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_EVENT_SOURCE_MAPPINGS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    INFINITE_RETRY_KINDS,
    is_infinite,
    limit_text,
    logical_id,
    mapping_arn,
    mapping_function_name,
    provisioned_poller_cli,
    provisioned_poller_iac,
    source_properties,
    stream_retry_options,
    yaml,
)

# Kafka (Amazon MSK and self-managed) mappings retry the same way and take the same on-failure
# destinations (SQS, SNS, S3 or a Kafka topic): lambda/latest/dg/kafka-on-failure.html.
FAILURE_DESTINATION_KINDS = INFINITE_RETRY_KINDS

RULE = Rule(
    id="stream-source-without-failure-destination",
    title="Stream or Kafka mapping without an on-failure destination",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "A stream event source mapping (Kinesis, DynamoDB Streams, Amazon MSK or self-managed "
        "Apache Kafka) processes each shard or partition in order. When a batch fails, Lambda "
        "retries it; by default MaximumRetryAttempts and MaximumRecordAgeInSeconds are -1 "
        "(infinite), so one bad record blocks its shard or partition until the record expires "
        "from the stream, and then it is dropped. With bounded retries, failed batches are "
        "skipped and dropped. Either way, without an on-failure destination (SQS, SNS, and for "
        "Kafka also S3 or a Kafka topic) nothing records which records were lost. High with "
        "infinite retries (the shard stalls), medium with bounded ones."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html",
    ),
    requires=(DATA_EVENT_SOURCE_MAPPINGS,),
    **stream_retry_options(),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for mapping in inventory.event_source_mappings:
        if not mapping.live:
            continue  # disabled or broken: it invokes nothing
        if mapping.kind not in FAILURE_DESTINATION_KINDS or mapping.on_failure_destination:
            continue
        infinite = is_infinite(mapping.maximum_retry_attempts) and is_infinite(
            mapping.maximum_record_age_s
        )
        fn_name = mapping_function_name(mapping)
        source = mapping.source_arn or (
            "its self-managed Kafka cluster" if mapping.kind == "kafka" else "its stream"
        )
        failures_name = f"{fn_name}-stream-failures"
        failures_arn = f"arn:aws:sqs:{inventory.region}:{inventory.account_id}:{failures_name}"
        kafka = mapping.kind == "kafka"
        shard = "partition" if kafka else "shard"
        if infinite:
            consequence = (
                f"retries are infinite, so one bad record blocks its {shard} until the record "
                "expires, and is then dropped unrecorded"
            )
        else:
            consequence = (
                f"after {limit_text(mapping.maximum_retry_attempts, ' retries')} (or a record "
                f"age of {limit_text(mapping.maximum_record_age_s, ' s')}) failed records are "
                "skipped and dropped unrecorded"
            )
        retries = options["suggested_retry_attempts"]
        max_age = options["suggested_record_age_s"]
        yield RULE.finding(
            inventory=inventory,
            resource_arn=mapping_arn(inventory, mapping),
            severity=None if infinite else Severity.MEDIUM,
            message=(
                f"{fn_name} reads {'Kafka topics of' if kafka else mapping.kind + ' stream'} "
                f"{source} with no on-failure destination: {consequence}."
            ),
            evidence={
                "uuid": mapping.uuid,
                "function_arn": mapping.function_arn,
                "source_arn": mapping.source_arn,
                "kind": mapping.kind,
                "on_failure_destination": None,
                "maximum_retry_attempts": mapping.maximum_retry_attempts,
                "maximum_record_age_s": mapping.maximum_record_age_s,
                "bisect_on_error": mapping.bisect_on_error,
                "infinite_retries": infinite,
            },
            remediation=Remediation(
                cli=(
                    f"aws sqs create-queue --region {inventory.region} --queue-name "
                    f"{failures_name} && aws lambda update-event-source-mapping --region "
                    f"{inventory.region} --uuid {mapping.uuid}{provisioned_poller_cli(mapping)} "
                    "--destination-config "
                    f'\'{{"OnFailure":{{"Destination":"{failures_arn}"}}}}\' '
                    f"--maximum-retry-attempts {retries} --maximum-record-age-in-seconds "
                    f"{max_age} --bisect-batch-on-function-error"
                ),
                iac=yaml(
                    {
                        logical_id(failures_name): {"Type": "AWS::SQS::Queue"},
                        logical_id(f"{fn_name}-{mapping.kind}-mapping"): {
                            "Type": "AWS::Lambda::EventSourceMapping",
                            "Properties": {
                                "FunctionName": fn_name,
                                **source_properties(mapping),
                                **provisioned_poller_iac(mapping),
                                "StartingPosition": "LATEST",
                                "MaximumRetryAttempts": retries,
                                "MaximumRecordAgeInSeconds": max_age,
                                "BisectBatchOnFunctionError": True,
                                "DestinationConfig": {
                                    "OnFailure": {
                                        "Destination": f"!GetAtt {logical_id(failures_name)}.Arn"
                                    }
                                },
                            },
                        },
                    }
                ),
                iac_format="CloudFormation",
            ),
        )

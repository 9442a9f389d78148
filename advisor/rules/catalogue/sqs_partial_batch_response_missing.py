from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_EVENT_SOURCE_MAPPINGS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    logical_id,
    mapping_arn,
    mapping_function_name,
    resource_name,
    yaml,
)

RULE = Rule(
    id="sqs-partial-batch-response-missing",
    title="SQS batches without partial batch responses",
    pillar=Pillar.RELIABILITY,
    severity=Severity.LOW,
    rationale=(
        "When a function fails on one message of an SQS batch and does not report which one, "
        "Lambda treats the whole batch as failed: every message in it becomes visible again "
        "and is processed again, including those that succeeded, so side effects repeat and a "
        "single poison message drags its batch mates towards the dead-letter queue. With "
        "ReportBatchItemFailures the function returns the failed message ids and only those "
        "are retried (the code must return batchItemFailures)."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html",
    ),
    requires=(DATA_EVENT_SOURCE_MAPPINGS,),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for mapping in inventory.event_source_mappings:
        if not mapping.live:
            continue  # disabled or broken: it invokes nothing
        if mapping.kind != "sqs" or mapping.report_batch_item_failures:
            continue
        batch = mapping.batch_size or 10  # Lambda's default for SQS
        if batch <= 1:
            continue  # a batch of one fails alone anyway
        fn_name = mapping_function_name(mapping)
        queue = resource_name(mapping.source_arn or "its queue")
        yield RULE.finding(
            inventory=inventory,
            resource_arn=mapping_arn(inventory, mapping),
            message=(
                f"{fn_name} reads {queue} in batches of {batch} without ReportBatchItemFailures: "
                f"one failing message makes all {batch} messages of its batch run again."
            ),
            evidence={
                "uuid": mapping.uuid,
                "function_arn": mapping.function_arn,
                "source_arn": mapping.source_arn,
                "batch_size": batch,
                "report_batch_item_failures": False,
            },
            remediation=Remediation(
                cli=(
                    f"aws lambda update-event-source-mapping --region {inventory.region} "
                    f"--uuid {mapping.uuid} --function-response-types ReportBatchItemFailures"
                    '  # and return {"batchItemFailures": [{"itemIdentifier": messageId}]}'
                ),
                iac=yaml(
                    {
                        logical_id(f"{fn_name}-sqs-mapping"): {
                            "Type": "AWS::Lambda::EventSourceMapping",
                            "Properties": {
                                "FunctionName": fn_name,
                                "EventSourceArn": mapping.source_arn,
                                "BatchSize": batch,
                                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                            },
                        }
                    }
                ),
                iac_format="CloudFormation",
            ),
        )

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_QUEUES,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    gap_reason,
    logical_id,
    not_evaluated,
    resource_gap,
    resource_name,
    yaml,
)

RULE = Rule(
    id="sqs-source-without-dlq",
    title="SQS event source without a dead-letter queue (or with a low maxReceiveCount)",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "When a function fails on an SQS message, the message becomes visible again and is "
        "retried until the queue's retention period ends, then deleted. A redrive policy moves "
        "it to a dead-letter queue after maxReceiveCount receives instead, where it can be "
        "inspected and replayed. AWS recommends a maxReceiveCount of at least 5 for Lambda "
        "sources, so that a message is not sent to the dead-letter queue just because a batch "
        "was throttled or failed for another message. A queue that is itself a dead-letter "
        "queue is not flagged for lacking one."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
    ),
    requires=(DATA_EVENT_SOURCE_MAPPINGS, DATA_QUEUES),
    options={"min_max_receive_count": 5},
    option_bounds={"min_max_receive_count": (1, 1000)},
    option_help={
        "min_max_receive_count": "The lowest redrive maxReceiveCount accepted (AWS: at least 5).",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    minimum = options["min_max_receive_count"]
    consumers: dict[str, list[str]] = {}
    for mapping in inventory.event_source_mappings:
        if not mapping.live:
            continue  # disabled or broken: it invokes nothing
        if mapping.kind == "sqs" and mapping.source_arn:
            consumers.setdefault(mapping.source_arn, []).append(mapping.function_arn)
    for queue_arn, function_arns in consumers.items():
        queue = inventory.queues.get(queue_arn)
        if queue is None:
            gap = resource_gap(inventory, DATA_QUEUES, queue_arn)
            reason = gap_reason(gap) if gap else "the queue is not in the inventory"
            yield not_evaluated(RULE, inventory, queue_arn, reason)
            continue
        if queue.is_dead_letter_queue:
            continue
        count = queue.max_receive_count
        if queue.redrive_target_arn and count is not None and count >= minimum:
            continue
        name = resource_name(queue_arn)
        if queue.redrive_target_arn:
            dlq_arn = queue.redrive_target_arn
            problem = f"its redrive maxReceiveCount is {count}, below {minimum}"
            create = ""
        else:
            dlq_arn = f"{queue_arn}-dlq"
            problem = "it has no redrive policy"
            create = f"aws sqs create-queue --region {inventory.region} --queue-name {name}-dlq && "
        # The policy is a JSON string inside the JSON attribute map, hence the escaped quotes.
        redrive = (
            f'{{\\"deadLetterTargetArn\\":\\"{dlq_arn}\\",\\"maxReceiveCount\\":\\"{minimum}\\"}}'
        )
        dlq_ref = (
            dlq_arn if queue.redrive_target_arn else f"!GetAtt {logical_id(name + '-dlq')}.Arn"
        )
        iac: dict[str, Any] = {}
        if not queue.redrive_target_arn:
            iac[logical_id(name + "-dlq")] = {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": f"{name}-dlq", "MessageRetentionPeriod": 1209600},
            }
        iac[logical_id(name)] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": name,
                "RedrivePolicy": {"deadLetterTargetArn": dlq_ref, "maxReceiveCount": minimum},
            },
        }
        yield RULE.finding(
            inventory=inventory,
            resource_arn=queue_arn,
            message=(
                f"SQS queue {name} feeds {len(function_arns)} Lambda function(s) but {problem}: "
                + (
                    f"messages go to the dead-letter queue after {count} receive(s), for "
                    "example when a batch is throttled or fails because of another message."
                    if queue.redrive_target_arn
                    else "failing messages are retried until the retention period "
                    f"({queue.message_retention_s} s) ends, then deleted."
                )
            ),
            evidence={
                "queue_arn": queue_arn,
                "function_arns": function_arns,
                "redrive_target_arn": queue.redrive_target_arn,
                "max_receive_count": count,
                "min_max_receive_count": minimum,
                "message_retention_s": queue.message_retention_s,
            },
            remediation=Remediation(
                cli=(
                    f"{create}aws sqs set-queue-attributes --region {inventory.region} "
                    f"--queue-url {queue.url} "
                    f'--attributes \'{{"RedrivePolicy":"{redrive}"}}\''
                ),
                iac=yaml(iac),
                iac_format="CloudFormation",
            ),
        )

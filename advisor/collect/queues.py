"""The SQS queues that feed functions: one GetQueueAttributes per distinct source queue."""

from __future__ import annotations

import json
from collections.abc import Iterable

from advisor.collect.context import ScanContext
from advisor.collect.inventory import DATA_QUEUES, EventSourceMapping, SqsQueue

ATTRIBUTES = ["QueueArn", "VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy"]


def queue_url(arn: str) -> str:
    """The queue URL an SQS ARN names (``arn:aws:sqs:{region}:{account}:{name}``); saves a
    GetQueueUrl call per queue."""
    _, partition, _, region, account, name = arn.split(":", 5)
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{name}"


def collect_queues(ctx: ScanContext, mappings: Iterable[EventSourceMapping]) -> None:
    arns = sorted({m.source_arn for m in mappings if m.kind == "sqs" and m.source_arn})
    sqs = ctx.client("sqs")
    for arn in arns:
        url = queue_url(arn)
        response = ctx.attempt(
            lambda url=url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=ATTRIBUTES),
            service="sqs",
            operation="GetQueueAttributes",
            hides=DATA_QUEUES,
            resource_arn=arn,
        )
        if response is not None:
            ctx.inventory.queues[arn] = queue_from_attributes(arn, url, response["Attributes"])
    dead_letter_targets = {q.redrive_target_arn for q in ctx.inventory.queues.values()}
    for queue in ctx.inventory.queues.values():
        queue.is_dead_letter_queue = queue.arn in dead_letter_targets


def queue_from_attributes(arn: str, url: str, attributes: dict[str, str]) -> SqsQueue:
    redrive = json.loads(attributes["RedrivePolicy"]) if attributes.get("RedrivePolicy") else {}
    max_receive = redrive.get("maxReceiveCount")
    return SqsQueue(
        arn=attributes.get("QueueArn", arn),
        url=url,
        visibility_timeout_s=int(attributes.get("VisibilityTimeout", 30)),
        message_retention_s=int(attributes.get("MessageRetentionPeriod", 345_600)),
        redrive_target_arn=redrive.get("deadLetterTargetArn"),
        max_receive_count=int(max_receive) if max_receive is not None else None,
    )

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_FUNCTION_DETAILS,
    DATA_FUNCTIONS,
    EventSourceMapping,
    Function,
    RegionInventory,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    gap_reason,
    lambda_cli,
    logical_id,
    mapping_arn,
    not_evaluated,
    resource_gap,
    resource_name,
    sam_function,
    yaml,
)

# ScalingConfig.MaximumConcurrency's valid range (lambda/latest/api/API_ScalingConfig.html)
MAXIMUM_CONCURRENCY_RANGE = (2, 1_000)

RULE = Rule(
    id="sqs-concurrency-above-reservation",
    title="SQS pollers can outrun the function's reserved concurrency",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "Reserved concurrency caps a function, but an SQS event source mapping does not know "
        "the cap: its pollers scale up to 1,000 concurrent batches and hand Lambda more batches "
        "than the function may run. The extra invocations are throttled, their messages return "
        "to the queue after the visibility timeout, and every return counts towards the "
        "redrive policy's maxReceiveCount: messages reach the dead-letter queue without having "
        "been processed, or wait long after they could have been. AWS's advice is to bound the "
        "mapping with maximum concurrency instead, and to keep the reservation at or above the "
        "total maximum concurrency of the function's SQS mappings."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html",
        "https://repost.aws/knowledge-center/lambda-sqs-scaling",
        "https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_FUNCTION_DETAILS, DATA_EVENT_SOURCE_MAPPINGS),
    options={"poller_ceiling": 1_000},
    option_bounds={"poller_ceiling": (2, 10_000)},
    option_help={
        "poller_ceiling": (
            "Concurrent batches an SQS mapping without maximum concurrency may reach; a "
            "reservation at least this large per such mapping cannot be outrun (AWS: 1,000)."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    ceiling = options["poller_ceiling"]
    for fn in inventory.functions:
        sqs = [m for m in ctx.relations.callers(fn).event_source_mappings if m.kind == "sqs"]
        if not sqs:
            continue
        gap = resource_gap(inventory, DATA_FUNCTION_DETAILS, fn.arn)
        if gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(gap))
            continue
        reserved = fn.reserved_concurrency
        if not reserved:
            continue  # the account pool (other rules), or off (reserved-concurrency-zero)
        unbounded = [m for m in sqs if m.maximum_concurrency is None]
        bounded = _bounded_total(sqs)
        if unbounded:
            if reserved >= ceiling * len(unbounded) + bounded:
                continue  # the pollers cannot reach the reservation
            # What the bounded mappings leave, shared by the others; where a share would fall
            # under MaximumConcurrency's minimum, the reservation that makes room for it.
            share = (reserved - bounded) // len(unbounded)
            needed = bounded + MAXIMUM_CONCURRENCY_RANGE[0] * len(unbounded)
            for mapping in unbounded:
                yield _unbounded_finding(
                    inventory, fn, mapping, sqs, reserved, share, needed, ceiling
                )
            continue
        if bounded > reserved:
            yield _oversubscribed_finding(inventory, fn, sqs, reserved, bounded)


def _bounded_total(mappings: list[EventSourceMapping]) -> int:
    return sum(m.maximum_concurrency or 0 for m in mappings)


def _evidence(fn: Function, mappings: list[EventSourceMapping], reserved: int) -> dict[str, Any]:
    return {
        "function_arn": fn.arn,
        "reserved_concurrency": reserved,
        "sqs_mappings": [
            {
                "uuid": m.uuid,
                "source_arn": m.source_arn,
                "maximum_concurrency": m.maximum_concurrency,
                "fifo": (m.source_arn or "").endswith(".fifo"),
            }
            for m in mappings
        ],
        "observed_throttles": fn.metrics.throttles_total if fn.metrics else None,
    }


def _unbounded_finding(
    inventory: RegionInventory,
    fn: Function,
    mapping: EventSourceMapping,
    sqs: list[EventSourceMapping],
    reserved: int,
    share: int,
    needed: int,
    ceiling: int,
) -> Result:
    queue = resource_name(mapping.source_arn or mapping.uuid)
    low, high = MAXIMUM_CONCURRENCY_RANGE
    evidence = _evidence(fn, sqs, reserved) | {"uuid": mapping.uuid, "suggested": None}
    others = f" (its {len(sqs)} SQS mappings share it)" if len(sqs) > 1 else ""
    message = (
        f"{fn.name} may run {reserved} at once (reserved concurrency){others}, but its "
        f"mapping from {queue} sets no maximum concurrency: Lambda's pollers can hand it up to "
        f"{ceiling:,} batches at once, the rest are throttled and go back to the queue, and each "
        "return counts towards maxReceiveCount."
    )
    if share < low:
        # MaximumConcurrency cannot go below 2: the reservation must grow to fit the mappings.
        evidence["suggested_reserved_concurrency"] = needed
        return RULE.finding(
            inventory=inventory,
            resource_arn=mapping_arn(inventory, mapping),
            message=message
            + f" Maximum concurrency starts at {low}: reserve {needed} and bound each mapping.",
            evidence=evidence,
            remediation=Remediation(
                cli=lambda_cli(
                    inventory,
                    "put-function-concurrency",
                    fn,
                    f"--reserved-concurrent-executions {needed}",
                )
                + f"  # then: aws lambda update-event-source-mapping --uuid {mapping.uuid} "
                f"--scaling-config MaximumConcurrency={low}",
                iac=sam_function(fn, {"ReservedConcurrentExecutions": needed}),
            ),
        )
    suggested = min(share, high)
    evidence["suggested"] = suggested
    return RULE.finding(
        inventory=inventory,
        resource_arn=mapping_arn(inventory, mapping),
        message=message + f" Bound the mapping at {suggested}.",
        evidence=evidence,
        remediation=Remediation(
            cli=(
                f"aws lambda update-event-source-mapping --region {inventory.region} "
                f"--uuid {mapping.uuid} --scaling-config MaximumConcurrency={suggested}"
            ),
            iac=yaml(
                {
                    logical_id(f"{fn.name}-{queue}-mapping"): {
                        "Type": "AWS::Lambda::EventSourceMapping",
                        "Properties": {
                            "FunctionName": fn.name,
                            "EventSourceArn": mapping.source_arn,
                            "ScalingConfig": {"MaximumConcurrency": suggested},
                        },
                    }
                }
            ),
            iac_format="CloudFormation",
        ),
    )


def _oversubscribed_finding(
    inventory: RegionInventory,
    fn: Function,
    sqs: list[EventSourceMapping],
    reserved: int,
    total: int,
) -> Result:
    listing = ", ".join(
        f"{resource_name(m.source_arn or m.uuid)} {m.maximum_concurrency}" for m in sqs
    )
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{fn.name}'s SQS mappings may run {total} at once together ({listing}) but its "
            f"reserved concurrency is {reserved}: the batches above {reserved} are throttled "
            f"and go back to their queues. Reserve {total}, or lower the mappings' maximum "
            f"concurrency to {reserved} in total."
        ),
        evidence=_evidence(fn, sqs, reserved) | {"total_maximum_concurrency": total},
        remediation=Remediation(
            cli=lambda_cli(
                inventory,
                "put-function-concurrency",
                fn,
                f"--reserved-concurrent-executions {total}",
            ),
            iac=sam_function(fn, {"ReservedConcurrentExecutions": total}),
        ),
    )

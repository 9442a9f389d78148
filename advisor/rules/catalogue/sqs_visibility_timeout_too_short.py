from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_FUNCTIONS,
    DATA_QUALIFIERS,
    DATA_QUEUES,
    EventSourceMapping,
    Function,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import Served, serving
from advisor.rules.support import (
    gap_reason,
    logical_id,
    not_evaluated,
    resource_gap,
    resource_name,
    yaml,
)

RULE = Rule(
    id="sqs-visibility-timeout-too-short",
    title="SQS visibility timeout shorter than 6 x the function timeout plus batching window",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "While Lambda processes a batch, its messages are hidden for the queue's visibility "
        "timeout. If that ends before the function finishes (or while Lambda retries a "
        "throttled invocation), the same messages are delivered again and processed twice. AWS "
        "recommends a visibility timeout of at least six times the function timeout plus the "
        "batching window. The timeout is that of the published version behind the alias or "
        "version the mapping invokes."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_EVENT_SOURCE_MAPPINGS, DATA_QUEUES, DATA_QUALIFIERS),
    options={"timeout_multiplier": 6},
    option_bounds={"timeout_multiplier": (1, 100)},
    option_help={
        "timeout_multiplier": (
            "Multiple of the function timeout the visibility timeout must reach, before adding "
            "the batching window (AWS: 6)."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    index = ctx.relations
    multiplier = options["timeout_multiplier"]
    for queue_arn, mappings in index.mappings_by_source.items():
        sqs = [m for m in mappings if m.kind == "sqs"]
        if not sqs:
            continue
        queue = inventory.queues.get(queue_arn)
        if queue is None:
            gap = resource_gap(inventory, DATA_QUEUES, queue_arn)
            reason = gap_reason(gap) if gap else "the queue is not in the inventory"
            yield not_evaluated(RULE, inventory, queue_arn, reason)
            continue
        consumers: list[tuple[int, Function, EventSourceMapping, Served]] = []
        missing = []
        unknown = []
        for mapping in sqs:
            fn = index.function(mapping.function_arn)
            if fn is None:
                missing.append(mapping.function_arn)
                continue
            # the timeout of the version behind the alias or version the mapping invokes
            served = serving(fn, mapping.function_arn)
            if isinstance(served, str):
                unknown.append(served)
                continue
            config = max(served, key=lambda s: s.timeout_s)
            required = multiplier * config.timeout_s + mapping.batching_window_s
            consumers.append((required, fn, mapping, config))
        if not consumers:
            reasons = [*unknown]
            if missing:
                reasons.append(f"consumer functions not in inventory: {missing}")
            yield not_evaluated(RULE, inventory, queue_arn, "; ".join(reasons))
            continue
        required, fn, mapping, config = max(consumers, key=lambda c: c[0])
        if queue.visibility_timeout_s >= required:
            if unknown:
                yield not_evaluated(RULE, inventory, queue_arn, "; ".join(unknown))
            continue
        name = resource_name(queue_arn)
        # 6 x 900 s + 300 s stays far below the SQS maximum of 12 hours: no cap needed.
        suggested = required
        who = fn.name if config.qualifier is None else f"{fn.name}:{config.label}"
        message = (
            f"SQS queue {name} hides messages for {queue.visibility_timeout_s} s but "
            f"{who} may need {required} s ({multiplier} x {config.timeout_s} s timeout + "
            f"{mapping.batching_window_s} s batching window): messages can be processed twice."
        )
        yield RULE.finding(
            inventory=inventory,
            resource_arn=queue_arn,
            message=message,
            evidence={
                "visibility_timeout_s": queue.visibility_timeout_s,
                "required_visibility_timeout_s": required,
                "function_arn": fn.arn,
                "function_timeout_s": config.timeout_s,
                "qualifier": config.qualifier,
                "version": None if config.assumed else config.version,
                "batching_window_s": mapping.batching_window_s,
                "timeout_multiplier": multiplier,
                "consumers": [
                    {
                        "function_arn": f.arn,
                        "timeout_s": c.timeout_s,
                        "required_s": r,
                        "qualifier": c.qualifier,
                        "version": None if c.assumed else c.version,
                    }
                    for r, f, _, c in consumers
                ],
                "functions_not_in_inventory": missing,
            },
            remediation=Remediation(
                cli=(
                    f"aws sqs set-queue-attributes --region {inventory.region} "
                    f"--queue-url {queue.url} --attributes VisibilityTimeout={suggested}"
                ),
                iac=yaml(
                    {
                        logical_id(name): {
                            "Type": "AWS::SQS::Queue",
                            "Properties": {"QueueName": name, "VisibilityTimeout": suggested},
                        }
                    }
                ),
                iac_format="CloudFormation",
            ),
        )

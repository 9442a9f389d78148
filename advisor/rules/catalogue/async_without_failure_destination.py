from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_ASYNC_CONFIG,
    DATA_FUNCTIONS,
    DATA_POLICIES,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    gap_reason,
    lambda_cli,
    logical_id,
    not_evaluated,
    resource_gap,
    sam_function,
    yaml,
)

RULE = Rule(
    id="async-without-failure-destination",
    title="Asynchronously invoked function without a dead-letter queue or on-failure destination",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "For asynchronous invocations (S3, SNS, EventBridge, IoT, CloudWatch Logs, …) Lambda "
        "queues the event, retries a failed invocation twice and keeps an event for at most six "
        "hours; after that the event is discarded. Without a dead-letter queue or an on-failure "
        "destination (either one is enough) nobody learns which events were lost, and they "
        "cannot be replayed."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_POLICIES, DATA_ASYNC_CONFIG),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    index = ctx.relations
    for fn in inventory.functions:
        if fn.dead_letter_target:
            continue
        sources = index.callers(fn).async_sources
        if not sources:
            policy_gap = resource_gap(inventory, DATA_POLICIES, fn.arn)
            if policy_gap is not None:
                yield not_evaluated(RULE, inventory, fn.arn, gap_reason(policy_gap))
            continue
        config_gap = resource_gap(inventory, DATA_ASYNC_CONFIG, fn.arn)
        if config_gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(config_gap))
            continue
        config = fn.async_config
        if config is not None and config.on_failure:
            continue
        failures_name = f"{fn.name}-failures"
        failures_arn = f"arn:aws:sqs:{inventory.region}:{inventory.account_id}:{failures_name}"
        described = ", ".join(
            f"{s.principal}" + (f" ({s.source_arn})" if s.source_arn else "") for s in sources
        )
        retries = config.maximum_retry_attempts if config else None
        max_age = config.maximum_event_age_seconds if config else None
        queue_id = logical_id(failures_name)
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} is invoked asynchronously by {described} but has neither a "
                f"dead-letter queue nor an on-failure destination: events that still fail after "
                f"{2 if retries is None else retries} retries (or wait longer than "
                f"{21600 if max_age is None else max_age} s) are dropped without a trace."
            ),
            evidence={
                "async_sources": [
                    {"principal": s.principal, "source_arn": s.source_arn} for s in sources
                ],
                "dead_letter_target": None,
                "on_failure_destination": None,
                "maximum_retry_attempts": retries,
                "maximum_event_age_seconds": max_age,
            },
            remediation=Remediation(
                cli=(
                    f"aws sqs create-queue --region {inventory.region} "
                    f"--queue-name {failures_name} && "
                    + lambda_cli(
                        inventory,
                        "put-function-event-invoke-config",
                        fn,
                        "--destination-config "
                        f'\'{{"OnFailure":{{"Destination":"{failures_arn}"}}}}\'',
                    )
                ),
                iac=yaml({queue_id: {"Type": "AWS::SQS::Queue"}})
                + "\n"
                + sam_function(
                    fn,
                    {
                        "EventInvokeConfig": {
                            "DestinationConfig": {
                                "OnFailure": {
                                    "Type": "SQS",
                                    "Destination": f"!GetAtt {queue_id}.Arn",
                                }
                            }
                        }
                    },
                ),
            ),
        )

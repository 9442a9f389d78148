from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_EVENT_SOURCE_MAPPINGS,
    EventSourceMapping,
    RegionInventory,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    logical_id,
    mapping_arn,
    mapping_function_name,
    resource_name,
    source_properties,
    yaml,
)

RULE = Rule(
    id="event-source-mapping-failing",
    title="Event source mapping that Lambda reports failing or disabled",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "Lambda reports the health of each event source mapping in its configuration: "
        "LastProcessingResult is the outcome of the last poll (OK, No records processed, or "
        "PROBLEM: ... when it could not read the source or invoke the function), and "
        "StateTransitionReason says who made the last state change and why (a user, or "
        "Lambda with PROBLEM: ... or, for Amazon MQ and Kafka consumers it stopped, a code "
        "such as EVENT_SOURCE_AUTHZ_ERROR). An enabled mapping that reports a problem is not "
        "processing its source: messages wait in the queue until they expire, stream records "
        "age out, and nothing alarms. A mapping that Lambda disabled invokes nothing, so the "
        "queue and stream rules do not judge it; it is reported as information with Lambda's "
        "reason, to be fixed and enabled again or deleted. A mapping a user disabled is not "
        "reported."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-mq-errors.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html",
    ),
    requires=(DATA_EVENT_SOURCE_MAPPINGS,),
)

# What the execution role needs to read each kind of source (the pages of each source's
# "execution role permissions" section): the usual cause of a mapping Lambda cannot poll.
READ_ACTIONS: dict[str, tuple[str, ...]] = {
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "kinesis": (
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
    ),
    "dynamodb": (
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ),
}


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for mapping in inventory.event_source_mappings:
        problem = mapping.problem
        if problem is None:
            continue  # healthy, or disabled by a user
        yield _finding(inventory, mapping, problem)


def _finding(inventory: RegionInventory, mapping: EventSourceMapping, problem: str) -> Result:
    fn_name = mapping_function_name(mapping)
    source = resource_name(mapping.source_arn) if mapping.source_arn else f"its {mapping.kind}"
    field = (
        "LastProcessingResult"
        if problem == mapping.last_processing_result
        else "StateTransitionReason"
    )
    if mapping.enabled:
        message = (
            f"{fn_name}'s {mapping.kind} mapping from {source} is {mapping.state} but Lambda "
            f'reports it failing ({field} "{problem}"): the source is not being processed, '
            "and its messages or records wait until they expire."
        )
        severity = None
    else:
        message = (
            f"Lambda disabled {fn_name}'s {mapping.kind} mapping from {source} ({field} "
            f'"{problem}"): it invokes nothing, so the queue and stream rules do not judge it. '
            "Fix the cause and enable it again, or delete it if it is no longer needed."
        )
        severity = Severity.INFO
    uuid = mapping.uuid
    region = inventory.region
    cli = (
        f"aws lambda get-event-source-mapping --region {region} --uuid {uuid} --query "
        "'{State:State,Reason:StateTransitionReason,LastResult:LastProcessingResult}'"
        "  # fix the cause it names (often the execution role's access to the source), then: "
        f"aws lambda update-event-source-mapping --region {region} --uuid {uuid} --enabled"
    )
    return RULE.finding(
        inventory=inventory,
        resource_arn=mapping_arn(inventory, mapping),
        severity=severity,
        message=message,
        evidence={
            "uuid": uuid,
            "kind": mapping.kind,
            "function_arn": mapping.function_arn,
            "source_arn": mapping.source_arn,
            "state": mapping.state,
            "state_transition_reason": mapping.state_transition_reason,
            "last_processing_result": mapping.last_processing_result,
            "problem": problem,
            "disabled_by_lambda": mapping.disabled_by_lambda,
        },
        remediation=Remediation(cli=cli, iac=_iac(mapping, fn_name), iac_format="CloudFormation"),
    )


def _iac(mapping: EventSourceMapping, fn_name: str) -> str:
    resources: dict[str, Any] = {
        logical_id(f"{fn_name}-{mapping.kind}-mapping"): {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "FunctionName": fn_name,
                **source_properties(mapping),
                **({} if mapping.kind in ("sqs", "mq") else {"StartingPosition": "LATEST"}),
                "Enabled": True,
            },
        }
    }
    actions = READ_ACTIONS.get(mapping.kind)
    if actions and mapping.source_arn:
        resources[logical_id(f"{fn_name}-source-access")] = {
            "Type": "AWS::IAM::RolePolicy",
            "Properties": {
                "RoleName": "FUNCTION_EXECUTION_ROLE",
                "PolicyName": f"{fn_name}-{mapping.kind}-read",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": list(actions),
                            "Resource": mapping.source_arn,
                        }
                    ],
                },
            },
        }
    return yaml(resources)

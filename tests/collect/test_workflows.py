"""Step Functions and Pipes invoke functions with their role: read from the emulator over HTTP,
each with the invocation type its definition says."""

from __future__ import annotations

import json

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.collect.workflows import lambda_tasks
from tests.collect.aws_state import ACCOUNT, DUMMY_CREDENTIALS, REGION, Aws
from tests.fixtures.emulator import reset_emulator


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


DEFINITION = {
    "StartAt": "Score",
    "States": {
        "Score": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "scorer:live", "Payload.$": "$"},
            "Next": "Fan out",
        },
        "Fan out": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Notify",
                    "States": {
                        "Notify": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {
                                "FunctionName": arn("notifier"),
                                "InvocationType": "Event",
                            },
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Legacy",
                    "States": {"Legacy": {"Type": "Task", "Resource": arn("legacy"), "End": True}},
                },
                {
                    "StartAt": "Dynamic",
                    "States": {
                        "Dynamic": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName.$": "$.target"},
                            "End": True,
                        }
                    },
                },
            ],
            "End": True,
        },
    },
}


def test_lambda_tasks_of_a_definition():
    assert sorted(lambda_tasks(DEFINITION), key=str) == sorted(
        [
            ("scorer:live", "sync"),
            (arn("notifier"), "async"),
            (arn("legacy"), "sync"),
            (None, "sync"),
        ],
        key=str,
    )


@pytest.fixture(scope="module")
def inventory(aws_endpoint: str) -> RegionInventory:
    reset_emulator(aws_endpoint)
    state = Aws.connect(aws_endpoint, **DUMMY_CREDENTIALS)
    lam = state.client("lambda")
    for name in ("scorer", "notifier", "legacy", "enricher"):
        state.function(name)
    lam.publish_version(FunctionName="scorer")
    lam.create_alias(FunctionName="scorer", Name="live", FunctionVersion="1")
    role = state.role("workflow-role")
    machine = state.client("stepfunctions").create_state_machine(
        name="orders-flow", definition=json.dumps(DEFINITION), roleArn=role
    )
    _, queue = state.queue("pipe-source")
    state.client("pipes").create_pipe(
        Name="enrich",
        Source=queue,
        Target=arn("enricher"),
        RoleArn=role,
        TargetParameters={"LambdaFunctionParameters": {"InvocationType": "FIRE_AND_FORGET"}},
    )
    inventory = collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws_endpoint,
        options=CollectOptions(rate_limit=False, max_attempts=2, metrics=False),
    )
    inventory.machine_arn = machine["stateMachineArn"]  # for the assertions below
    return inventory


def test_workflows_are_role_callers_with_their_invocation_type(inventory: RegionInventory):
    callers = sorted(
        (s.function_arn, s.principal, s.invocation)
        for s in inventory.push_sources
        if s.via == "role"
    )
    assert callers == [
        (arn("enricher"), "pipes.amazonaws.com", "async"),
        (arn("legacy"), "states.amazonaws.com", "sync"),
        (arn("notifier"), "states.amazonaws.com", "async"),
        (arn("scorer:live"), "states.amazonaws.com", "sync"),
    ]
    assert inventory.unresolved_workflow_targets == [inventory.machine_arn]
    live = next(fn for fn in inventory.functions if fn.name == "scorer").qualifier("live")
    assert (live.named_by, live.version) == (["workflow"], "1")
    assert inventory.api_calls["stepfunctions.DescribeStateMachine"] == 1
    assert inventory.api_calls["pipes.DescribePipe"] == 1
    assert inventory.coverage_gaps == []

"""Callers that invoke with an IAM role from a workflow: Step Functions and EventBridge Pipes.

Neither needs a statement in the function's resource policy, so GetPolicy never shows them.
Both say how they invoke, so the invocation type is known rather than guessed:

- Step Functions (``states:ListStateMachines``, then ``states:DescribeStateMachine`` per
  machine for its definition): a Task state with Resource ``arn:aws:states:::lambda:invoke``
  invokes ``Parameters.FunctionName`` with ``Parameters.InvocationType`` (``RequestResponse`` by
  default: synchronous; ``Event``: asynchronous); a Task whose Resource is the function's ARN
  invokes it synchronously (step-functions/latest/dg/connect-lambda.html). A FunctionName taken
  from the input at run time (``FunctionName.$``) names no function the scan can know: it is
  counted in ``unresolved_workflow_targets``.
- EventBridge Pipes (``pipes:ListPipes``, then ``pipes:DescribePipe`` for each pipe whose target
  is a function): ``TargetParameters.LambdaFunctionParameters.InvocationType``
  ``REQUEST_RESPONSE`` (synchronous, the default) or ``FIRE_AND_FORGET`` (asynchronous)
  (eventbridge/latest/pipes-reference/API_PipeTargetLambdaFunctionParameters.html).

These calls go to Step Functions' and Pipes' own quotas, never to Lambda's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from advisor.collect.context import ScanContext
from advisor.collect.inventory import DATA_WORKFLOWS, PushSource

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def collect_workflows(ctx: ScanContext) -> None:
    read_state_machines(ctx)
    read_pipes(ctx)


def _function_arn(ctx: ScanContext, name: str) -> str | None:
    """A full function ARN (qualifier kept) for a name, partial ARN or ARN; None for a value
    chosen at run time."""
    if not name or "$" in name.replace("$LATEST", ""):
        return None
    if name.startswith("arn:"):
        return name
    account = ctx.inventory.account_id
    if ":function:" in name:  # 123456789012:function:name[:qualifier]
        return f"arn:aws:lambda:{ctx.region}:{name}"
    return f"arn:aws:lambda:{ctx.region}:{account}:function:{name}"


def lambda_tasks(definition: dict[str, Any]) -> Iterator[tuple[str | None, str]]:
    """(function name or ARN, "sync" | "async") for every Lambda task of a definition, nested
    Parallel branches and Map iterators included. None: the name is chosen at run time."""
    for state in (definition.get("States") or {}).values():
        if not isinstance(state, dict):
            continue
        resource = str(state.get("Resource") or "")
        parameters = state.get("Parameters") or state.get("Arguments") or {}
        if resource.startswith(LAMBDA_INVOKE):
            invocation = parameters.get("InvocationType") or "RequestResponse"
            name = parameters.get("FunctionName")
            yield (
                str(name) if name else None,
                "async" if invocation == "Event" else "sync",
            )
        elif resource.startswith("arn:") and ":lambda:" in resource and ":function:" in resource:
            yield resource, "sync"
        for branch in state.get("Branches") or []:
            yield from lambda_tasks(branch)
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), dict):
                yield from lambda_tasks(state[key])


def read_state_machines(ctx: ScanContext) -> None:
    client = ctx.client("stepfunctions")

    def machines() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in client.get_paginator("list_state_machines").paginate():
            found.extend(page.get("stateMachines") or [])
        return found

    listed = ctx.attempt(
        machines, service="stepfunctions", operation="ListStateMachines", hides=DATA_WORKFLOWS
    )
    for machine in listed or []:
        arn = machine["stateMachineArn"]
        described = ctx.attempt(
            lambda arn=arn: client.describe_state_machine(stateMachineArn=arn),
            service="stepfunctions",
            operation="DescribeStateMachine",
            hides=DATA_WORKFLOWS,
            resource_arn=arn,
        )
        if described is None:
            continue
        try:
            definition = json.loads(described.get("definition") or "{}")
        except ValueError:
            continue
        for name, invocation in lambda_tasks(definition):
            function = _function_arn(ctx, name or "")
            if function is None:
                ctx.inventory.unresolved_workflow_targets.append(arn)
                continue
            ctx.inventory.role_callers.append(
                PushSource(
                    function_arn=function,
                    principal="states.amazonaws.com",
                    source_arn=arn,
                    invocation=invocation,
                    via="role",
                )
            )


def read_pipes(ctx: ScanContext) -> None:
    client = ctx.client("pipes")

    def pipes() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in client.get_paginator("list_pipes").paginate():
            found.extend(page.get("Pipes") or [])
        return found

    listed = ctx.attempt(pipes, service="pipes", operation="ListPipes", hides=DATA_WORKFLOWS)
    for pipe in listed or []:
        target = str(pipe.get("Target") or "")
        if ":lambda:" not in target or ":function:" not in target:
            continue
        described = ctx.attempt(
            lambda name=pipe["Name"]: client.describe_pipe(Name=name),
            service="pipes",
            operation="DescribePipe",
            hides=DATA_WORKFLOWS,
            resource_arn=pipe.get("Arn"),
        )
        if described is None:
            continue
        parameters = (described.get("TargetParameters") or {}).get("LambdaFunctionParameters") or {}
        invocation = parameters.get("InvocationType") or "REQUEST_RESPONSE"
        ctx.inventory.role_callers.append(
            PushSource(
                function_arn=target,
                principal="pipes.amazonaws.com",
                source_arn=pipe.get("Arn"),
                invocation="async" if invocation == "FIRE_AND_FORGET" else "sync",
                via="role",
            )
        )

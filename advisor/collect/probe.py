""" "Test connection": assume the role, then try each read permission the scanner needs once,
with the smallest request that proves it, and say exactly which work."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from advisor.collect.errors import AwsAccessError
from advisor.collect.session import EndpointNotAllowed, assume_role_session, aws_client

PROBE_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2})
# Error codes meaning "it exists and we may ask, but there is nothing there": permission works.
ABSENT = {
    "ResourceNotFoundException",
    "NotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "RepositoryNotFoundException",
    "StateMachineDoesNotExist",
}
# A repository name no one uses: DescribeImages on it proves the permission without reading one.
PROBE_REPOSITORY = "lambda-advisor-permission-probe"
# Likewise an alias and an EventBridge rule no one names so: "not found" proves the permission.
PROBE_ALIAS = "lambda-advisor-permission-probe"
PROBE_RULE = "lambda-advisor-permission-probe"


@dataclass(frozen=True)
class PermissionCheck:
    action: str  # the IAM action, as in the read-only policy
    ok: bool | None  # None: could not be checked (nothing to check it on)
    detail: str


def probe_connection(
    *, role_arn: str, external_id: str, region: str, endpoint_url: str | None = None
) -> list[PermissionCheck]:
    """Raises EndpointNotAllowed (nothing sent) for an endpoint URL this server refuses."""
    try:
        session = assume_role_session(
            role_arn=role_arn, external_id=external_id, region=region, endpoint_url=endpoint_url
        )
    except EndpointNotAllowed:
        raise
    except AwsAccessError as error:
        return [PermissionCheck("sts:AssumeRole", False, str(error))]
    checks = [PermissionCheck("sts:AssumeRole", True, f"assumed {role_arn}")]
    checks.extend(probe_permissions(session, region=region, endpoint_url=endpoint_url))
    return checks


def probe_permissions(
    session: boto3.Session, *, region: str, endpoint_url: str | None = None
) -> list[PermissionCheck]:
    def client(service: str) -> Any:
        return aws_client(
            service, session=session, region=region, endpoint_url=endpoint_url, config=PROBE_CONFIG
        )

    lam, cloudwatch = client("lambda"), client("cloudwatch")
    checks: list[PermissionCheck] = []
    listed = _check(checks, "lambda:ListFunctions", lambda: lam.list_functions(MaxItems=1))
    first = (listed or {}).get("Functions", [{}])
    name = first[0].get("FunctionName") if first else None
    _check(checks, "lambda:GetAccountSettings", lam.get_account_settings)
    _check(
        checks,
        "lambda:ListEventSourceMappings",
        lambda: lam.list_event_source_mappings(MaxItems=1),
    )
    for action, call in [
        ("lambda:GetFunction", lambda: lam.get_function(FunctionName=name)),
        ("lambda:GetPolicy", lambda: lam.get_policy(FunctionName=name)),
        ("lambda:GetAlias", lambda: lam.get_alias(FunctionName=name, Name=PROBE_ALIAS)),
    ]:
        if name is None:
            checks.append(PermissionCheck(action, None, "no function in this region to try it on"))
        else:
            _check(checks, action, call)
    _check(
        checks, "apigateway:GET (REST APIs)", lambda: client("apigateway").get_rest_apis(limit=1)
    )
    _check(
        checks,
        "apigateway:GET (HTTP APIs)",
        lambda: client("apigatewayv2").get_apis(MaxResults="1"),
    )
    _check(
        checks,
        "ecr:DescribeImages",
        lambda: client("ecr").describe_images(repositoryName=PROBE_REPOSITORY, maxResults=1),
    )
    _check(
        checks,
        "ec2:DescribeSubnets",
        lambda: client("ec2").describe_subnets(MaxResults=5),
    )
    _check(
        checks,
        "scheduler:ListSchedules",
        lambda: client("scheduler").list_schedules(MaxResults=1),
    )
    events = client("events")
    _check(checks, "events:ListEventBuses", lambda: events.list_event_buses(Limit=1))
    _check(checks, "events:ListRules", lambda: events.list_rules(Limit=1))
    _check(
        checks,
        "events:ListTargetsByRule",
        lambda: events.list_targets_by_rule(Rule=PROBE_RULE, Limit=1),
    )
    states = client("stepfunctions")
    _check(checks, "states:ListStateMachines", lambda: states.list_state_machines(maxResults=1))
    _check(
        checks,
        "states:DescribeStateMachine",
        lambda: states.describe_state_machine(
            stateMachineArn=_probe_machine_arn(client("sts"), region)
        ),
    )
    pipes = client("pipes")
    _check(checks, "pipes:ListPipes", lambda: pipes.list_pipes(Limit=1))
    _check(checks, "pipes:DescribePipe", lambda: pipes.describe_pipe(Name=PROBE_RULE))
    _check(checks, "sqs:ListQueues", lambda: client("sqs").list_queues(MaxResults=1))
    _check(checks, "logs:DescribeLogGroups", lambda: client("logs").describe_log_groups(limit=1))
    _check(
        checks,
        "cloudwatch:ListMetrics",
        lambda: cloudwatch.list_metrics(Namespace="AWS/Lambda", MetricName="Invocations"),
    )
    end = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    _check(
        checks,
        "cloudwatch:GetMetricData",
        lambda: cloudwatch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "probe",
                    "MetricStat": {
                        "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations"},
                        "Period": 3600,
                        "Stat": "Sum",
                    },
                }
            ],
            StartTime=end - dt.timedelta(hours=1),
            EndTime=end,
        ),
    )
    return checks


def _probe_machine_arn(sts: Any, region: str) -> str:
    """A state machine ARN no one uses, in the role's account: "does not exist" proves
    DescribeStateMachine is allowed without reading a definition."""
    account = "000000000000"
    with contextlib.suppress(ClientError, BotoCoreError):
        account = sts.get_caller_identity()["Account"]
    return f"arn:aws:states:{region}:{account}:stateMachine:{PROBE_RULE}"


def _check(checks: list[PermissionCheck], action: str, call: Callable[[], Any]) -> Any:
    try:
        result = call()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        if code in ABSENT:
            checks.append(PermissionCheck(action, True, "allowed (nothing to read)"))
        else:
            message = error.response.get("Error", {}).get("Message", "")
            checks.append(PermissionCheck(action, False, f"{code}: {message}".strip(": ")))
        return None
    except BotoCoreError as error:
        checks.append(PermissionCheck(action, False, str(error)))
        return None
    checks.append(PermissionCheck(action, True, "allowed"))
    return result

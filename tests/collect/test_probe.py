""" "Test connection" against the emulator: which read permissions work, one by one."""

from advisor.collect.probe import probe_connection, probe_permissions
from tests.fixtures.aws_state import create_function, reader_role, refuse

ACCOUNT = "666677778888"


def by_action(checks):
    return {check.action: check for check in checks}


def test_every_permission_works_for_the_read_only_role(aws):
    role_arn, session = reader_role(aws, account_id=ACCOUNT, external_id="ext-probe-1")
    create_function(session, aws, name="orders-api")

    checks = by_action(
        probe_connection(
            role_arn=role_arn, external_id="ext-probe-1", region="us-east-1", endpoint_url=aws
        )
    )

    assert checks["sts:AssumeRole"].ok
    failing = {action: c.detail for action, c in checks.items() if c.ok is not True}
    assert failing == {}
    assert {
        "lambda:ListFunctions",
        "lambda:GetPolicy",
        "ecr:DescribeImages",
        "cloudwatch:GetMetricData",
    } <= set(checks)
    # Every permission of the read-only policy that a scan of aliases and schedules uses
    assert {
        "lambda:GetAlias",
        "scheduler:ListSchedules",
        "events:ListEventBuses",
        "events:ListRules",
        "events:ListTargetsByRule",
        "states:ListStateMachines",
        "states:DescribeStateMachine",
        "pipes:ListPipes",
        "pipes:DescribePipe",
    } <= set(checks)


def test_a_denied_permission_is_named_with_its_error(aws):
    _, session = reader_role(aws, account_id=ACCOUNT, external_id="ext-probe-2")
    refuse(session, "lambda.ListEventSourceMappings", "AccessDeniedException", status=403)

    checks = by_action(probe_permissions(session, region="us-east-1", endpoint_url=aws))

    denied = checks["lambda:ListEventSourceMappings"]
    assert denied.ok is False
    assert denied.detail.startswith("AccessDeniedException")
    assert checks["lambda:ListFunctions"].ok is True
    # No function to try GetFunction on: said, not guessed.
    assert checks["lambda:GetFunction"].ok is None


def test_wrong_external_id_stops_at_assume_role(aws):
    role_arn, _ = reader_role(aws, account_id=ACCOUNT, external_id="ext-probe-3")

    [check] = probe_connection(
        role_arn=role_arn, external_id="someone-elses", region="us-east-1", endpoint_url=aws
    )

    assert check.action == "sts:AssumeRole"
    assert check.ok is False
    assert "AccessDenied" in check.detail

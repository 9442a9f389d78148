"""The read-only policy, the rule catalogue's table of permissions and Test connection name the
same IAM actions, both ways: every AWS call a scan makes is granted, and every action granted is
one the scan reads with (a grant nothing uses is privilege for nothing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts.iam import READ_ONLY_ACTIONS, scan_role_template
from advisor.collect.inventory import DATA_READS
from advisor.collect.options import CollectOptions
from advisor.collect.scanner import collect_inventory
from advisor.demo.seed import DEFAULT_EXTERNAL_ID, DEMO_ACCOUNT_ID, assume, seed_demo
from advisor.demo.seed import READ_ONLY_ACTIONS as DEMO_ROLE_ACTIONS
from tests.fixtures.emulator import reset_emulator

REGION = "us-east-1"
ROLE = f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/LambdaAdvisorReadOnly"
# boto3's service names where IAM's prefix differs; API Gateway's reads are all one action.
IAM_PREFIX = {"stepfunctions": "states"}
WHOLE_SERVICE = {"apigateway": "apigateway:GET", "apigatewayv2": "apigateway:GET"}


def iam_action(call: str) -> str:
    """``"stepfunctions.ListStateMachines"`` (the collector's call counts) as IAM names it."""
    service, operation = call.split(".", 1)
    return WHOLE_SERVICE.get(service) or f"{IAM_PREFIX.get(service, service)}:{operation}"


@pytest.fixture(scope="module")
def demo_scan_calls(aws_endpoint: str) -> dict[str, int]:
    """Every call a scan of the demo account (every rule's breaking and passing case) makes."""
    reset_emulator(aws_endpoint)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        seed_demo(endpoint_url=aws_endpoint, regions=(REGION,))
        inventory = collect_inventory(
            account_id=DEMO_ACCOUNT_ID,
            regions=(REGION,),
            session_factory=lambda region: assume(aws_endpoint, ROLE, DEFAULT_EXTERNAL_ID, region),
            endpoint_url=aws_endpoint,
            options=CollectOptions(rate_limit=False),
        )
    assert inventory.coverage_gaps == []
    return {call: n for region in inventory.regions for call, n in region.api_calls.items()}


def test_every_call_a_scan_makes_is_granted_and_documented(demo_scan_calls):
    made = {iam_action(call) for call in demo_scan_calls}
    documented = {action for actions in DATA_READS.values() for action in actions}
    assert sorted(made - set(READ_ONLY_ACTIONS)) == []
    assert sorted(made - documented) == []


def test_every_grant_is_a_documented_read_and_every_documented_read_is_granted():
    documented = {action for actions in DATA_READS.values() for action in actions}
    assert sorted(set(READ_ONLY_ACTIONS) - documented) == []
    assert sorted(documented - set(READ_ONLY_ACTIONS)) == []
    assert len(READ_ONLY_ACTIONS) == len(set(READ_ONLY_ACTIONS))


COLLECTOR = Path(__file__).resolve().parents[2] / "advisor" / "collect"
# The boto3 method an action authorises, where it is not the action's own name in snake case.
CALLED_AS = {"lambda:GetLayerVersion": "get_layer_version_by_arn"}  # ByArn needs GetLayerVersion


def test_every_granted_action_is_called_by_the_collector():
    """A scan of the demo makes most of them; this holds the rest (a layer, a pipe, the queues'
    listing are read only where the estate has them) against the collector's own source."""
    source = "\n".join(path.read_text() for path in COLLECTOR.glob("*.py"))
    unused = []
    for action in READ_ONLY_ACTIONS:
        if action == "apigateway:GET":
            called = re.search(r"client\(\"apigateway(v2)?\"\)", source)
        else:
            operation = action.split(":", 1)[1]
            method = CALLED_AS.get(action) or re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
            called = re.search(rf"[.\"']{method}[\"'(]", source)
        if not called:
            unused.append(action)
    assert unused == []


def test_the_role_template_grants_exactly_the_policy():
    template = scan_role_template("lambda-advisor-x")
    role = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    [policy] = role["Properties"]["Policies"]
    granted = [a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"]]
    assert granted == READ_ONLY_ACTIONS


def test_the_demo_role_may_make_every_documented_read():
    def allowed(action: str) -> bool:
        return any(
            grant == action or (grant.endswith("*") and action.startswith(grant[:-1]))
            for grant in DEMO_ROLE_ACTIONS
        )

    documented = {action for actions in DATA_READS.values() for action in actions}
    assert [a for a in sorted(documented) if not allowed(a)] == []

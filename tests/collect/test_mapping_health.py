"""What Lambda reports about each event source mapping (State, StateTransitionReason,
LastProcessingResult), read from the emulator over HTTP, and how the scan judges it: an enabled
mapping that fails is a finding, one Lambda disabled is information, one a user disabled is
neither; the queue rules judge only the healthy ones."""

from __future__ import annotations

import json
import urllib.request

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.demo.emulator_lambda_qualifiers import MAPPING_STATE_PATH
from advisor.rules.base import Finding, Severity
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)


def report(aws_state: Aws, uuid: str, **fields: str) -> None:
    """Set what only Lambda sets on a mapping (the emulator's endpoint)."""
    body = {"account_id": ACCOUNT, "region": REGION, "uuid": uuid, **fields}
    request = urllib.request.Request(  # noqa: S310 (the emulator's own endpoint)
        f"{aws_state.endpoint}{MAPPING_STATE_PATH}", data=json.dumps(body).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310


@pytest.fixture
def inventory(aws: str) -> RegionInventory:
    state = Aws.connect(aws)
    lam = state.client("lambda")
    uuids = {}
    for name in ("failing", "stopped", "paused", "healthy"):
        state.function(name)
        _, queue = state.queue(f"{name}-queue")
        mapping = lam.create_event_source_mapping(
            EventSourceArn=queue, FunctionName=name, BatchSize=10
        )
        uuids[name] = mapping["UUID"]
    report(state, uuids["failing"], last_processing_result="PROBLEM: Function call failed")
    report(
        state,
        uuids["stopped"],
        state="Disabled",
        state_transition_reason="PROBLEM: Lambda is unable to receive messages from the queue",
    )
    lam.update_event_source_mapping(UUID=uuids["paused"], Enabled=False)  # a user disabled it
    report(state, uuids["healthy"], last_processing_result="OK")
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )


def findings(inventory: RegionInventory, rule_id: str) -> dict[str, Finding]:
    results = rules_by_id()[rule_id].evaluate(RegionContext.build(inventory), {})
    return {
        r.evidence["function_arn"].rsplit(":", 1)[-1]: r for r in results if isinstance(r, Finding)
    }


def test_the_collector_keeps_what_lambda_reports(inventory):
    mappings = {m.function_arn.rsplit(":", 1)[-1]: m for m in inventory.event_source_mappings}
    assert mappings["failing"].enabled and mappings["failing"].problem == (
        "PROBLEM: Function call failed"
    )
    assert mappings["stopped"].disabled_by_lambda
    assert not mappings["paused"].enabled and mappings["paused"].problem is None
    assert mappings["healthy"].live


def test_failing_and_lambda_disabled_mappings_are_reported_by_their_severity(inventory):
    found = findings(inventory, "event-source-mapping-failing")
    assert {name: f.severity for name, f in found.items()} == {
        "failing": Severity.HIGH,
        "stopped": Severity.INFO,
    }


def test_the_queue_rules_judge_only_the_healthy_mapping(inventory):
    # none of the four reports partial batch failures: only the live one is judged
    assert set(findings(inventory, "sqs-partial-batch-response-missing")) == {"healthy"}

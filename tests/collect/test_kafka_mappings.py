"""Kafka event source mappings (Amazon MSK and self-managed) read from the emulator, which
creates them as AWS does, and judged by the failure-destination and retry rules like the other
streams."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)
MSK = f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/orders/4c5d6e7f-1a2b-3c4d-5e6f-7a8b9c0d1e2f-1"


@pytest.fixture
def state(aws: str) -> Aws:
    state = Aws.connect(aws)
    lam = state.client("lambda")
    _, failures = state.queue("kafka-failures")
    state.function("msk-consumer")
    lam.create_event_source_mapping(
        FunctionName="msk-consumer",
        EventSourceArn=MSK,
        Topics=["orders"],
        StartingPosition="LATEST",
        DestinationConfig={"OnFailure": {"Destination": failures}},
    )
    state.function("broker-consumer")
    lam.create_event_source_mapping(
        FunctionName="broker-consumer",
        SelfManagedEventSource={"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["b-1.example:9092"]}},
        Topics=["clicks"],
        StartingPosition="TRIM_HORIZON",
    )
    state.function("provisioned-consumer")
    lam.create_event_source_mapping(
        FunctionName="provisioned-consumer",
        EventSourceArn=MSK,
        Topics=["payments"],
        StartingPosition="LATEST",
        ProvisionedPollerConfig={"MinimumPollers": 2, "MaximumPollers": 20},
        DestinationConfig={"OnFailure": {"Destination": failures}},
    )
    return state


def scan(state: Aws) -> RegionInventory:
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )


def test_msk_and_self_managed_mappings_are_read_as_kafka(state):
    inventory = scan(state)
    mappings = {m.function_arn.rsplit(":", 1)[-1]: m for m in inventory.event_source_mappings}
    assert {name: m.kind for name, m in mappings.items()} == {
        "msk-consumer": "kafka",
        "broker-consumer": "kafka",
        "provisioned-consumer": "kafka",
    }
    assert mappings["msk-consumer"].source_arn == MSK
    assert mappings["msk-consumer"].on_failure_destination.endswith(":kafka-failures")
    assert mappings["broker-consumer"].source_arn is None  # self-managed: no ARN, as in AWS
    # provisioned mode, the only one where a Kafka mapping's retries can be bounded
    assert mappings["provisioned-consumer"].provisioned_pollers is True
    assert mappings["msk-consumer"].provisioned_pollers is False


def test_kafka_mappings_that_retry_forever_are_reported(state):
    # given three Kafka mappings with Lambda's default (unbounded) retries: on demand with a
    # destination, on demand without one, and provisioned with a destination (capped at 10)
    inventory = scan(state)
    rule = rules_by_id()["stream-infinite-retries"]
    results = list(rule.evaluate(RegionContext.build(inventory), {}))
    reported = sorted(
        r.evidence["function_arn"].rsplit(":", 1)[-1] for r in results if isinstance(r, Finding)
    )
    assert reported == ["broker-consumer", "msk-consumer"]


def test_the_kafka_mapping_without_a_destination_is_reported(state):
    inventory = scan(state)
    rule = rules_by_id()["stream-source-without-failure-destination"]
    results = list(rule.evaluate(RegionContext.build(inventory), {}))
    [finding] = [r for r in results if isinstance(r, Finding)]
    assert finding.evidence["function_arn"].endswith(":function:broker-consumer")
    assert finding.evidence["kind"] == "kafka"


def test_a_kafka_mapping_needs_a_starting_position_as_in_aws(state):
    with pytest.raises(ClientError) as refused:
        state.client("lambda").create_event_source_mapping(
            FunctionName="msk-consumer", EventSourceArn=MSK, Topics=["orders"]
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"

"""Versions and aliases in the emulator behave as the Lambda API reference says, over HTTP with
boto3 (where moto keeps one policy, one event invoke config and no alias URL per function)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from advisor.demo.emulator_lambda_qualifiers import MAPPING_STATE_PATH
from tests.collect.aws_state import ACCOUNT, DUMMY_CREDENTIALS, REGION, Aws

ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"


@pytest.fixture
def state(aws: str) -> Aws:
    aws_state = Aws.connect(aws, **DUMMY_CREDENTIALS)
    lam = aws_state.client("lambda")
    aws_state.function("orders", Timeout=10)
    lam.publish_version(FunctionName="orders")  # version 1: 10 s
    lam.update_function_configuration(FunctionName="orders", Timeout=60)
    lam.publish_version(FunctionName="orders")  # version 2: 60 s
    lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="2")
    lam.create_alias(FunctionName="orders", Name="canary", FunctionVersion="1")
    return aws_state


def statement_sids(lam, **qualifier) -> list[str]:
    try:
        policy = lam.get_policy(FunctionName="orders", **qualifier)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"
        return []
    return [s["Sid"] for s in json.loads(policy["Policy"])["Statement"]]


def test_each_qualifier_has_its_own_resource_policy(state: Aws):
    lam = state.client("lambda")
    lam.add_permission(
        FunctionName="orders",
        Qualifier="live",
        StatementId="sns-live",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:orders",
    )
    lam.add_permission(
        FunctionName="orders:2",
        StatementId="s3-version",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    assert statement_sids(lam, Qualifier="live") == ["sns-live"]
    assert statement_sids(lam, Qualifier="2") == ["s3-version"]  # live points here: still apart
    assert statement_sids(lam) == []  # the unqualified function has none
    assert statement_sids(lam, Qualifier="canary") == []
    resource = json.loads(lam.get_policy(FunctionName=f"{ARN}:live")["Policy"])["Statement"][0]
    assert resource["Resource"] == f"{ARN}:live"

    lam.remove_permission(FunctionName="orders", Qualifier="live", StatementId="sns-live")
    assert statement_sids(lam, Qualifier="live") == []
    with pytest.raises(ClientError) as error:
        lam.get_policy(FunctionName="orders", Qualifier="nope")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_event_invoke_config_belongs_to_its_qualifier(state: Aws):
    lam = state.client("lambda")
    destination = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-failed"
    lam.put_function_event_invoke_config(
        FunctionName="orders",
        Qualifier="live",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    live = lam.get_function_event_invoke_config(FunctionName="orders", Qualifier="live")
    assert live["FunctionArn"] == f"{ARN}:live"
    assert live["DestinationConfig"]["OnFailure"]["Destination"] == destination
    for other in ({}, {"Qualifier": "canary"}, {"Qualifier": "2"}):
        with pytest.raises(ClientError) as error:
            lam.get_function_event_invoke_config(FunctionName="orders", **other)
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"

    lam.update_function_event_invoke_config(
        FunctionName="orders", Qualifier="live", MaximumEventAgeInSeconds=3600
    )
    live = lam.get_function_event_invoke_config(FunctionName="orders:live")
    assert live["MaximumRetryAttempts"] == 1  # an update keeps what it does not name
    assert live["MaximumEventAgeInSeconds"] == 3600

    lam.put_function_event_invoke_config(FunctionName="orders", MaximumRetryAttempts=0)
    listed = lam.list_function_event_invoke_configs(FunctionName="orders")
    assert sorted(c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]) == sorted(
        [ARN, f"{ARN}:live"]
    )
    lam.delete_function_event_invoke_config(FunctionName="orders", Qualifier="live")
    with pytest.raises(ClientError):
        lam.get_function_event_invoke_config(FunctionName="orders", Qualifier="live")


def test_a_mapping_keeps_the_alias_it_invokes(state: Aws):
    lam = state.client("lambda")
    _, queue_arn = state.queue("orders")
    _, other_queue = state.queue("orders-audit")
    mapping = lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName="orders:live", BatchSize=10
    )
    assert mapping["FunctionArn"] == f"{ARN}:live"  # moto reports …:orders:2
    plain = lam.create_event_source_mapping(EventSourceArn=other_queue, FunctionName="orders")
    assert plain["FunctionArn"] == ARN
    listed = lam.list_event_source_mappings(FunctionName=f"{ARN}:live")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [mapping["UUID"]]
    lam.update_event_source_mapping(UUID=plain["UUID"], FunctionName=f"{ARN}:canary")
    assert lam.get_event_source_mapping(UUID=plain["UUID"])["FunctionArn"] == f"{ARN}:canary"


def test_lambda_reported_mapping_state(state: Aws):
    lam = state.client("lambda")
    _, queue_arn = state.queue("orders")
    mapping = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="orders")
    body = {
        "account_id": ACCOUNT,
        "region": REGION,
        "uuid": mapping["UUID"],
        "state": "Disabled",
        "state_transition_reason": "PROBLEM: Lambda cannot access the queue",
        "last_processing_result": "PROBLEM: Function call failed",
    }
    request = urllib.request.Request(  # noqa: S310
        f"{state.endpoint}{MAPPING_STATE_PATH}", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass
    read = lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert read["State"] == "Disabled"
    assert read["StateTransitionReason"] == "PROBLEM: Lambda cannot access the queue"
    assert read["LastProcessingResult"] == "PROBLEM: Function call failed"


def test_function_url_on_an_alias(state: Aws):
    lam = state.client("lambda")
    lam.create_function_url_config(FunctionName="orders", AuthType="AWS_IAM")
    created = lam.create_function_url_config(
        FunctionName="orders", Qualifier="live", AuthType="NONE"
    )
    assert created["FunctionArn"] == f"{ARN}:live"
    assert lam.get_function_url_config(FunctionName="orders", Qualifier="live")["AuthType"] == (
        "NONE"
    )
    assert lam.get_function_url_config(FunctionName="orders")["AuthType"] == "AWS_IAM"
    listed = lam.list_function_url_configs(FunctionName="orders")["FunctionUrlConfigs"]
    assert sorted(c["AuthType"] for c in listed) == ["AWS_IAM", "NONE"]
    with pytest.raises(ClientError) as error:
        lam.get_function_url_config(FunctionName="orders", Qualifier="canary")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    lam.delete_function_url_config(FunctionName="orders", Qualifier="live")
    assert len(lam.list_function_url_configs(FunctionName="orders")["FunctionUrlConfigs"]) == 1


def test_versions_keep_their_configuration_and_aliases_resolve(state: Aws):
    lam = state.client("lambda")
    live = lam.get_function(FunctionName="orders", Qualifier="live")["Configuration"]
    assert (live["Version"], live["Timeout"]) == ("2", 60)
    first = lam.get_function(FunctionName="orders", Qualifier="1")["Configuration"]
    assert (first["Version"], first["Timeout"]) == ("1", 10)
    lam.update_function_configuration(FunctionName="orders", Timeout=5)  # $LATEST only
    assert lam.get_function(FunctionName="orders:live")["Configuration"]["Timeout"] == 60
    assert lam.get_function(FunctionName="orders")["Configuration"]["Timeout"] == 5

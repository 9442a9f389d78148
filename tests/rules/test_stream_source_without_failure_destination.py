from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    ACCOUNT,
    REGION,
    make_function,
    make_inventory,
    only_finding,
    run,
    stream_mapping,
)

RULE_ID = "stream-source-without-failure-destination"


def inventory_with(**mapping):
    fn = make_function()
    return make_inventory(fn, event_source_mappings=[stream_mapping(fn, **mapping)])


@fails(RULE_ID)
def test_default_infinite_retries_without_destination_fail_high():
    results = run(
        RULE_ID,
        inventory_with(
            on_failure_destination=None, maximum_retry_attempts=-1, maximum_record_age_s=-1
        ),
    )
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["infinite_retries"] is True
    assert finding.resource_arn.endswith(":event-source-mapping:9a8b7c6d-kinesis")
    assert "--uuid 9a8b7c6d-kinesis" in finding.remediation.cli
    assert "--bisect-batch-on-function-error" in finding.remediation.cli
    assert "DestinationConfig" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_bounded_retries_without_destination_fail_medium():
    results = run(RULE_ID, inventory_with(on_failure_destination=None, kind="dynamodb"))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    assert "after 10 retries" in finding.message
    return results


@passes(RULE_ID)
def test_stream_with_on_failure_destination_passes():
    return run(RULE_ID, inventory_with())


@passes(RULE_ID)
def test_sqs_mapping_is_not_a_stream_and_passes():
    return run(RULE_ID, inventory_with(kind="sqs", on_failure_destination=None))


MSK = f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/orders/4c5d6e7f-1a2b-3c4d-5e6f-7a8b9c0d1e2f-1"


@fails(RULE_ID)
def test_msk_mapping_without_destination_fails_like_a_stream():
    results = run(
        RULE_ID,
        inventory_with(
            kind="kafka",
            source_arn=MSK,
            on_failure_destination=None,
            maximum_retry_attempts=-1,
            maximum_record_age_s=-1,
        ),
    )
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["kind"] == "kafka"
    assert f"reads Kafka topics of {MSK}" in finding.message
    assert "blocks its partition" in finding.message
    assert f"EventSourceArn: {MSK}" in finding.remediation.iac
    assert "Topics:" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_self_managed_kafka_mapping_without_destination_fails_and_names_the_brokers():
    results = run(
        RULE_ID, inventory_with(kind="kafka", source_arn=None, on_failure_destination=None)
    )
    finding = only_finding(results)
    assert "its self-managed Kafka cluster" in finding.message
    assert "SelfManagedEventSource" in finding.remediation.iac
    assert "None" not in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_kafka_mapping_with_an_s3_failure_destination_passes():
    return run(
        RULE_ID,
        inventory_with(
            kind="kafka", source_arn=MSK, on_failure_destination="arn:aws:s3:::kafka-failures"
        ),
    )


def test_on_demand_kafka_fix_turns_on_provisioned_mode_to_bound_the_retries():
    finding = only_finding(
        run(RULE_ID, inventory_with(kind="kafka", source_arn=MSK, on_failure_destination=None))
    )
    assert "--provisioned-poller-config MinimumPollers=1,MaximumPollers=200" in (
        finding.remediation.cli
    )
    assert "ProvisionedPollerConfig" in finding.remediation.iac
    provisioned = only_finding(
        run(
            RULE_ID,
            inventory_with(
                kind="kafka",
                source_arn=MSK,
                on_failure_destination=None,
                provisioned_pollers=True,
            ),
        )
    )
    assert "--provisioned-poller-config" not in provisioned.remediation.cli


def test_a_mapping_on_an_alias_is_named_by_its_function():
    fn = make_function()
    mapping = stream_mapping(fn, function_arn=f"{fn.arn}:live", on_failure_destination=None)
    finding = only_finding(run(RULE_ID, make_inventory(fn, event_source_mappings=[mapping])))
    assert finding.message.startswith("orders reads kinesis stream")

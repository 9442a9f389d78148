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

RULE_ID = "stream-infinite-retries"


def inventory_with(**mapping):
    fn = make_function()
    return make_inventory(fn, event_source_mappings=[stream_mapping(fn, **mapping)])


@fails(RULE_ID)
def test_default_minus_one_retries_and_age_fail():
    results = run(
        RULE_ID,
        inventory_with(maximum_retry_attempts=-1, maximum_record_age_s=-1, bisect_on_error=False),
    )
    finding = only_finding(results)
    assert finding.evidence["maximum_retry_attempts"] == -1
    assert "does not split failing batches" in finding.message
    assert "--maximum-retry-attempts 10" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_bounded_record_age_passes():
    return run(RULE_ID, inventory_with(maximum_retry_attempts=-1, maximum_record_age_s=3600))


@passes(RULE_ID)
def test_sqs_mapping_passes():
    return run(RULE_ID, inventory_with(kind="sqs", maximum_retry_attempts=None))


def test_unset_limits_read_as_no_limit_never_none():
    # given a mapping whose limits the collector saw unset (the emulator returns none)
    results = run(RULE_ID, inventory_with(maximum_retry_attempts=None, maximum_record_age_s=None))
    message = only_finding(results).message
    # then the message says what that means
    assert "MaximumRetryAttempts not set (no limit)" in message
    assert "None" not in message
    dash = only_finding(
        run(RULE_ID, inventory_with(maximum_retry_attempts=-1, maximum_record_age_s=-1))
    ).message
    assert "MaximumRecordAgeInSeconds -1 (no limit)" in dash


MSK = f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/orders/4c5d6e7f-1a2b-3c4d-5e6f-7a8b9c0d1e2f-1"


def kafka(**mapping):
    fields = {
        "kind": "kafka",
        "source_arn": MSK,
        "maximum_retry_attempts": -1,
        "maximum_record_age_s": -1,
        "bisect_on_error": False,
        "on_failure_destination": None,
    }
    return inventory_with(**{**fields, **mapping})


@fails(RULE_ID)
def test_on_demand_kafka_mapping_fails_and_the_fix_turns_on_provisioned_mode():
    # given an MSK mapping in on-demand mode: its retries cannot be bounded there
    results = run(RULE_ID, kafka())
    finding = only_finding(results)
    assert finding.evidence["kind"] == "kafka"
    assert finding.evidence["provisioned_pollers"] is False
    assert "stalls its partition until the record leaves the topic" in finding.message
    assert "only in provisioned mode" in finding.message
    cli = finding.remediation.cli
    assert "--provisioned-poller-config MinimumPollers=1,MaximumPollers=200" in cli
    assert "--maximum-retry-attempts 10" in cli
    assert "ProvisionedPollerConfig" in finding.remediation.iac
    assert f"EventSourceArn: {MSK}" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_self_managed_kafka_in_provisioned_mode_without_destination_fails():
    results = run(
        RULE_ID, kafka(source_arn=None, maximum_retry_attempts=None, provisioned_pollers=True)
    )
    finding = only_finding(results)
    assert "--provisioned-poller-config" not in finding.remediation.cli
    assert "ProvisionedPollerConfig" not in finding.remediation.iac
    assert "SelfManagedEventSource" in finding.remediation.iac
    assert "provisioned mode" not in finding.message
    return results


@passes(RULE_ID)
def test_provisioned_kafka_with_a_destination_stops_after_ten_retries_and_passes():
    # Lambda applies at most 10 retries with -1 and an on-failure destination
    return run(
        RULE_ID,
        kafka(provisioned_pollers=True, on_failure_destination="arn:aws:sqs:us-east-1:1:f"),
    )


@fails(RULE_ID)
def test_on_demand_kafka_with_a_destination_still_retries_until_records_leave():
    return run(RULE_ID, kafka(on_failure_destination="arn:aws:sqs:us-east-1:1:f"))


@passes(RULE_ID)
def test_bounded_kafka_retries_pass():
    return run(RULE_ID, kafka(provisioned_pollers=True, maximum_retry_attempts=5))


@passes(RULE_ID)
def test_disabled_kafka_mapping_passes():
    return run(RULE_ID, kafka(state="Disabled"))


def test_a_mapping_on_an_alias_is_named_by_its_function():
    fn = make_function()
    mapping = stream_mapping(
        fn, function_arn=f"{fn.arn}:live", maximum_retry_attempts=-1, maximum_record_age_s=-1
    )
    finding = only_finding(run(RULE_ID, make_inventory(fn, event_source_mappings=[mapping])))
    assert finding.message.startswith("orders's kinesis mapping")
    assert "FunctionName: orders" in finding.remediation.iac

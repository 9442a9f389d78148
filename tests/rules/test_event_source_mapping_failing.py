from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
    sqs_mapping,
    sqs_queue,
    stream_mapping,
)

RULE_ID = "event-source-mapping-failing"


def inventory_with(**mapping):
    fn = make_function()
    queue = sqs_queue()
    return make_inventory(
        fn, queues={queue.arn: queue}, event_source_mappings=[sqs_mapping(fn, queue, **mapping)]
    )


@fails(RULE_ID)
def test_enabled_mapping_whose_last_poll_failed_fails_high():
    # given an enabled mapping whose last poll Lambda reports as a problem
    results = run(
        RULE_ID,
        inventory_with(
            state_transition_reason="USER_INITIATED",
            last_processing_result="PROBLEM: Lambda is unable to receive messages from the queue",
        ),
    )
    # then it is reported as live breakage, with what Lambda said
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.resource_arn.endswith(":event-source-mapping:6f0b1c2d-sqs")
    assert finding.evidence["problem"].startswith("PROBLEM: Lambda is unable")
    assert finding.evidence["disabled_by_lambda"] is False
    assert "is Enabled but Lambda reports it failing (LastProcessingResult" in finding.message
    assert "--uuid 6f0b1c2d-sqs" in finding.remediation.cli
    assert "sqs:ReceiveMessage" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_mapping_lambda_disabled_is_information_only():
    results = run(
        RULE_ID,
        inventory_with(
            state="Disabled",
            state_transition_reason="PROBLEM: Lambda is unable to receive messages from the queue",
        ),
    )
    finding = only_finding(results)
    assert finding.severity is Severity.INFO
    assert finding.evidence["disabled_by_lambda"] is True
    assert finding.message.startswith("Lambda disabled orders's sqs mapping from orders-queue")
    assert "(StateTransitionReason" in finding.message
    assert "--enabled" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_kafka_consumer_lambda_stopped_with_a_code_fails():
    fn = make_function()
    mapping = stream_mapping(
        fn, kind="kafka", source_arn=None, state_transition_reason="EVENT_SOURCE_AUTHZ_ERROR"
    )
    results = run(RULE_ID, make_inventory(fn, event_source_mappings=[mapping]))
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert "from its kafka" in finding.message
    assert "SelfManagedEventSource" in finding.remediation.iac
    assert "RolePolicy" not in finding.remediation.iac  # no source ARN to grant on
    return results


@passes(RULE_ID)
def test_healthy_mapping_passes():
    return run(
        RULE_ID,
        inventory_with(state_transition_reason="USER_INITIATED", last_processing_result="OK"),
    )


@passes(RULE_ID)
def test_mapping_a_user_disabled_passes():
    return run(RULE_ID, inventory_with(state="Disabled", state_transition_reason="USER_INITIATED"))


@passes(RULE_ID)
def test_no_records_processed_is_not_a_problem():
    return run(RULE_ID, inventory_with(last_processing_result="No records processed"))


def test_a_failing_mapping_is_not_judged_by_the_queue_rules():
    # the queue rules skip it (it invokes nothing as configured); this rule reports it instead
    inventory = inventory_with(
        report_batch_item_failures=False, last_processing_result="PROBLEM: Function call failed"
    )
    assert run("sqs-partial-batch-response-missing", inventory) == []
    assert only_finding(run(RULE_ID, inventory)).evidence["problem"] == (
        "PROBLEM: Function call failed"
    )


def test_without_the_mapping_listing_the_rule_is_not_evaluated():
    inventory = inventory_with(last_processing_result="PROBLEM: Function call failed")
    inventory.coverage_gaps.append(gap("event_source_mappings"))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert "event_source_mappings" in result.reason

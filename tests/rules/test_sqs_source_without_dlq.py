from advisor.collect.inventory import DATA_QUEUES
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    queue_arn,
    run,
    sqs_mapping,
    sqs_queue,
)

RULE_ID = "sqs-source-without-dlq"


def inventory_with(queue):
    fn = make_function()
    return make_inventory(
        fn, queues={queue.arn: queue}, event_source_mappings=[sqs_mapping(fn, queue)]
    )


@fails(RULE_ID)
def test_queue_without_redrive_policy_fails():
    results = run(
        RULE_ID, inventory_with(sqs_queue(redrive_target_arn=None, max_receive_count=None))
    )
    finding = only_finding(results)
    assert finding.resource_arn == queue_arn()
    assert finding.evidence["redrive_target_arn"] is None
    assert "create-queue" in finding.remediation.cli
    assert "orders-queue-dlq" in finding.remediation.cli
    assert "maxReceiveCount: 5" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_max_receive_count_below_five_fails():
    results = run(RULE_ID, inventory_with(sqs_queue(max_receive_count=4)))
    finding = only_finding(results)
    assert finding.evidence["max_receive_count"] == 4
    assert finding.evidence["min_max_receive_count"] == 5
    assert "create-queue" not in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_max_receive_count_exactly_five_passes():
    return run(RULE_ID, inventory_with(sqs_queue(max_receive_count=5)))


@passes(RULE_ID)
def test_queue_that_is_itself_a_dead_letter_queue_passes():
    queue = sqs_queue(redrive_target_arn=None, max_receive_count=None, is_dead_letter_queue=True)
    return run(RULE_ID, inventory_with(queue))


def test_queue_missing_from_inventory_is_not_evaluated():
    inventory = inventory_with(sqs_queue())
    inventory.queues = {}
    inventory.coverage_gaps.append(gap(DATA_QUEUES, queue_arn()))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.resource_arn == queue_arn()
    assert "AccessDeniedException" in result.reason

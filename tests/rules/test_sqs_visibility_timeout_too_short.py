from tests.rules.cases import fails, passes
from tests.rules.factories import (
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
    sqs_mapping,
    sqs_queue,
)

RULE_ID = "sqs-visibility-timeout-too-short"


def inventory_with(visibility_s, timeout_s=10, window_s=0):
    fn = make_function(timeout_s=timeout_s)
    queue = sqs_queue(visibility_timeout_s=visibility_s)
    mapping = sqs_mapping(fn, queue, batching_window_s=window_s)
    return make_inventory(fn, queues={queue.arn: queue}, event_source_mappings=[mapping])


@fails(RULE_ID)
def test_visibility_below_six_times_timeout_plus_window_fails():
    results = run(RULE_ID, inventory_with(visibility_s=64, window_s=5))
    finding = only_finding(results)
    assert finding.evidence["visibility_timeout_s"] == 64
    assert finding.evidence["required_visibility_timeout_s"] == 65
    assert "VisibilityTimeout=65" in finding.remediation.cli
    assert "6 x 10 s timeout + 5 s batching window" in finding.message
    return results


@passes(RULE_ID)
def test_visibility_exactly_at_recommendation_passes():
    return run(RULE_ID, inventory_with(visibility_s=65, window_s=5))


@fails(RULE_ID)
def test_longest_timeout_and_window_need_5700_seconds():
    results = run(RULE_ID, inventory_with(visibility_s=600, timeout_s=900, window_s=300))
    finding = only_finding(results)
    assert finding.evidence["required_visibility_timeout_s"] == 5_700
    assert "VisibilityTimeout=5700" in finding.remediation.cli
    return results


def test_queue_missing_from_inventory_is_not_evaluated():
    inventory = inventory_with(visibility_s=10)
    inventory.queues = {}
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1


@fails(RULE_ID)
def test_strictest_of_two_consumers_decides():
    fast, slow = make_function("fast", timeout_s=5), make_function("slow", timeout_s=30)
    queue = sqs_queue(visibility_timeout_s=100)
    inventory = make_inventory(
        fast,
        slow,
        queues={queue.arn: queue},
        event_source_mappings=[sqs_mapping(fast, queue), sqs_mapping(slow, queue)],
    )
    results = run(RULE_ID, inventory)
    finding = only_finding(results)
    assert finding.evidence["function_arn"] == slow.arn
    assert finding.evidence["required_visibility_timeout_s"] == 180
    return results

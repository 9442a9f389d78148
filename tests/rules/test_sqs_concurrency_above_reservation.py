from advisor.collect.inventory import DATA_FUNCTION_DETAILS
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    findings,
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
    sqs_mapping,
    sqs_queue,
)

RULE_ID = "sqs-concurrency-above-reservation"


def consumer(reserved, *maximums, queue_names=None):
    """A function with ``reserved`` concurrency reading one queue per entry of ``maximums``
    (each the mapping's maximum concurrency, None for unset)."""
    fn = make_function("orders-consumer", reserved_concurrency=reserved)
    names = queue_names or [f"orders-jobs-{i}" for i in range(len(maximums))]
    queues = [sqs_queue(name) for name in names]
    mappings = [
        sqs_mapping(fn, queue, uuid=f"uuid-{i}", maximum_concurrency=maximum)
        for i, (queue, maximum) in enumerate(zip(queues, maximums, strict=True))
    ]
    return make_inventory(fn, queues={q.arn: q for q in queues}, event_source_mappings=mappings)


@fails(RULE_ID)
def test_a_reservation_without_maximum_concurrency_on_the_mapping_fails():
    results = run(RULE_ID, consumer(10, None))
    finding = only_finding(results)
    assert finding.resource_arn.endswith(":event-source-mapping:uuid-0")
    assert finding.evidence["reserved_concurrency"] == 10
    assert finding.evidence["suggested"] == 10
    assert "--uuid uuid-0 --scaling-config MaximumConcurrency=10" in finding.remediation.cli
    assert "MaximumConcurrency: 10" in finding.remediation.iac
    assert "sets no maximum concurrency" in finding.message and "maxReceiveCount" in finding.message
    assert "up to 1,000 batches at once" in finding.message  # the poller ceiling option
    return results


@fails(RULE_ID)
def test_two_unbounded_mappings_share_the_reservation():
    results = run(RULE_ID, consumer(10, None, None))
    assert [f.evidence["suggested"] for f in findings(results)] == [5, 5]
    assert "its 2 SQS mappings share it" in findings(results)[0].message
    return results


@fails(RULE_ID)
def test_one_bounded_and_one_unbounded_mapping_bound_the_second_to_what_is_left():
    # the bounded mapping keeps its 4: the other gets the 6 left, and the total stays 10
    results = run(RULE_ID, consumer(10, 4, None))
    finding = only_finding(results)
    assert finding.resource_arn.endswith(":uuid-1") and finding.evidence["suggested"] == 6
    return results


@fails(RULE_ID)
def test_a_bounded_mapping_that_leaves_too_little_asks_for_room_for_the_other():
    # 9 of 10 already bounded: the other needs at least 2, so the reservation must be 11
    results = run(RULE_ID, consumer(10, 9, None))
    finding = only_finding(results)
    assert finding.evidence["suggested_reserved_concurrency"] == 11
    assert "--reserved-concurrent-executions 11" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_a_reservation_too_small_to_share_asks_for_a_larger_one():
    # maximum concurrency starts at 2: three mappings need a reservation of 6
    results = run(RULE_ID, consumer(3, None, None, None))
    assert len(findings(results)) == 3
    finding = findings(results)[0]
    assert finding.evidence["suggested_reserved_concurrency"] == 6
    assert finding.remediation.cli.startswith("aws lambda put-function-concurrency")
    assert "--reserved-concurrent-executions 6" in finding.remediation.cli
    assert "ReservedConcurrentExecutions: 6" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_maximum_concurrency_above_the_reservation_in_total_fails_on_the_function():
    results = run(RULE_ID, consumer(10, 8, 6))
    finding = only_finding(results)
    assert finding.resource_arn.endswith(":function:orders-consumer")
    assert finding.evidence["total_maximum_concurrency"] == 14
    assert "may run 14 at once together (orders-jobs-0 8, orders-jobs-1 6)" in finding.message
    assert "--reserved-concurrent-executions 14" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_mappings_bounded_within_the_reservation_pass():
    return run(RULE_ID, consumer(10, 5, 5))


@passes(RULE_ID)
def test_no_reservation_passes():
    return run(RULE_ID, consumer(None, None))


@passes(RULE_ID)
def test_a_reservation_the_pollers_cannot_reach_passes():
    assert run(RULE_ID, consumer(999, None))  # one below AWS's 1,000 concurrent batches
    return run(RULE_ID, consumer(1_000, None))


def test_the_poller_ceiling_is_a_workspace_option():
    assert not findings(run(RULE_ID, consumer(200, None), poller_ceiling=200))
    assert findings(run(RULE_ID, consumer(199, None), poller_ceiling=200))


def test_reserved_zero_is_left_to_its_own_rule():
    assert run(RULE_ID, consumer(0, None)) == []


def test_disabled_and_non_sqs_mappings_do_not_count():
    inventory = consumer(10, None)
    inventory.event_source_mappings[0].state = "Disabled"
    assert run(RULE_ID, inventory) == []


def test_fifo_queues_are_judged_alike_and_said_so():
    results = run(RULE_ID, consumer(5, None, queue_names=["orders.fifo"]))
    assert only_finding(results).evidence["sqs_mappings"][0]["fifo"] is True


def test_an_unread_reservation_is_not_evaluated():
    inventory = consumer(10, None)
    fn = inventory.functions[0]
    inventory.coverage_gaps.append(gap(DATA_FUNCTION_DETAILS, fn.arn))
    results = run(RULE_ID, inventory)
    assert not findings(results) and len(not_evaluated(results)) == 1

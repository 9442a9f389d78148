from tests.rules.cases import fails, passes
from tests.rules.factories import (
    make_function,
    make_inventory,
    only_finding,
    run,
    sqs_mapping,
    sqs_queue,
)

RULE_ID = "sqs-partial-batch-response-missing"


def inventory_with(**mapping):
    fn = make_function()
    queue = sqs_queue()
    return make_inventory(
        fn, queues={queue.arn: queue}, event_source_mappings=[sqs_mapping(fn, queue, **mapping)]
    )


@fails(RULE_ID)
def test_batches_of_ten_without_item_failures_fail():
    results = run(RULE_ID, inventory_with(report_batch_item_failures=False))
    finding = only_finding(results)
    assert finding.evidence["batch_size"] == 10
    assert "--function-response-types ReportBatchItemFailures" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_item_failures_reported_pass():
    return run(RULE_ID, inventory_with(report_batch_item_failures=True))


@passes(RULE_ID)
def test_batch_of_one_passes():
    return run(RULE_ID, inventory_with(report_batch_item_failures=False, batch_size=1))

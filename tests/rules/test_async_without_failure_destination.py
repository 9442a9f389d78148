from advisor.collect.inventory import DATA_ASYNC_CONFIG, DATA_POLICIES, AsyncInvokeConfig
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    push_source,
    run,
)

RULE_ID = "async-without-failure-destination"


def inventory_with(fn, invocation="async"):
    return make_inventory(fn, push_sources=[push_source(fn, invocation=invocation)])


@fails(RULE_ID)
def test_s3_triggered_function_without_failure_path_fails():
    results = run(RULE_ID, inventory_with(make_function()))
    finding = only_finding(results)
    assert finding.evidence["async_sources"] == [
        {"principal": "s3.amazonaws.com", "source_arn": "arn:aws:s3:::orders-uploads"}
    ]
    assert "put-function-event-invoke-config" in finding.remediation.cli
    assert "arn:aws:sqs:us-east-1:111122223333:orders-failures" in finding.remediation.cli
    assert "OnFailure" in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_dead_letter_queue_alone_passes():
    fn = make_function(dead_letter_target="arn:aws:sqs:us-east-1:111122223333:orders-dlq")
    return run(RULE_ID, inventory_with(fn))


@passes(RULE_ID)
def test_on_failure_destination_alone_passes():
    fn = make_function(async_config=AsyncInvokeConfig(on_failure="arn:aws:sns:us-east-1:1:t"))
    return run(RULE_ID, inventory_with(fn))


@passes(RULE_ID)
def test_synchronous_push_source_passes():
    return run(RULE_ID, inventory_with(make_function(), invocation="sync"))


@fails(RULE_ID)
def test_on_success_destination_does_not_count_as_failure_path():
    fn = make_function(async_config=AsyncInvokeConfig(on_success="arn:aws:sqs:us-east-1:1:ok"))
    return run(RULE_ID, inventory_with(fn))


def test_unreadable_policy_is_not_evaluated():
    fn = make_function()
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_POLICIES, fn.arn))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.resource_arn == fn.arn


def test_unreadable_event_invoke_config_is_not_evaluated():
    fn = make_function()
    inventory = inventory_with(fn)
    inventory.coverage_gaps.append(gap(DATA_ASYNC_CONFIG, fn.arn))
    assert [r.resource_arn for r in not_evaluated(run(RULE_ID, inventory))] == [fn.arn]

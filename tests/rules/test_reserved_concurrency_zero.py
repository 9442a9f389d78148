import pytest

from advisor.collect.inventory import (
    DATA_APIS,
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_FUNCTION_DETAILS,
    DATA_POLICIES,
)
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    api_integration,
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    push_source,
    run,
    sqs_mapping,
    sqs_queue,
)

RULE_ID = "reserved-concurrency-zero"


@fails(RULE_ID)
def test_switched_off_function_with_a_queue_still_attached_fails():
    fn = make_function("billing-worker", reserved_concurrency=0)
    inventory = make_inventory(fn, event_source_mappings=[sqs_mapping(fn, sqs_queue())])
    results = run(RULE_ID, inventory)
    finding = only_finding(results)
    assert finding.evidence == {
        "reserved_concurrency": 0,
        "callers": ["sqs orders-queue (event source mapping)"],
    }
    assert "billing-worker has reserved concurrency 0" in finding.message
    assert "invokes it" in finding.message
    assert finding.remediation.cli == (
        "aws lambda delete-function-concurrency --region us-east-1 --function-name billing-worker"
    )
    return results


@fails(RULE_ID)
def test_every_kind_of_caller_is_named():
    fn = make_function(reserved_concurrency=0)
    inventory = make_inventory(
        fn,
        api_integrations=[api_integration(fn)],
        push_sources=[push_source(fn)],
    )
    results = run(RULE_ID, inventory)
    assert only_finding(results).evidence["callers"] == [
        "rest API orders-api (GET /orders/{id})",
        "s3 orders-uploads (async)",
    ]
    assert "invoke it" in only_finding(results).message  # two callers
    return results


@passes(RULE_ID)
def test_reserved_concurrency_above_zero_passes():
    fn = make_function(reserved_concurrency=5)
    return run(RULE_ID, make_inventory(fn, event_source_mappings=[sqs_mapping(fn, sqs_queue())]))


@passes(RULE_ID)
def test_switched_off_with_nothing_calling_it_passes():
    return run(RULE_ID, make_inventory(make_function(reserved_concurrency=0)))


@passes(RULE_ID)
def test_a_disabled_mapping_delivers_nothing():
    fn = make_function(reserved_concurrency=0)
    mapping = sqs_mapping(fn, sqs_queue(), state="Disabled")
    return run(RULE_ID, make_inventory(fn, event_source_mappings=[mapping]))


def test_unknown_reservation_is_not_evaluated():
    fn = make_function(reserved_concurrency=None)
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_FUNCTION_DETAILS, fn.arn))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert f"hides {DATA_FUNCTION_DETAILS}" in result.reason


@pytest.mark.parametrize("hidden", [DATA_EVENT_SOURCE_MAPPINGS, DATA_APIS, DATA_POLICIES])
def test_switched_off_with_callers_hidden_by_a_gap_is_not_evaluated(hidden):
    fn = make_function(reserved_concurrency=0)
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(hidden))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert result.reason.endswith(f"hides {hidden}")

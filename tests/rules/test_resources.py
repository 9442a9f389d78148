"""A finding's resource as a person reads it, and the functions a finding concerns (pure)."""

import pytest

from advisor.collect.relations import RelationIndex
from advisor.rules.resources import FunctionConcerns, resource_label
from tests.rules.factories import (
    ACCOUNT,
    REGION,
    api_integration,
    function_arn,
    make_function,
    make_inventory,
    queue_arn,
    run,
    sqs_mapping,
    sqs_queue,
    stream_mapping,
)

MAPPING = f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:6f0b1c2d-0000-4000-8000-1234"
ACCOUNT_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:account"


@pytest.mark.parametrize(
    ("arn", "evidence", "label"),
    [
        (function_arn("orders"), {}, "orders"),
        (function_arn("orders") + ":live", {}, "orders:live"),
        (queue_arn("orders-jobs"), {}, "queue orders-jobs"),
        (ACCOUNT_ARN, {}, "account-level, us-east-1"),
        (
            MAPPING,
            {
                "function_arn": function_arn("orders-consumer"),
                "source_arn": queue_arn("orders-jobs"),
            },
            "SQS orders-jobs → orders-consumer",
        ),
        (
            MAPPING,
            {
                "function_arn": function_arn("inventory-sync"),
                "source_arn": (
                    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/acme-inventory/stream/2026-12-01T10"
                ),
            },
            "DynamoDB acme-inventory → inventory-sync",
        ),
        (
            MAPPING,
            {
                "function_arn": function_arn("clicks"),
                "source_arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clickstream",
            },
            "Kinesis clickstream → clicks",
        ),
        (MAPPING, {"function_arn": function_arn("orders")}, "event source mapping of orders"),
        (MAPPING, {}, "event source mapping 6f0b1c2d…"),
        (f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3/stages/prod", {}, "API a1b2c3 (prod)"),
        (
            f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3/stages/prod",
            {"api_name": "orders-api", "stage": "prod"},
            "API orders-api (prod)",
        ),
        ("not-an-arn", {}, "not-an-arn"),
    ],
)
def test_resources_are_named_as_people_read_them(arn, evidence, label):
    assert resource_label(arn, evidence) == label


def test_a_mapping_is_never_named_by_its_bare_uuid():
    label = resource_label(MAPPING, {})
    assert "6f0b1c2d-0000-4000-8000-1234" not in label
    assert label.startswith("event source mapping")


def concerns_of(inventory):
    concerns = FunctionConcerns.build(RelationIndex.build(inventory))
    return {
        (f.rule_id, f.resource_arn): concerns.of(f.resource_arn, f.evidence)
        for rule_id in RULES
        for f in run(rule_id, inventory)
        if hasattr(f, "evidence")
    }


RULES = (
    "sqs-source-without-dlq",
    "sqs-partial-batch-response-missing",
    "stream-infinite-retries",
    "unreserved-concurrency-low",
)


def test_findings_on_queues_mappings_and_the_account_concern_their_functions():
    # given orders reads a queue without a dead-letter queue, in batches, without partial
    # batch responses; clicks reads a stream with infinite retries; orders holds the largest
    # reservation of an account whose unreserved pool is low
    orders = make_function("orders", reserved_concurrency=880)
    clicks = make_function("clicks")
    queue = sqs_queue("orders-jobs", redrive_target_arn=None, max_receive_count=None)
    inventory = make_inventory(
        orders,
        clicks,
        queues={queue.arn: queue},
        event_source_mappings=[
            sqs_mapping(orders, queue, report_batch_item_failures=False),
            stream_mapping(clicks, maximum_retry_attempts=-1, maximum_record_age_s=-1),
        ],
    )
    inventory.account.unreserved_concurrency = 120
    # when
    concerns = concerns_of(inventory)
    # then every finding concerns the function it is about
    assert concerns == {
        ("sqs-source-without-dlq", queue.arn): (orders.arn,),
        (
            "sqs-partial-batch-response-missing",
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:6f0b1c2d-sqs",
        ): (orders.arn,),
        (
            "stream-infinite-retries",
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:9a8b7c6d-kinesis",
        ): (clicks.arn,),
        ("unreserved-concurrency-low", ACCOUNT_ARN): (orders.arn,),
    }


def test_the_relations_find_the_function_when_the_evidence_does_not_name_it():
    orders = make_function("orders")
    reader = make_function("orders-audit")
    queue = sqs_queue("orders-jobs")
    inventory = make_inventory(
        orders,
        reader,
        queues={queue.arn: queue},
        event_source_mappings=[
            sqs_mapping(orders, queue, uuid="m-1"),
            sqs_mapping(reader, queue, uuid="m-2"),
        ],
        api_integrations=[api_integration(orders, qualifier="live")],
    )
    concerns = FunctionConcerns.build(RelationIndex.build(inventory))
    mapping = f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:m-2"
    api = f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5/stages/prod"
    assert concerns.of(queue.arn, {}) == (orders.arn, reader.arn)  # every reader
    assert concerns.of(mapping, {}) == (reader.arn,)
    assert concerns.of(api, {}) == (orders.arn,)  # the alias's function, unqualified
    assert concerns.of(orders.arn + ":live", {}) == (orders.arn,)
    assert concerns.of(ACCOUNT_ARN, {}) == ()  # an account-level finding naming no function


def test_without_relations_the_evidence_and_the_own_arn_still_count():
    concerns = FunctionConcerns.build(None)
    evidence = {"largest": [{"arn": function_arn("b") + ":7"}, {"arn": function_arn("a")}]}
    assert concerns.of(ACCOUNT_ARN, evidence) == (function_arn("a"), function_arn("b"))
    assert concerns.of(function_arn("c"), {}) == (function_arn("c"),)

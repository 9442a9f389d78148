from advisor.collect.inventory import (
    ApiIntegration,
    EventSourceMapping,
    Function,
    FunctionUrl,
    PushSource,
    RegionInventory,
)
from advisor.collect.relations import (
    RelationIndex,
    callers,
    function_arn,
    invocation_types,
    is_synchronous,
    qualifier,
)

ACCOUNT = "111122223333"
ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"
OTHER_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing"


def make_function(arn: str = ARN) -> Function:
    return Function(
        arn=arn,
        name=arn.rsplit(":", 1)[1],
        region="us-east-1",
        runtime="python3.13",
        handler="app.handler",
        memory_mb=512,
        timeout_s=10,
    )


def make_inventory(**kwargs) -> RegionInventory:
    return RegionInventory(
        account_id=ACCOUNT,
        region="us-east-1",
        functions=[make_function(), make_function(OTHER_ARN)],
        **kwargs,
    )


def integration(target: str = ARN) -> ApiIntegration:
    return ApiIntegration(target, "a1b2c3", "orders-api", "rest", "GET /orders", 29_000)


def mapping(kind: str, target: str = ARN) -> EventSourceMapping:
    return EventSourceMapping(
        uuid=f"uuid-{kind}",
        function_arn=target,
        source_arn=f"arn:aws:{kind}:us-east-1:{ACCOUNT}:source-{kind}",
        kind=kind,
        state="Enabled",
    )


def test_unqualified_arn_is_unchanged():
    assert function_arn(ARN) == ARN
    assert qualifier(ARN) is None


def test_alias_and_latest_qualifiers_are_stripped():
    assert function_arn(f"{ARN}:live") == ARN
    assert function_arn(f"{ARN}:$LATEST") == ARN
    assert qualifier(f"{ARN}:live") == "live"


def test_apigateway_integration_uri_gives_the_function_arn():
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{ARN}:prod/invocations"
    assert function_arn(uri) == ARN
    assert qualifier(uri) == "prod"


def test_function_without_callers_has_no_invocation_types():
    inventory = make_inventory()
    assert invocation_types(inventory, inventory.functions[0]) == set()
    assert not is_synchronous(inventory, inventory.functions[0])


def test_qualified_api_integration_makes_the_function_synchronous():
    inventory = make_inventory(api_integrations=[integration(f"{ARN}:live")])
    orders, billing = inventory.functions
    assert invocation_types(inventory, orders) == {"sync"}
    assert callers(inventory, orders).api_integrations[0].api_id == "a1b2c3"
    assert invocation_types(inventory, billing) == set()


def test_function_url_makes_the_function_synchronous():
    inventory = make_inventory()
    inventory.functions[0].function_url = FunctionUrl("https://x.lambda-url.aws/", "AWS_IAM")
    assert is_synchronous(inventory, inventory.functions[0])


def test_push_sources_are_split_into_async_and_sync():
    inventory = make_inventory(
        push_sources=[
            PushSource(ARN, "s3.amazonaws.com", "arn:aws:s3:::uploads", "async"),
            PushSource(
                f"{ARN}:$LATEST", "elasticloadbalancing.amazonaws.com", "arn:aws:elb:tg", "sync"
            ),
        ]
    )
    found = callers(inventory, inventory.functions[0])
    assert [s.principal for s in found.async_sources] == ["s3.amazonaws.com"]
    assert [s.principal for s in found.sync_sources] == ["elasticloadbalancing.amazonaws.com"]
    assert found.invocation_types == {"sync", "async"}


def test_mappings_are_stream_or_queue_by_kind():
    inventory = make_inventory(
        event_source_mappings=[
            mapping("sqs"),
            mapping("kinesis"),
            mapping("dynamodb", OTHER_ARN),
            mapping("other", OTHER_ARN),
        ]
    )
    orders, billing = inventory.functions
    assert invocation_types(inventory, orders) == {"queue", "stream"}
    assert invocation_types(inventory, billing) == {"stream"}


def test_index_groups_mappings_by_source_and_finds_functions_by_qualified_arn():
    inventory = make_inventory(event_source_mappings=[mapping("sqs"), mapping("sqs", OTHER_ARN)])
    index = RelationIndex.build(inventory)
    source = f"arn:aws:sqs:us-east-1:{ACCOUNT}:source-sqs"
    assert len(index.mappings_by_source[source]) == 2
    assert index.function(f"{OTHER_ARN}:7") is inventory.functions[1]
    assert index.function("arn:aws:lambda:us-east-1:999:function:elsewhere") is None

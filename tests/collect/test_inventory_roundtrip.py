"""A stored function (``dataclasses.asdict``) rebuilds to the same dataclasses."""

import dataclasses

from advisor.collect.inventory import (
    AsyncInvokeConfig,
    EnvVar,
    Function,
    FunctionUrl,
    Layer,
    ProvisionedConcurrencyConfig,
    RegionInventory,
    from_plain,
)
from tests.dashboard.builders import make_metrics


def test_a_stored_function_rebuilds_equal_alone_and_inside_a_region():
    fn = Function(
        arn="arn:aws:lambda:us-east-1:123456789012:function:orders",
        name="orders",
        region="us-east-1",
        runtime="python3.12",
        handler="app.handler",
        memory_mb=1024,
        timeout_s=60,
        layers=[Layer(arn="arn:aws:lambda:us-east-1:123456789012:layer:x:3", code_size=10)],
        environment=[EnvVar(name="DB_PASSWORD", looks_secret=True)],
        function_url=FunctionUrl(url="https://x.lambda-url.us-east-1.on.aws/", auth_type="NONE"),
        async_config=AsyncInvokeConfig(maximum_retry_attempts=0, on_failure="arn:aws:sqs:q"),
        provisioned_concurrency=[ProvisionedConcurrencyConfig(qualifier="live", requested=5)],
        tags={"team": "orders"},
        metrics=make_metrics(per_hour=10, duration_ms=100),
    )
    config = dataclasses.asdict(fn)
    reference = RegionInventory.from_dict(
        {"account_id": "123456789012", "region": "us-east-1", "functions": [config]}
    ).functions[0]
    assert from_plain(Function, config) == reference == fn

"""An AccessDenied is remembered as narrowly as IAM grants: ``function:name`` (the unqualified
function) and ``function:name:*`` (its aliases and versions) are different resources of an IAM
policy, so a role may read one and not the other, for one function and not another.

The refusals travel the client's real path (botocore before-call handlers, as in
test_partial_failure: moto's own IAM enforcement rejects signed Lambda requests) and are
scoped by the request, as IAM scopes them by resource ARN; everything else is answered by the
emulator over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from advisor.collect.inventory import DATA_FUNCTION_DETAILS, DATA_QUALIFIERS, RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding, NotEvaluated
from advisor.rules.context import RegionContext
from advisor.rules.qualified import serving
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws
from tests.fixtures.aws_state import refuse

END = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics_end=END)


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@pytest.fixture
def state(aws: str) -> Aws:
    """orders: live -> version 2 (python3.9), an API invokes orders:live and orders:1; the
    metrics show live running versions 1 and 2 (so its routing is read). billing: live ->
    version 1 (python3.9), invoked by an API."""
    state = Aws.connect(aws)
    lam = state.client("lambda")
    for name in ("orders", "billing"):
        state.function(name, Runtime="python3.9")
        lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName="orders", Timeout=30)
    lam.publish_version(FunctionName="orders")
    lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="2")
    lam.create_alias(FunctionName="billing", Name="live", FunctionVersion="1")
    state.rest_api_routes(
        "shop",
        {
            "orders": arn("orders:live"),
            "orders-one": arn("orders:1"),
            "billing": arn("billing:live"),
        },
    )
    point = END - timedelta(hours=2)
    state.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
                "Timestamp": point,
                "Value": 10,
            }
            for dims in (
                {"FunctionName": "orders", "Resource": "orders:live"},
                {"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": "1"},
                {"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": "2"},
            )
        ],
    )
    return state


def scan(state: Aws) -> RegionInventory:
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )


def by_name(inventory: RegionInventory, name: str):
    return next(fn for fn in inventory.functions if fn.name == name)


def refused(state: Aws, event: str, when) -> list[dict[str, Any]]:
    """Refuse the calls ``when`` selects with AccessDenied; the refused requests are listed."""
    calls: list[dict[str, Any]] = []

    def selected(params: dict[str, Any]) -> bool:
        if when(params):
            calls.append(params)
            return True
        return False

    refuse(state.session, event, "AccessDeniedException", status=403, when=selected)
    return calls


def qualified(params: dict[str, Any]) -> bool:
    return "Qualifier" in params.get("query_string", {})


def runtime_results(inventory: RegionInventory) -> dict[str, Any]:
    rule = rules_by_id()["deprecated-runtime"]
    found = rule.evaluate(RegionContext.build(inventory), {"today": "2026-12-01"})
    return {r.resource_arn.rsplit(":function:", 1)[-1]: r for r in found}


def test_versions_denied_on_one_function_leave_its_unqualified_reads_and_other_functions(state):
    # given: the role may read orders (function:orders) but none of its versions (orders:*)
    calls = refused(
        state,
        "lambda.GetFunction",
        lambda params: qualified(params) and "orders" in params["url_path"],
    )
    inventory = scan(state)
    orders, billing = by_name(inventory, "orders"), by_name(inventory, "billing")
    # the unqualified GetFunction still runs, for orders too
    assert inventory.missing(DATA_FUNCTION_DETAILS) is None
    assert not [g for g in inventory.coverage_gaps if g.hides == DATA_FUNCTION_DETAILS]
    # one refused call: orders' other qualifier is not asked again
    assert len(calls) == 1
    # a gap on orders' qualifiers, not the region's
    assert inventory.missing(DATA_QUALIFIERS) is None
    [gap] = [g for g in inventory.coverage_gaps if g.hides == DATA_QUALIFIERS]
    assert (gap.operation, gap.resource_arn) == ("GetFunction", arn("orders:live"))
    assert isinstance(serving(orders, arn("orders:live")), str)
    # billing's alias is read and judged
    assert billing.qualifier("live").version == "1"
    results = runtime_results(inventory)
    assert isinstance(results["orders"], NotEvaluated)
    assert "orders:live could not be read" in results["orders"].reason
    assert isinstance(results["billing"], Finding)
    assert results["billing"].evidence["qualifier"] == "live"


def test_the_unqualified_function_denied_does_not_block_its_versions(state):
    # given: the role may read the versions (orders:*) but not the functions themselves
    refused(state, "lambda.GetFunction", lambda params: not qualified(params))
    inventory = scan(state)
    assert inventory.missing(DATA_FUNCTION_DETAILS) is not None  # a region-wide gap
    orders = by_name(inventory, "orders")
    assert orders.qualifier("live").version == "2"
    assert orders.version("2") is not None and orders.version("2").runtime == "python3.9"
    assert inventory.missing(DATA_QUALIFIERS) is None
    assert not [g for g in inventory.coverage_gaps if g.hides == DATA_QUALIFIERS]


def test_get_alias_denied_is_a_gap_on_that_function_s_alias(state):
    calls = refused(state, "lambda.GetAlias", lambda params: True)
    inventory = scan(state)
    assert len(calls) == 1  # orders:live only: its metrics show two versions
    assert inventory.missing(DATA_QUALIFIERS) is None
    [gap] = [g for g in inventory.coverage_gaps if g.hides == DATA_QUALIFIERS]
    assert (gap.operation, gap.resource_arn) == ("GetAlias", arn("orders:live"))
    orders = by_name(inventory, "orders")
    live = orders.qualifier("live")
    assert not live.routing_read
    # the policies of both aliases are still read: another operation, not blocked
    assert live.policy_read and by_name(inventory, "billing").qualifier("live").policy_read
    reason = serving(orders, arn("orders:live"))
    assert reason == (
        "the weighted routing of orders:live could not be read (it ran versions 1, 2 in the window)"
    )
    # billing's alias is judged as before
    assert isinstance(runtime_results(inventory)["billing"], Finding)

"""One context per region: an evaluation indexes each region once and hands that to every rule."""

import re
from dataclasses import replace
from pathlib import Path

from advisor.collect.inventory import DATA_APIS, DATA_FUNCTION_URLS, Inventory
from advisor.collect.relations import RelationIndex
from advisor.rules.base import Finding, Remediation
from advisor.rules.context import RegionContext
from advisor.rules.registry import evaluate, region_contexts, rules_by_id
from advisor.rules.support import on_sync_path
from tests.rules.factories import (
    ACCOUNT,
    REGION,
    WINDOW_HOURS,
    api_integration,
    gap,
    hourly,
    make_function,
    make_inventory,
    make_metrics,
    push_source,
)

RULES_DIR = Path(__file__).resolve().parents[2] / "advisor" / "rules"
OPTIONS = {"deprecated-runtime": {"today": "2026-11-25"}}
API_ARN = f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5"


def two_regions() -> Inventory:
    """Two regions whose functions are found through their triggers: the rules that read the
    relation index have something to say about them."""
    regions = []
    for region in ("us-east-1", "eu-west-1"):
        api = make_function("orders-api", region=region, tracing_mode="PassThrough")
        worker = make_function("orders-worker", region=region)
        inventory = make_inventory(
            api,
            worker,
            api_integrations=[api_integration(api, timeout_ms=5_000)],
            push_sources=[push_source(worker)],
        )
        regions.append(replace(inventory, region=region))
    return Inventory(account_id=ACCOUNT, regions=regions)


def finding_keys(results) -> list[tuple[str, str, str]]:
    return sorted(
        (r.region, r.rule_id, r.resource_arn.rsplit(":", 1)[-1])
        for r in results
        if isinstance(r, Finding)
    )


def test_one_evaluation_builds_one_relation_index_per_region():
    inventory = two_regions()
    before = RelationIndex.builds
    results = evaluate(inventory, OPTIONS)
    assert RelationIndex.builds - before == 2
    # and the rules that read the index did judge each region's functions by their callers
    keys = finding_keys(results)
    for region in ("us-east-1", "eu-west-1"):
        assert (region, "tracing-disabled", "orders-api") in keys
        assert (region, "apigw-timeout-exceeds-integration", "orders-api") in keys
        assert (region, "async-without-failure-destination", "orders-worker") in keys


def test_contexts_built_beforehand_are_used_as_they_are():
    inventory = two_regions()
    before = RelationIndex.builds
    contexts = region_contexts(inventory)
    assert RelationIndex.builds - before == 2
    assert [ctx.inventory for ctx in contexts] == inventory.regions
    results = evaluate(contexts, OPTIONS)
    assert RelationIndex.builds - before == 2  # evaluating them built nothing more
    assert finding_keys(results) == finding_keys(evaluate(inventory, OPTIONS))


def test_no_rule_builds_its_own_relation_index():
    builders = [
        path.relative_to(RULES_DIR).as_posix()
        for path in sorted(RULES_DIR.rglob("*.py"))
        if path.name != "context.py" and re.search(r"RelationIndex\s*\.\s*build", path.read_text())
    ]
    assert builders == [], "rules read ctx.relations, built once per region"


def busy_x86_function():
    metrics = make_metrics(
        invocations=hourly(200_000.0),
        invocations_total=200_000.0 * WINDOW_HOURS,
        duration_avg=hourly(300.0),
        duration_avg_ms=300.0,
    )
    return make_function(architectures=["x86_64"], memory_mb=1024, metrics=metrics)


def test_each_function_profile_is_made_once_and_priced_by_every_cost_rule():
    fn = busy_x86_function()
    ctx = RegionContext.build(make_inventory(fn))
    results = evaluate([ctx], OPTIONS)
    profile = ctx.profile(fn)
    assert ctx.profile(fn) is profile  # kept on the context, not made again
    [arm64] = [r for r in results if isinstance(r, Finding) and r.rule_id == "arm64-candidate"]
    assert arm64.evidence["monthly_requests"] == round(profile.monthly_requests) == 146_000_000
    assert profile.invocation_types == frozenset()  # from the region's relation index
    # a function behind an API is profiled as synchronous, from the same index
    api_fn = make_function("orders-api")
    ctx = RegionContext.build(make_inventory(api_fn, api_integrations=[api_integration(api_fn)]))
    assert ctx.profile(api_fn).invocation_types == {"sync"}


def test_on_sync_path_judges_only_functions_with_synchronous_callers():
    api_fn, worker, hidden = (make_function(n) for n in ("orders-api", "worker", "hidden"))
    inventory = make_inventory(
        api_fn,
        worker,
        hidden,
        api_integrations=[api_integration(api_fn)],
        push_sources=[push_source(worker)],
        coverage_gaps=[gap(DATA_FUNCTION_URLS, hidden.arn), gap(DATA_APIS, API_ARN)],
    )
    rule = rules_by_id()["tracing-disabled"]
    judged = []

    def finding(fn, callers):
        judged.append((fn.name, callers))
        return rule.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message="m",
            evidence={},
            remediation=Remediation(cli="aws", iac="x"),
        )

    results = list(on_sync_path(rule, RegionContext.build(inventory), inventory.functions, finding))
    assert judged == [("orders-api", ["rest API orders-api (GET /orders/{id})"])]
    # the API whose integrations are unknown first, then the functions in their order: the
    # worker (async only) yields nothing, the one whose URL is unknown is not evaluated
    assert [(type(r).__name__, r.resource_arn) for r in results] == [
        ("NotEvaluated", API_ARN),
        ("Finding", api_fn.arn),
        ("NotEvaluated", hidden.arn),
    ]

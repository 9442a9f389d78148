from advisor.collect.inventory import DATA_POLICIES, FunctionUrl
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    MB,
    api_integration,
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    push_source,
    run,
)

RULE_ID = "large-package-on-sync-path"


@fails(RULE_ID)
def test_large_package_behind_api_gateway_fails():
    fn = make_function(code_size=12 * MB)
    results = run(RULE_ID, make_inventory(fn, api_integrations=[api_integration(fn)]))
    finding = only_finding(results)
    assert finding.evidence["package_bytes"] == 12 * MB
    assert finding.evidence["threshold_bytes"] == 10 * MB
    assert finding.evidence["sync_callers"] == ["rest API orders-api (GET /orders/{id})"]
    return results


@fails(RULE_ID)
def test_large_node_package_behind_function_url_suggests_esbuild():
    fn = make_function(
        code_size=12 * MB,
        runtime="nodejs22.x",
        function_url=FunctionUrl("https://x.lambda-url.us-east-1.on.aws/", "AWS_IAM"),
    )
    results = run(RULE_ID, make_inventory(fn))
    assert "BuildMethod: esbuild" in only_finding(results).remediation.iac
    return results


@fails(RULE_ID)
def test_large_package_behind_load_balancer_fails():
    fn = make_function(code_size=12 * MB)
    alb = push_source(fn, "elasticloadbalancing.amazonaws.com", invocation="sync")
    return run(RULE_ID, make_inventory(fn, push_sources=[alb]))


@passes(RULE_ID)
def test_package_exactly_at_threshold_passes():
    fn = make_function(code_size=10 * MB)
    return run(RULE_ID, make_inventory(fn, api_integrations=[api_integration(fn)]))


@passes(RULE_ID)
def test_large_package_on_async_path_passes():
    fn = make_function(code_size=40 * MB)
    return run(RULE_ID, make_inventory(fn, push_sources=[push_source(fn)]))


def test_large_package_with_unreadable_policy_is_not_evaluated():
    fn = make_function(code_size=12 * MB)
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_POLICIES, fn.arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

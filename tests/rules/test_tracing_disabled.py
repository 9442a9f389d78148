from advisor.collect.inventory import DATA_FUNCTION_URLS
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
)

RULE_ID = "tracing-disabled"


@fails(RULE_ID)
def test_pass_through_tracing_behind_api_fails():
    fn = make_function(tracing_mode="PassThrough")
    results = run(RULE_ID, make_inventory(fn, api_integrations=[api_integration(fn)]))
    finding = only_finding(results)
    assert finding.evidence["tracing_mode"] == "PassThrough"
    assert "--tracing-config Mode=Active" in finding.remediation.cli
    assert "Tracing: Active" in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_active_tracing_behind_api_passes():
    fn = make_function(tracing_mode="Active")
    return run(RULE_ID, make_inventory(fn, api_integrations=[api_integration(fn)]))


@passes(RULE_ID)
def test_untraced_async_function_passes():
    fn = make_function(tracing_mode="PassThrough")
    return run(RULE_ID, make_inventory(fn, push_sources=[push_source(fn)]))


def test_untraced_function_with_unknown_url_is_not_evaluated():
    fn = make_function(tracing_mode="PassThrough")
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_FUNCTION_URLS, fn.arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

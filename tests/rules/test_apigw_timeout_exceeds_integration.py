from advisor.collect.inventory import DATA_APIS, DATA_METRICS
from advisor.rules.base import NotEvaluated, Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    api_integration,
    gap,
    make_function,
    make_inventory,
    make_metrics,
    only_finding,
    run,
)

RULE_ID = "apigw-timeout-exceeds-integration"


def inventory_with(fn, **integration):
    return make_inventory(fn, api_integrations=[api_integration(fn, **integration)])


@fails(RULE_ID)
def test_timeout_equal_to_integration_fails():
    results = run(RULE_ID, inventory_with(make_function(timeout_s=29)))
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["function_timeout_ms"] == 29_000
    assert finding.evidence["integration_timeout_ms"] == 29_000
    assert "--function-name orders --timeout 28" in finding.remediation.cli
    assert "Timeout: 28" in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_timeout_one_second_below_integration_passes():
    return run(RULE_ID, inventory_with(make_function(timeout_s=28)))


@passes(RULE_ID)
def test_function_without_integration_passes():
    return run(RULE_ID, make_inventory(make_function(timeout_s=300)))


@fails(RULE_ID)
def test_http_api_integration_through_alias_fails():
    fn = make_function(timeout_s=60)
    results = run(RULE_ID, inventory_with(fn, kind="http", timeout_ms=30_000, qualifier="live"))
    finding = only_finding(results)
    assert finding.evidence["api_kind"] == "http"
    assert "HTTP API orders-api" in finding.message
    return results


@fails(RULE_ID)
def test_observed_duration_beyond_integration_is_critical():
    fn = make_function(timeout_s=60, metrics=make_metrics(duration_max_ms=31_500.0))
    results = run(RULE_ID, inventory_with(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["observed_max_duration_ms"] == 31_500.0
    assert "31500 ms" in finding.message
    return results


@fails(RULE_ID)
def test_missing_metrics_keep_high_and_say_why():
    fn = make_function(timeout_s=60, metrics=None)
    inventory = inventory_with(fn)
    inventory.coverage_gaps.append(gap(DATA_METRICS, fn.arn))
    results = run(RULE_ID, inventory)
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert "AccessDenied" in finding.evidence["observed_max_note"]
    return results


def test_raised_rest_timeout_is_respected():
    fn = make_function(timeout_s=60)
    assert run(RULE_ID, inventory_with(fn, timeout_ms=90_000)) == []


def test_unreadable_api_is_reported_not_evaluated_by_its_arn():
    inventory = make_inventory(make_function(timeout_s=60))
    api_arn = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5"
    inventory.coverage_gaps.append(gap(DATA_APIS, api_arn))
    [result] = run(RULE_ID, inventory)
    assert isinstance(result, NotEvaluated)
    assert result.resource_arn == api_arn

from advisor.collect.inventory import DATA_APIS, ProvisionedConcurrencyConfig
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

RULE_ID = "java-sync-without-snapstart"


def behind_api(**fn):
    function = make_function(runtime="java21", **fn)
    return make_inventory(function, api_integrations=[api_integration(function)])


@fails(RULE_ID)
def test_java_behind_api_without_snapstart_fails():
    results = run(RULE_ID, behind_api())
    finding = only_finding(results)
    assert finding.evidence["runtime"] == "java21"
    assert "--snap-start ApplyOn=PublishedVersions" in finding.remediation.cli
    assert "ApplyOn: PublishedVersions" in finding.remediation.iac
    return results


def behind_alias(**fn):
    """The API invokes orders:live (an inventory without qualifier data: judged by $LATEST)."""
    function = make_function(runtime="java21", **fn)
    return make_inventory(function, api_integrations=[api_integration(function, qualifier="live")])


@passes(RULE_ID)
def test_java_with_snapstart_behind_an_alias_passes():
    return run(RULE_ID, behind_alias(snap_start="PublishedVersions"))


@passes(RULE_ID)
def test_java_with_provisioned_concurrency_on_the_invoked_alias_passes():
    return run(
        RULE_ID, behind_alias(provisioned_concurrency=[ProvisionedConcurrencyConfig("live", 5)])
    )


@fails(RULE_ID)
def test_snapstart_on_but_invoked_unqualified_fails_as_it_never_serves_latest():
    results = run(RULE_ID, behind_api(snap_start="PublishedVersions"))
    finding = only_finding(results)
    assert "which SnapStart never serves" in finding.message
    assert finding.evidence["invokes_latest"] is True
    assert "create-alias" in finding.remediation.cli
    return results


def test_provisioned_concurrency_on_an_alias_does_not_serve_unqualified_callers():
    inventory = behind_api(provisioned_concurrency=[ProvisionedConcurrencyConfig("live", 5)])
    assert only_finding(run(RULE_ID, inventory)).evidence["qualifier"] is None


@passes(RULE_ID)
def test_java8_is_not_supported_by_snapstart_and_passes():
    fn = make_function(runtime="java8.al2")
    return run(RULE_ID, make_inventory(fn, api_integrations=[api_integration(fn)]))


@passes(RULE_ID)
def test_java_on_async_path_passes():
    fn = make_function(runtime="java21")
    return run(RULE_ID, make_inventory(fn, push_sources=[push_source(fn)]))


def test_java_with_unknown_apis_is_not_evaluated():
    inventory = make_inventory(make_function(runtime="java17"))
    inventory.coverage_gaps.append(gap(DATA_APIS))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

from advisor.collect.inventory import DATA_PROVISIONED_CONCURRENCY, ProvisionedConcurrencyConfig
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    hourly,
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "provisioned-concurrency-underused"


def provisioned(utilization, configured=10, **metrics):
    fields = {"provisioned_utilization_max": hourly(utilization), **metrics}
    fn = make_function(
        provisioned_concurrency=[ProvisionedConcurrencyConfig("live", configured, configured)],
        metrics=make_metrics(**fields),
    )
    return make_inventory(fn)


@fails(RULE_ID)
def test_ten_instances_with_two_in_use_fail_with_the_waste_in_dollars():
    # 8 idle x 0.5 GB x 730 h x 3,600 s x $0.0000033334 (arm64) = $35.04 a month
    results = run(RULE_ID, provisioned(0.2))
    finding = only_finding(results)
    assert finding.evidence["idle"] == 8
    assert finding.evidence["peak_in_use"] == 2
    assert finding.evidence["monthly_waste_usd"] == 35.04
    assert "--qualifier live --provisioned-concurrent-executions 2" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_never_invoked_function_suggests_removing_the_config():
    results = run(
        RULE_ID,
        provisioned(
            None, invocations=hourly(0.0), invocations_total=0.0, provisioned_utilization_max=None
        ),
    )
    finding = only_finding(results)
    assert finding.evidence["idle"] == 10
    assert "delete-provisioned-concurrency-config" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_half_in_use_passes():
    return run(RULE_ID, provisioned(0.6))


@passes(RULE_ID)
def test_function_without_provisioned_concurrency_passes():
    return run(RULE_ID, make_inventory(make_function()))


def test_invoked_without_utilization_metric_is_not_evaluated():
    assert len(not_evaluated(run(RULE_ID, provisioned(None)))) == 1


def test_unreadable_provisioned_config_is_not_evaluated():
    inventory = provisioned(0.2)
    inventory.coverage_gaps.append(gap(DATA_PROVISIONED_CONCURRENCY, inventory.functions[0].arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

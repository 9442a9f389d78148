from advisor.collect.inventory import AccountSettings
from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    MB,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "account-code-storage-high"
GB = 1024 * MB


def inventory_with(used_gb, limit_gb=300):
    inventory = make_inventory(make_function(code_size=40 * MB), make_function("small"))
    inventory.account = AccountSettings(
        total_code_size=int(used_gb * GB), code_size_limit=limit_gb * GB
    )
    return inventory


@fails(RULE_ID)
def test_storage_at_eighty_percent_fails():
    results = run(RULE_ID, inventory_with(240))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["share"] == 0.8
    assert finding.evidence["largest_packages"][0]["function"] == "orders"
    assert "--quota-code L-2ACBD22F --desired-value 600" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_old_75_gb_limit_nearly_full_fails_high():
    results = run(RULE_ID, inventory_with(72, limit_gb=75))
    assert only_finding(results).severity is Severity.HIGH
    return results


@passes(RULE_ID)
def test_same_usage_under_the_300_gb_default_passes():
    return run(RULE_ID, inventory_with(72))


def test_missing_storage_figures_are_not_evaluated():
    inventory = inventory_with(10)
    inventory.account = AccountSettings()
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

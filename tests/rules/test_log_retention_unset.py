from advisor.collect.inventory import DATA_LOG_GROUPS
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "log-retention-unset"


@fails(RULE_ID)
def test_log_group_that_never_expires_fails():
    inventory = make_inventory(make_function())
    inventory.log_group_retention = {"/aws/lambda/orders": None}
    results = run(RULE_ID, inventory)
    finding = only_finding(results)
    assert finding.evidence["log_group"] == "/aws/lambda/orders"
    assert "--log-group-name /aws/lambda/orders --retention-in-days 30" in finding.remediation.cli
    assert "RetentionInDays: 30" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_custom_log_group_is_the_one_judged():
    inventory = make_inventory(make_function(log_group="/shared/app"))
    inventory.log_group_retention = {"/shared/app": None, "/aws/lambda/orders": 7}
    results = run(RULE_ID, inventory)
    assert only_finding(results).evidence["log_group"] == "/shared/app"
    return results


@passes(RULE_ID)
def test_log_group_with_retention_passes():
    return run(RULE_ID, make_inventory(make_function()))


@passes(RULE_ID)
def test_function_that_never_logged_passes():
    inventory = make_inventory(make_function())
    inventory.log_group_retention = {}
    return run(RULE_ID, inventory)


def test_unreadable_log_group_is_not_evaluated():
    fn = make_function()
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_LOG_GROUPS, fn.arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1


def test_unreadable_custom_log_group_is_not_evaluated():
    inventory = make_inventory(make_function(log_group="/shared/app"))
    inventory.coverage_gaps.append(gap(DATA_LOG_GROUPS, "/shared/app"))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

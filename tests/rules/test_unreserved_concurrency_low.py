from advisor.collect.inventory import AccountSettings
from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "unreserved-concurrency-low"


def inventory_with(limit, unreserved, *reservations):
    functions = [
        make_function(f"fn{i}", reserved_concurrency=r) for i, r in enumerate(reservations)
    ]
    inventory = make_inventory(*functions or [make_function()])
    inventory.account = AccountSettings(concurrency_limit=limit, unreserved_concurrency=unreserved)
    return inventory


@fails(RULE_ID)
def test_unreserved_exactly_at_the_floor_fails_high():
    results = run(RULE_ID, inventory_with(1000, 100, 600, 250, 50))
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.resource_arn == "arn:aws:lambda:us-east-1:111122223333:account"
    assert finding.evidence["unreserved_floor"] == 100
    assert finding.evidence["unreserved_concurrency"] == 100
    assert finding.evidence["reserved_total"] == 900
    assert [r["reserved"] for r in finding.evidence["largest_reservations"]] == [600, 250, 50]
    assert "--function-name fn0" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_unreserved_within_margin_of_floor_fails_high():
    results = run(RULE_ID, inventory_with(1000, 110, 890))
    assert only_finding(results).severity is Severity.HIGH
    return results


@fails(RULE_ID)
def test_unreserved_below_share_of_limit_fails_medium():
    results = run(RULE_ID, inventory_with(1000, 150, 850))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["min_unreserved"] == 200
    return results


@passes(RULE_ID)
def test_unreserved_at_share_of_limit_passes():
    return run(RULE_ID, inventory_with(1000, 200, 800))


@passes(RULE_ID)
def test_small_new_account_without_reservations_passes():
    # limit 10: the floor is min(100, 10) = 10, the whole pool, but nothing is reserved
    return run(RULE_ID, inventory_with(10, 10))


def test_missing_account_figures_are_not_evaluated():
    inventory = inventory_with(1000, 100, 900)
    inventory.account = AccountSettings()
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

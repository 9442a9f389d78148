"""The scan's one analysis step (``advisor.analysis``), pure: an inventory and a workspace's rule
options in; findings, recommendations and cost opportunities out, agreeing with each other."""

import re
from pathlib import Path

import pytest

from advisor.analysis import Decisions, analyse, function_decisions
from advisor.collect.inventory import Inventory, ProvisionedConcurrencyConfig, RegionInventory
from advisor.decide import load_prices
from advisor.decide.opportunities import (
    KIND_ARM64,
    KIND_CONTAINERS,
    KIND_IDLE_PROVISIONED,
    function_opportunities,
)
from advisor.rules.context import RegionContext
from advisor.rules.registry import region_contexts
from tests.decide.factories import (
    function,
    metrics_from_hourly,
    overlapping_opportunities_function,
)

ACCOUNT = "123456789012"
PRICES = load_prices("us-east-1")
DAYS = 14 * 24
COST_RULES = {
    "arm64-candidate": KIND_ARM64,
    "provisioned-concurrency-underused": KIND_IDLE_PROVISIONED,
    "consider-containers": KIND_CONTAINERS,
}


def inventory(*functions, region: str = "us-east-1") -> Inventory:
    return Inventory(
        account_id=ACCOUNT,
        regions=[RegionInventory(account_id=ACCOUNT, region=region, functions=list(functions))],
    )


def cost_findings(analysis) -> set[tuple[str, str]]:
    return {
        (f.resource_arn, COST_RULES[f.rule_id])
        for f in analysis.findings
        if f.rule_id in COST_RULES
    }


def opportunities(analysis) -> set[tuple[str, str]]:
    return {(o.function_arn, o.kind) for o in analysis.opportunities.opportunities}


def test_each_opportunity_is_a_cost_finding_priced():
    # given a function where arm64, idle provisioned concurrency and containers all apply
    both = overlapping_opportunities_function()
    # when the scan is analysed with the default thresholds
    analysis = analyse(inventory(both))
    # then the three cost rules report it, and those three are its opportunities
    assert (
        cost_findings(analysis)
        == opportunities(analysis)
        == {
            (both.arn, KIND_ARM64),
            (both.arn, KIND_IDLE_PROVISIONED),
            (both.arn, KIND_CONTAINERS),
        }
    )
    by_kind = {o.kind: o for o in analysis.opportunities.opportunities}
    arm = next(f for f in analysis.findings if f.rule_id == "arm64-candidate")
    assert by_kind[KIND_ARM64].monthly_saving_usd == arm.evidence["monthly_saving_usd"]
    assert analysis.opportunities.best_by_function[both.arn].monthly_saving_usd > 0


def test_a_tuned_threshold_removes_the_finding_and_the_opportunity_alike():
    both = overlapping_opportunities_function()
    default = analyse(inventory(both))
    # when the workspace asks for a larger idle share than the function's
    tuned = analyse(
        inventory(both), {"provisioned-concurrency-underused": {"min_idle_share": 0.99}}
    )
    # then neither the finding nor the opportunity is there, and the total follows
    assert (both.arn, KIND_IDLE_PROVISIONED) not in cost_findings(tuned)
    assert (both.arn, KIND_IDLE_PROVISIONED) not in opportunities(tuned)
    assert cost_findings(tuned) == opportunities(tuned)
    assert (both.arn, KIND_IDLE_PROVISIONED) in opportunities(default)


def test_the_verdict_takes_the_workspace_saving_threshold_for_moving():
    both = overlapping_opportunities_function()
    assert analyse(inventory(both)).recommendations[both.arn]["verdict"] in ("containers", "ec2")
    # when moving must save more than this function could
    tuned = analyse(inventory(both), {"consider-containers": {"min_monthly_saving_usd": 100_000}})
    # then the verdict, the finding and the opportunity all stay on Lambda
    assert tuned.recommendations[both.arn]["verdict"] == "lambda"
    assert (both.arn, KIND_CONTAINERS) not in cost_findings(tuned) | opportunities(tuned)


def test_an_image_function_is_no_arm64_opportunity_when_the_rule_says_it_is_no_candidate():
    # given a busy x86_64 function deployed as a container image (arm64-candidate looks at
    # zip packages only: the image must be rebuilt for arm64)
    busy = function(
        "image-fn", package_type="Image", metrics=metrics_from_hourly([150_000.0] * 14 * 24)
    )
    # the cost model alone would list a saving ...
    [profile] = [ctx.profile(busy) for ctx in region_contexts(inventory(busy))]
    assert any(o.kind == KIND_ARM64 for o in function_opportunities(busy, profile, PRICES))
    # ... the analysis lists what the rule reports
    analysis = analyse(inventory(busy))
    assert (busy.arn, KIND_ARM64) not in cost_findings(analysis) | opportunities(analysis)


def test_the_region_tasks_recommendations_are_used_and_a_missing_region_is_worked_out():
    busy = function("busy", metrics=metrics_from_hourly([1_000.0] * 14 * 24))
    given = {busy.arn: {"verdict": "lambda", "reasons": ["worked out by the region task"]}}
    decided = {"us-east-1": Decisions(recommendations=given)}
    assert analyse(inventory(busy), decided=decided).recommendations == given
    worked_out = analyse(inventory(busy)).recommendations
    [ctx] = [RegionContext.build(r) for r in inventory(busy).regions]
    assert worked_out == function_decisions(ctx).recommendations
    assert worked_out[busy.arn]["verdict"] == "lambda"


def test_no_recommendation_without_metrics_or_prices():
    quiet = function("quiet")
    assert analyse(inventory(quiet)).recommendations == {}
    far = function("far", region="xx-nowhere-1", metrics=metrics_from_hourly([10.0] * 24))
    analysis = analyse(inventory(far, region="xx-nowhere-1"))
    assert analysis.recommendations == {}
    assert analysis.opportunities.regions_without_prices == ["xx-nowhere-1"]


def test_the_analysis_is_pure():
    source = (Path(__file__).parents[2] / "advisor" / "analysis.py").read_text()
    imports = re.findall(r"^\s*(?:import|from)\s+([\w.]+)", source, re.MULTILINE)
    assert imports and all(
        m.split(".")[0] in {"__future__", "dataclasses", "collections", "typing", "advisor"}
        for m in imports
    ), imports
    ours = [m for m in imports if m.startswith("advisor.")]
    assert all(m.split(".")[1] in {"collect", "rules", "decide"} for m in ours), ours


# -- the scan's cost opportunities, as the overview and the email show them ----------------


def test_opportunities_are_in_dollars_and_sorted_by_saving():
    # given a busy x86 function, a quiet x86 one, an arm64 one, and idle provisioned concurrency
    busy = function("busy", metrics=metrics_from_hourly([150_000.0] * DAYS, duration_ms=250))
    quiet = function("quiet", metrics=metrics_from_hourly([10.0] * DAYS))
    arm = function("arm", arch="arm64", metrics=metrics_from_hourly([50_000.0] * DAYS))
    warm = function(
        "warm",
        memory_mb=1024,
        provisioned_concurrency=[ProvisionedConcurrencyConfig(qualifier="live", requested=10)],
        metrics=metrics_from_hourly([100.0] * DAYS, provisioned_utilization=[0.2] * DAYS),
    )
    # when listed
    found = analyse(inventory(busy, quiet, arm, warm)).opportunities.opportunities
    # then largest saving first, each with its figures
    savings = [o.monthly_saving_usd for o in found]
    assert savings == sorted(savings, reverse=True)
    kinds = {(o.function_name, o.kind) for o in found}
    assert ("busy", KIND_CONTAINERS) in kinds
    assert ("busy", KIND_ARM64) in kinds
    assert ("warm", KIND_IDLE_PROVISIONED) in kinds
    assert not any(o.function_name == "quiet" for o in found)  # under $1 a month
    assert not any(o.function_name == "arm" and o.kind == KIND_ARM64 for o in found)
    for o in found:
        assert o.monthly_saving_usd == pytest.approx(
            o.current_monthly_usd - o.proposed_monthly_usd, abs=0.011
        )
        assert "$" in o.summary


def test_account_lists_regions_without_prices_instead_of_guessing():
    scanned = Inventory(
        account_id=ACCOUNT,
        regions=[
            *inventory(function("busy", metrics=metrics_from_hourly([150_000.0] * DAYS))).regions,
            RegionInventory(account_id=ACCOUNT, region="xx-nowhere-1"),
        ],
    )
    result = analyse(scanned).opportunities
    assert result.regions_without_prices == ["xx-nowhere-1"]
    assert result.opportunities


def test_the_total_counts_per_function_only_changes_that_can_be_made_together():
    # given a function where arm64, releasing idle instances and moving off Lambda all apply
    both = overlapping_opportunities_function()
    # when the account's opportunities are totalled
    result = analyse(inventory(both)).opportunities
    kinds = {o.kind: o for o in result.opportunities}
    assert set(kinds) == {KIND_ARM64, KIND_IDLE_PROVISIONED, KIND_CONTAINERS}
    added_up = sum(o.monthly_saving_usd for o in result.opportunities)
    bill = kinds[KIND_CONTAINERS].current_monthly_usd
    # then the naive sum would claim more than options that exclude each other can give ...
    assert added_up > max(o.monthly_saving_usd for o in result.opportunities)
    # ... while the total is the best single combination: moving off Lambda alone, or arm64
    # and releasing idle instances priced together (not added: the idle instances get cheaper
    # on arm64 too)
    best = result.best_by_function[both.arn]
    on_lambda = (
        kinds[KIND_ARM64].monthly_saving_usd + kinds[KIND_IDLE_PROVISIONED].monthly_saving_usd
    )
    assert result.total_saving_usd == best.monthly_saving_usd < added_up
    assert best.monthly_saving_usd <= bill
    if best.kinds == (KIND_CONTAINERS,):
        assert best.monthly_saving_usd == kinds[KIND_CONTAINERS].monthly_saving_usd
    else:
        assert best.kinds == (KIND_ARM64, KIND_IDLE_PROVISIONED)
        assert best.monthly_saving_usd < on_lambda  # the overlap is not counted twice
        assert best.monthly_saving_usd >= kinds[KIND_CONTAINERS].monthly_saving_usd


def test_a_function_with_one_opportunity_counts_it_whole():
    busy = function("busy", arch="arm64", metrics=metrics_from_hourly([150_000.0] * DAYS))
    result = analyse(inventory(busy)).opportunities
    assert result.total_saving_usd == pytest.approx(
        sum(o.monthly_saving_usd for o in result.opportunities)
    )


# -- the decision card, stored beside the recommendation ---------------------------------------


def test_each_function_s_card_holds_the_figures_of_its_recommendation():
    busy = function("busy", metrics=metrics_from_hourly([150_000.0] * DAYS, duration_ms=250))
    quiet = function("quiet")  # no metrics: a card from its configuration, no recommendation
    analysis = analyse(inventory(busy, quiet))
    card, rec = analysis.cards[busy.arn], analysis.recommendations[busy.arn]
    assert card["verdict"] == rec["verdict"]
    assert {c["option"]: c["usd"] for c in card["costs"]} == rec["monthly_cost_usd"]
    assert card["crossover"] == rec["crossover_monthly_requests"]
    assert card["curve"]["crossover_monthly_requests"] == card["crossover"]
    assert card["region"] == "us-east-1" and card["prices_as_of"]
    assert quiet.arn in analysis.cards and quiet.arn not in analysis.recommendations


def test_a_region_without_prices_has_cards_that_say_so_and_an_ad_hoc_scan_has_none():
    far = function("far", region="xx-nowhere-1", metrics=metrics_from_hourly([10.0] * 24))
    analysis = analyse(inventory(far, region="xx-nowhere-1"))
    assert analysis.cards == {far.arn: {"region": "xx-nowhere-1", "no_prices": True}}
    busy = function("busy", metrics=metrics_from_hourly([1_000.0] * DAYS))
    without = analyse(inventory(busy), cards=False)
    assert (
        without.cards == {} and without.recommendations == analyse(inventory(busy)).recommendations
    )

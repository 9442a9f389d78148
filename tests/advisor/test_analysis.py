"""The scan's one analysis step (``advisor.analysis``), pure: an inventory and a workspace's rule
options in; findings, recommendations and cost opportunities out, agreeing with each other."""

import re
from pathlib import Path

from advisor.analysis import analyse, function_recommendations
from advisor.collect.inventory import Inventory, RegionInventory
from advisor.decide import account_cost_opportunities
from advisor.decide.opportunities import KIND_ARM64, KIND_CONTAINERS, KIND_IDLE_PROVISIONED
from advisor.rules.context import RegionContext
from tests.decide.factories import (
    function,
    metrics_from_hourly,
    overlapping_opportunities_function,
)

ACCOUNT = "123456789012"
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
    assert any(
        o.kind == KIND_ARM64 for o in account_cost_opportunities(inventory(busy)).opportunities
    )
    # ... the analysis lists what the rule reports
    analysis = analyse(inventory(busy))
    assert (busy.arn, KIND_ARM64) not in cost_findings(analysis) | opportunities(analysis)


def test_the_region_tasks_recommendations_are_used_and_a_missing_region_is_worked_out():
    busy = function("busy", metrics=metrics_from_hourly([1_000.0] * 14 * 24))
    given = {busy.arn: {"verdict": "lambda", "reasons": ["worked out by the region task"]}}
    assert analyse(inventory(busy), recommendations={"us-east-1": given}).recommendations == given
    worked_out = analyse(inventory(busy)).recommendations
    [ctx] = [RegionContext.build(r) for r in inventory(busy).regions]
    assert worked_out == function_recommendations(ctx)
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

"""A scan's analysis: the inventory and the workspace's rule options in; the findings, each
function's recommendation and the account's cost opportunities out.

This is the one place the scan's judgements are made. ``scan_finish`` stores its result (the
findings, ``FunctionRecord.recommendation`` with its decision card ``FunctionRecord.decision``,
and ``Scan.cost_opportunities``), the ad hoc ``manage.py scan`` prints it, and every page, the
email and the CLI read what was stored; none of them decides again. Pure, like the rules and
the cost model it calls: no Django, no boto3, no settings.

The cost opportunities are the cost rules' findings priced: a function has an arm64 saving on
the overview and in the email exactly when ``arm64-candidate`` reports it, with the workspace's
thresholds (``min_monthly_saving_usd``, ``min_idle_share``, …) applied once, by the rule. The
decision framework's verdict takes ``consider-containers``' saving threshold for the same reason:
the verdict and the finding cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.collect.inventory import Inventory
from advisor.decide import (
    DecisionOptions,
    UnknownRegionError,
    load_prices,
    recommend,
    recommendation_json,
)
from advisor.decide.card import decision_card
from advisor.decide.opportunities import (
    KIND_ARM64,
    KIND_CONTAINERS,
    KIND_IDLE_PROVISIONED,
    CostOpportunities,
    best_combination,
    function_opportunities,
    sort_opportunities,
)
from advisor.rules.base import Finding, NotEvaluated, Result
from advisor.rules.context import RegionContext
from advisor.rules.registry import evaluate, region_contexts, rules_by_id

RuleOptions = Mapping[str, Mapping[str, Any]]  # rule id -> option -> value (Workspace.rule_options)

# The cost rules, and the opportunity each one's finding is.
COST_RULE_KINDS = {
    "arm64-candidate": KIND_ARM64,
    "provisioned-concurrency-underused": KIND_IDLE_PROVISIONED,
    "consider-containers": KIND_CONTAINERS,
}
# The rule whose saving threshold is also the decision framework's.
DECISION_RULE = "consider-containers"


@dataclass
class Decisions:
    """The decision framework's answers for functions, by ARN: the recommendation (the scan
    JSON's ``recommendation``; a function without metrics has none) and the decision card its
    page shows (every function of a region with prices; ``{"region", "no_prices": True}`` in a
    region without). Both come from one ``recommend`` call, so they hold the same figures."""

    recommendations: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)

    def update(self, other: Decisions) -> None:
        self.recommendations.update(other.recommendations)
        self.cards.update(other.cards)


@dataclass
class Analysis:
    results: list[Result]  # every rule's findings and "not evaluated", region by region
    decisions: Decisions = field(default_factory=Decisions)
    opportunities: CostOpportunities = field(default_factory=CostOpportunities)

    @property
    def recommendations(self) -> dict[str, dict[str, Any]]:
        """Function ARN -> recommendation_json."""
        return self.decisions.recommendations

    @property
    def cards(self) -> dict[str, dict[str, Any]]:
        """Function ARN -> the decision card's parts (``advisor.decide.card``)."""
        return self.decisions.cards

    @property
    def findings(self) -> list[Finding]:
        return [r for r in self.results if isinstance(r, Finding)]

    @property
    def not_evaluated(self) -> list[NotEvaluated]:
        return [r for r in self.results if isinstance(r, NotEvaluated)]


def decision_options(rule_options: RuleOptions | None = None) -> DecisionOptions:
    """The decision framework's options as the workspace tuned them."""
    rule = rules_by_id()[DECISION_RULE]
    tuned = {**rule.options, **((rule_options or {}).get(DECISION_RULE) or {})}
    return dataclasses.replace(
        DecisionOptions(), min_monthly_saving_usd=float(tuned["min_monthly_saving_usd"])
    )


def function_decisions(
    ctx: RegionContext, rule_options: RuleOptions | None = None, *, cards: bool = True
) -> Decisions:
    """The decision framework's answers for each function of a region. A region the price
    table does not cover has no recommendation (another region's prices would mislead), and
    its cards say so. ``cards=False``: the recommendations only (the ad hoc scan prints no
    card).

    The crossover search and the cost curve make this the slow part of the analysis; a stored
    scan runs it in each region's own task, in parallel, and hands the result to
    :func:`analyse`."""
    found = Decisions()
    try:
        prices = load_prices(ctx.region)
    except UnknownRegionError:
        if cards:
            for fn in ctx.inventory.functions:
                found.cards[fn.arn] = {"region": ctx.region, "no_prices": True}
        return found
    options = decision_options(rule_options)
    for fn in ctx.inventory.functions:
        profile = ctx.profile(fn)
        if cards:
            # The card has the configuration to go on without metrics; the verdict does not.
            rec, found.cards[fn.arn] = decision_card(profile, prices, options)
        elif fn.metrics is not None:
            rec = recommend(profile, prices, options)
        if fn.metrics is not None:
            found.recommendations[fn.arn] = recommendation_json(rec)
    return found


def analyse(
    inventory: Inventory | Iterable[RegionContext],
    rule_options: RuleOptions | None = None,
    *,
    decided: Mapping[str, Decisions] | None = None,
    cards: bool = True,
) -> Analysis:
    """The whole analysis of a scan. ``decided`` (region -> Decisions) are those the region
    tasks already worked out; a region missing from it is worked out here."""
    contexts = region_contexts(inventory) if isinstance(inventory, Inventory) else list(inventory)
    rule_options = rule_options or {}
    results = evaluate(contexts, rule_options)
    decisions = Decisions()
    for ctx in contexts:
        given = (decided or {}).get(ctx.region)
        decisions.update(
            given if given is not None else function_decisions(ctx, rule_options, cards=cards)
        )
    return Analysis(
        results=results,
        decisions=decisions,
        opportunities=cost_opportunities(contexts, results, rule_options),
    )


def cost_opportunities(
    contexts: Iterable[RegionContext],
    results: Iterable[Result],
    rule_options: RuleOptions | None = None,
) -> CostOpportunities:
    """The cost rules' findings in dollars (largest first), each function's best combination
    of them, and the regions without prices."""
    reported: dict[str, set[str]] = defaultdict(set)  # function ARN -> kinds the rules found
    for r in results:
        if isinstance(r, Finding) and r.rule_id in COST_RULE_KINDS:
            reported[r.resource_arn].add(COST_RULE_KINDS[r.rule_id])
    options = decision_options(rule_options)
    result = CostOpportunities()
    found = []
    for ctx in contexts:
        try:
            prices = load_prices(ctx.region)
        except UnknownRegionError:
            result.regions_without_prices.append(ctx.region)
            continue
        for fn in ctx.inventory.functions:
            kinds = reported.get(fn.arn)
            if not kinds:
                continue
            profile = ctx.profile(fn)  # the one the cost rules priced
            # The rules applied the thresholds: nothing more is left out here.
            mine = [
                o
                for o in function_opportunities(
                    fn, profile, prices, options=options, min_saving_usd=0.0
                )
                if o.kind in kinds
            ]
            combination = best_combination(profile, prices, mine)
            if combination is not None:
                result.best_by_function[fn.arn] = combination
            found.extend(mine)
    result.opportunities = sort_opportunities(found)
    return result

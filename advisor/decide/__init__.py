"""Decide: Lambda, containers (ECS on Fargate) or EC2, with the monthly cost of each.

Pure: no Django, no boto3, no settings. Prices come only from ``prices.toml``. Import the public
API from ``advisor.decide``:

Prices (``prices.py``)
    ``load_prices(region="us-east-1") -> PriceTable`` (``UnknownRegionError`` for a region the
    table lacks); ``available_regions() -> tuple[str, ...]``.
Cost model (``cost.py``)
    ``lambda_monthly_cost(*, requests, duration_ms, memory_mb, arch, prices, free_tier=False,
    ephemeral_mb=512) -> LambdaCost``;
    ``provisioned_concurrency_monthly_cost(*, concurrency, memory_mb, arch, prices, requests=0,
    duration_ms=0, hours=None) -> ProvisionedCost``;
    ``fargate_monthly_cost(*, task_vcpu, task_memory_gb, tasks, arch, prices, hours=None)
    -> FargateCost``; ``ec2_monthly_cost(*, instance_type, count, prices, hours=None) -> Ec2Cost``.
Workload profile (``profile.py``)
    ``WorkloadProfile``; ``profile_from_function(fn, *, invocation_types=None, callers=None,
    latency_requirement=None, ops_budget="medium", cpu_share=0.5) -> WorkloadProfile``.
Sizing (``sizing.py``)
    ``fargate_plan(profile, prices, options=None) -> FargatePlan``;
    ``ec2_plan(profile, prices, options=None) -> Ec2Plan | None``; ``SizingOptions``.
Decision (``framework.py``, comparisons in ``compare.py``)
    ``recommend(profile, prices, options=None) -> Recommendation``;
    ``recommendation_json(rec) -> dict`` (the ``scan`` command's ``recommendation``);
    ``crossover(profile, prices, options=None) -> (requests | None, option | None)``;
    ``cost_curve(profile, prices, volumes=None, options=None, *, known_crossover=None)
    -> CostCurve``;
    ``lambda_cost_for(profile, prices, arch=None)``; ``DecisionOptions``.
Decision card (``card.py``)
    ``decision_card(profile, prices, options=None) -> (Recommendation, dict)``; ``card_json(rec,
    curve, prices) -> dict`` (what a function's page shows, stored by the scan's analysis);
    ``curve_from_json(data) -> CostCurve``.
Planner (``planner.py``)
    ``PlannerInput`` (``validate() -> dict[field, message]``, ``to_profile()``,
    ``to_params()``); ``parse_planner_params(params) -> (PlannerInput | None, errors)``.
Cost opportunities (``opportunities.py``)
    per function: ``function_opportunities(fn, profile, prices, *, options=None,
    min_saving_usd=1.0) -> list[Opportunity]``, ``best_combination``, and the three kinds
    alone: ``arm64_saving``, ``idle_provisioned_concurrency``, ``container_candidate``. A scan's
    opportunities are its cost rules' findings priced with these (``advisor.analysis``).
Charts (``charts.py``)
    ``cost_chart(curve, *, title=None) -> dict`` (a Plotly figure as a JSON-ready dict; import
    from ``advisor.decide.charts``, which needs plotly).
"""

from advisor.decide.cost import (
    Ec2Cost,
    FargateCost,
    LambdaCost,
    ProvisionedCost,
    ec2_monthly_cost,
    fargate_monthly_cost,
    lambda_monthly_cost,
    provisioned_concurrency_monthly_cost,
)
from advisor.decide.framework import (
    OPTIONS,
    VERDICTS,
    CostCurve,
    DecisionOptions,
    Recommendation,
    cost_curve,
    crossover,
    lambda_cost_for,
    recommend,
    recommendation_json,
)
from advisor.decide.opportunities import (
    CostOpportunities,
    Opportunity,
    arm64_saving,
    container_candidate,
    idle_provisioned_concurrency,
)
from advisor.decide.planner import TRAFFIC_PATTERNS, PlannerInput, parse_planner_params
from advisor.decide.prices import (
    PriceTable,
    PriceTableError,
    UnknownRegionError,
    available_regions,
    load_prices,
)
from advisor.decide.profile import WorkloadProfile, profile_from_function
from advisor.decide.sizing import Ec2Plan, FargatePlan, SizingOptions, ec2_plan, fargate_plan

__all__ = [
    "OPTIONS",
    "TRAFFIC_PATTERNS",
    "VERDICTS",
    "CostCurve",
    "CostOpportunities",
    "DecisionOptions",
    "Ec2Cost",
    "Ec2Plan",
    "FargateCost",
    "FargatePlan",
    "LambdaCost",
    "Opportunity",
    "PlannerInput",
    "PriceTable",
    "PriceTableError",
    "ProvisionedCost",
    "Recommendation",
    "SizingOptions",
    "UnknownRegionError",
    "WorkloadProfile",
    "arm64_saving",
    "available_regions",
    "container_candidate",
    "cost_curve",
    "crossover",
    "ec2_monthly_cost",
    "ec2_plan",
    "fargate_monthly_cost",
    "fargate_plan",
    "idle_provisioned_concurrency",
    "lambda_cost_for",
    "lambda_monthly_cost",
    "load_prices",
    "parse_planner_params",
    "profile_from_function",
    "provisioned_concurrency_monthly_cost",
    "recommend",
    "recommendation_json",
]

"""Decide: Lambda, containers (ECS on Fargate) or EC2, with the monthly cost of each.

Pure: no Django, no boto3, no settings. Prices come only from ``prices.toml``.

Public API (import from ``advisor.decide``):

Prices
    ``load_prices(region="us-east-1") -> PriceTable`` (``UnknownRegionError`` for a region the
    table lacks), ``available_regions() -> tuple[str, ...]``.
Cost model
    ``lambda_monthly_cost(*, requests, duration_ms, memory_mb, arch, prices, free_tier=False,
    ephemeral_mb=512) -> LambdaCost``;
    ``provisioned_concurrency_monthly_cost(*, concurrency, memory_mb, arch, prices, requests=0,
    duration_ms=0, hours=None) -> ProvisionedCost``;
    ``fargate_monthly_cost(*, task_vcpu, task_memory_gb, tasks, arch, prices, hours=None)
    -> FargateCost``;
    ``ec2_monthly_cost(*, instance_type, count, prices, hours=None) -> Ec2Cost``.
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
from advisor.decide.prices import (
    PriceTable,
    PriceTableError,
    UnknownRegionError,
    available_regions,
    load_prices,
)

__all__ = [
    "Ec2Cost",
    "FargateCost",
    "LambdaCost",
    "PriceTable",
    "PriceTableError",
    "ProvisionedCost",
    "UnknownRegionError",
    "available_regions",
    "ec2_monthly_cost",
    "fargate_monthly_cost",
    "lambda_monthly_cost",
    "load_prices",
    "provisioned_concurrency_monthly_cost",
]

"""What the cost rules share: the region's prices and a function's workload profile, both from
``advisor.decide`` (rules never hold a price)."""

from __future__ import annotations

from advisor.collect.inventory import Function, RegionInventory
from advisor.decide import PriceTable, UnknownRegionError, WorkloadProfile, load_prices
from advisor.rules.context import RegionContext
from advisor.rules.support import metrics_or_reason


def prices_or_reason(inventory: RegionInventory) -> PriceTable | str:
    try:
        return load_prices(inventory.region)
    except UnknownRegionError as exc:
        return str(exc)


def profile_or_reason(ctx: RegionContext, fn: Function) -> WorkloadProfile | str:
    """The function's workload profile (``RegionContext.profile``), or why it cannot be built
    (its metrics are missing)."""
    metrics = metrics_or_reason(ctx.inventory, fn)
    if isinstance(metrics, str):
        return metrics
    return ctx.profile(fn)


def usd(amount: float) -> str:
    return f"${amount:,.2f}"

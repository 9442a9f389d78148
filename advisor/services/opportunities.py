"""An account's top cost opportunities for the overview, worked out once per scan.

The work needs every function of the scan (metrics included), so it runs where the scan's
inventory is already in memory, when the scan finishes, and the result is stored on the scan.
Scans finished before that was stored are worked out from their stored inventory on first view.
"""

from __future__ import annotations

from typing import Any

from advisor.collect.inventory import Inventory, RegionInventory
from advisor.decide import account_cost_opportunities
from advisor.models import FunctionRecord, Scan, ScanRegion

TOP_OPPORTUNITIES = 10


def top_opportunities(scan: Scan, inventory: Inventory) -> dict[str, Any]:
    """The ``TOP_OPPORTUNITIES`` largest savings, their total and count, and the regions
    without prices (JSON-ready: stored on ``Scan.cost_opportunities``)."""
    result = account_cost_opportunities(inventory)
    top = result.opportunities[:TOP_OPPORTUNITIES]
    pks = dict(
        FunctionRecord.objects.filter(scan=scan, arn__in=[o.function_arn for o in top]).values_list(
            "arn", "pk"
        )
    )
    return {
        "opportunities": [
            {
                "kind": o.kind,
                "function_name": o.function_name,
                "function_pk": pks.get(o.function_arn),
                "region": o.region,
                "saving": o.monthly_saving_usd,
                "current": o.current_monthly_usd,
                "proposed": o.proposed_monthly_usd,
                "summary": o.summary,
            }
            for o in top
        ],
        # Each function's best combination, not the sum of options that exclude each other.
        "total_saving": result.total_saving_usd,
        "count": len(result.opportunities),
        "functions": len(result.best_by_function),
        "no_prices": result.regions_without_prices,
    }


def opportunities_of(scan: Scan) -> dict[str, Any]:
    """What the scan stored; for an older scan, worked out from its inventory and stored."""
    if scan.cost_opportunities is not None:
        return scan.cost_opportunities
    regions = [
        RegionInventory.from_dict(data)
        for data in ScanRegion.objects.filter(
            scan=scan, status=ScanRegion.Status.DONE, inventory__isnull=False
        ).values_list("inventory", flat=True)
    ]
    found = top_opportunities(scan, Inventory(account_id=scan.account.account_id, regions=regions))
    Scan.objects.filter(pk=scan.pk).update(cost_opportunities=found)
    return found

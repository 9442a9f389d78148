"""The cost opportunities a scan stores for the overview and the email.

They are worked out by the scan's analysis (``advisor.analysis``) when it finishes, where the
inventory is in memory, and stored on ``Scan.cost_opportunities``: the pages and the email read
that and nothing else. Scans finished before they were stored get them from ``manage.py
analyse_scans``.
"""

from __future__ import annotations

from typing import Any

from advisor.decide.opportunities import CostOpportunities
from advisor.models import FunctionRecord, Scan

TOP_OPPORTUNITIES = 10


def top_opportunities(scan: Scan, found: CostOpportunities) -> dict[str, Any]:
    """The ``TOP_OPPORTUNITIES`` largest savings, their total and count, and the regions
    without prices (JSON-ready: stored on ``Scan.cost_opportunities``)."""
    top = found.opportunities[:TOP_OPPORTUNITIES]
    pks = dict(
        FunctionRecord.objects.filter(scan=scan, arn__in=[o.function_arn for o in top]).values_list(
            "arn", "pk"
        )
    )
    return {
        "opportunities": [
            {
                "kind": o.kind,
                "function_arn": o.function_arn,
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
        "total_saving": found.total_saving_usd,
        "count": len(found.opportunities),
        "functions": len(found.best_by_function),
        "no_prices": found.regions_without_prices,
    }

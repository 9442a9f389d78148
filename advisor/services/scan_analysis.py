"""Scans finished before their analysis was stored (each function's recommendation, the cost
opportunities) get it here, once, from their stored inventory: ``manage.py analyse_scans``.

The pages, the email and the CLI only read what a scan stored; they never work it out again.
Findings are left alone: they live across scans, and each was recorded by the scan that saw it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from advisor.analysis import analyse
from advisor.collect.inventory import Inventory, RegionInventory
from advisor.models import NO_VERDICT, FunctionRecord, Scan, ScanRegion
from advisor.services.opportunities import top_opportunities
from advisor.services.prices import stored_prices_install


@dataclass(frozen=True)
class Outcome:
    scan: Scan
    decided: int  # functions given their recommendation
    opportunities: bool  # cost opportunities stored
    no_inventory: bool  # retention dropped what it would take


def scans_without_analysis() -> QuerySet[Scan]:
    """Finished scans lacking their cost opportunities or a function's verdict, oldest first."""
    undecided = FunctionRecord.objects.filter(verdict="").values("scan_id")
    return (
        Scan.objects.filter(status__in=Scan.WITH_RESULTS)
        .filter(Q(cost_opportunities__isnull=True) | Q(pk__in=undecided))
        .select_related("account__workspace")
        .order_by("pk")
    )


def scan_analyse_stored(*, scan: Scan) -> Outcome:
    """Store what ``scan`` lacks of its analysis, worked out from its stored inventory with its
    workspace's rule options. Nothing is changed when the inventory is gone (retention)."""
    stored_prices_install()
    parts = list(
        scan.parts.filter(status=ScanRegion.Status.DONE, inventory__isnull=False).only(
            "region", "inventory", "recommendations"
        )
    )
    if not parts:
        return Outcome(scan=scan, decided=0, opportunities=False, no_inventory=True)
    inventory = Inventory(
        account_id=scan.account.account_id,
        regions=[RegionInventory.from_dict(p.inventory) for p in parts],
    )
    # The regions' stored recommendations are used where they were worked out.
    analysis = analyse(
        inventory,
        scan.account.workspace.rule_options,
        recommendations={p.region: p.recommendations for p in parts if p.recommendations},
    )
    with transaction.atomic():
        undecided = FunctionRecord.objects.select_for_update().filter(scan=scan, verdict="")
        records = list(undecided.only("pk", "arn"))
        for record in records:
            recommendation = analysis.recommendations.get(record.arn)
            record.recommendation = recommendation
            record.verdict = recommendation["verdict"] if recommendation else NO_VERDICT
        FunctionRecord.objects.bulk_update(records, ["recommendation", "verdict"], batch_size=500)
        stored = Scan.objects.filter(pk=scan.pk, cost_opportunities__isnull=True).update(
            cost_opportunities=top_opportunities(scan, analysis.opportunities)
        )
    return Outcome(scan=scan, decided=len(records), opportunities=bool(stored), no_inventory=False)

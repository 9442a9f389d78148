"""Scans finished before their analysis was stored (each function's recommendation and
decision card, the cost opportunities) get it here, once, from their stored inventory:
``manage.py analyse_scans``.

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
from advisor.services.scan_run import stored_decisions


@dataclass(frozen=True)
class Outcome:
    scan: Scan
    decided: int  # functions given their recommendation and decision card
    opportunities: bool  # cost opportunities stored
    no_inventory: bool  # retention dropped what it would take


def scans_without_analysis() -> QuerySet[Scan]:
    """Finished scans lacking their cost opportunities, a function's verdict or a function's
    decision card, oldest first."""
    return (
        Scan.objects.filter(status__in=Scan.WITH_RESULTS)
        .filter(
            Q(cost_opportunities__isnull=True) | Q(pk__in=undecided_records().values("scan_id"))
        )
        .select_related("account")
        .order_by("pk")
    )


def undecided_records() -> QuerySet[FunctionRecord]:
    """Functions stored without their verdict, or without the decision card beside it."""
    return FunctionRecord.objects.filter(Q(verdict="") | Q(decision__isnull=True))


def scan_analyse_stored(*, scan: Scan) -> Outcome:
    """Store what ``scan`` lacks of its analysis, worked out from its stored inventory with the
    rule options it was scanned with. Nothing is changed when the inventory is gone
    (retention)."""
    stored_prices_install()
    parts = list(
        scan.parts.filter(status=ScanRegion.Status.DONE, inventory__isnull=False).only(
            "region", "inventory", "recommendations", "decisions"
        )
    )
    if not parts:
        return Outcome(scan=scan, decided=0, opportunities=False, no_inventory=True)
    inventory = Inventory(
        account_id=scan.account.account_id,
        regions=[RegionInventory.from_dict(p.inventory) for p in parts],
    )
    # What the region tasks worked out is used where they stored it whole; a region stored
    # before its cards is worked out again, its recommendations with its cards, so that a
    # function's verdict and its card come from one computation.
    analysis = analyse(inventory, scan.rule_options, decided=stored_decisions(parts))
    with transaction.atomic():
        undecided = undecided_records().select_for_update().filter(scan=scan)
        records = list(undecided.only("pk", "arn"))
        for record in records:
            recommendation = analysis.recommendations.get(record.arn)
            record.recommendation = recommendation
            record.verdict = recommendation["verdict"] if recommendation else NO_VERDICT
            record.decision = analysis.cards.get(record.arn)
        FunctionRecord.objects.bulk_update(
            records, ["recommendation", "verdict", "decision"], batch_size=500
        )
        stored = Scan.objects.filter(pk=scan.pk, cost_opportunities__isnull=True).update(
            cost_opportunities=top_opportunities(scan, analysis.opportunities)
        )
    return Outcome(scan=scan, decided=len(records), opportunities=bool(stored), no_inventory=False)

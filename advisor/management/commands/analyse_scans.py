"""Store the analysis that scans finished before it was stored lack: each function's
recommendation and the cost opportunities, worked out from the scan's stored inventory; and
each account's counts of open findings the fleet page reads.

    manage.py analyse_scans                  # every such scan
    manage.py analyse_scans --account acme-prod

Run once after upgrading; scans finished since store their analysis themselves. Scans whose
inventory retention already dropped are listed and left as they are."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from advisor.services.finding_summaries import summaries_missing_refresh
from advisor.services.scan_analysis import scan_analyse_stored, scans_without_analysis


class Command(BaseCommand):
    help = "Work out the stored analysis of scans finished before it was stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", help="Only this account's scans (its name or id).")

    def handle(self, *args: Any, account: str | None = None, **options: Any) -> None:
        scans = scans_without_analysis()
        if account:
            scans = scans.filter(account__name=account) | scans.filter(account__account_id=account)
        done = 0
        for scan in scans.iterator(chunk_size=50):
            outcome = scan_analyse_stored(scan=scan)
            label = f"scan {scan.pk} of {scan.account.name}"
            if outcome.no_inventory:
                self.stdout.write(f"{label}: its inventory is no longer kept (retention); skipped")
                continue
            done += 1
            self.stdout.write(
                f"{label}: {outcome.decided} function(s) decided"
                + (", cost opportunities stored" if outcome.opportunities else "")
            )
        self.stdout.write(f"{done} scan(s) analysed.")
        counted = summaries_missing_refresh()
        if counted:
            self.stdout.write(f"{counted} account(s)' open findings counted for the fleet page.")

"""``manage.py refresh_prices [--regions r1,r2]``: fetch Lambda, Fargate and EC2 prices from
AWS's Price List Query API with the app's own credentials (``pricing:GetProducts``), validate
them and store them where the cost model reads them. A region that fails keeps its last good
prices. Exit status 0 when every region refreshed, 1 when some failed, 2 when all did."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.regions import lambda_regions
from advisor.services.prices import PriceRefreshRefused, prices_refresh


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--regions",
            help="comma-separated regions (default: every commercial region Lambda is in)",
        )
        parser.add_argument(
            "--endpoint-url", help="a Price List endpoint (an emulator; local mode and tests)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        regions = None
        if options["regions"]:
            regions = [r.strip() for r in options["regions"].split(",") if r.strip()]
            unknown = sorted(set(regions) - set(lambda_regions()))
            if unknown:
                raise CommandError(f"not a commercial Lambda region: {', '.join(unknown)}")
        try:
            run = prices_refresh(regions=regions, endpoint_url=options["endpoint_url"])
        except PriceRefreshRefused as exc:
            raise CommandError(str(exc)) from exc
        for region in run.refreshed:
            self.stdout.write(f"{region}: refreshed")
        for region, why in run.failures.items():
            self.stderr.write(f"{region}: kept the last good prices: {why}")
        self.stdout.write(
            f"{len(run.refreshed)} of {len(run.requested)} regions refreshed "
            f"in {run.calls} GetProducts calls"
        )
        if run.failures:
            raise SystemExit(2 if not run.refreshed else 1)

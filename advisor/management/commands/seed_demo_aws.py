"""`manage.py seed_demo_aws --endpoint-url URL`: fill the AWS emulator with the demo company.

Options: ``--account-id`` (default 210987654321), ``--external-id`` (the ExternalId the read-only
role's trust policy requires), ``--regions us-east-1,eu-west-1``, ``--functions-per-region N``
(adds generated functions up to N per region, for benchmarks), ``--if-seeded keep|error``: an
account that already holds the demo keeps it (its roles' trust policies are updated to the given
ExternalId) or the command fails. The work is ``advisor.demo.seed``; this only parses and prints.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.demo.seed import (
    DEFAULT_EXTERNAL_ID,
    DEFAULT_REGIONS,
    DEMO_ACCOUNT_ID,
    DemoAlreadySeeded,
    bootstrap_roles,
    seed_demo,
)


class Command(BaseCommand):
    help = "Seed the AWS emulator with the demo company's Lambda estate and 14 days of metrics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--endpoint-url", required=True, help="The AWS emulator's URL.")
        parser.add_argument("--account-id", default=DEMO_ACCOUNT_ID)
        parser.add_argument("--external-id", default=DEFAULT_EXTERNAL_ID)
        parser.add_argument(
            "--regions",
            default=",".join(DEFAULT_REGIONS),
            help="Comma-separated; the first holds the main estate, the second the EU one.",
        )
        parser.add_argument("--functions-per-region", type=int, default=None)
        parser.add_argument("--if-seeded", choices=("keep", "error"), default="keep")

    def handle(self, *args: Any, **options: Any) -> None:
        regions = [r.strip() for r in str(options["regions"]).split(",") if r.strip()]
        if not regions:
            raise CommandError("--regions needs at least one region")
        count = options["functions_per_region"]
        if count is not None and count < 1:
            raise CommandError("--functions-per-region must be at least 1")

        def progress(message: str) -> None:
            self.stderr.write(message)

        try:
            report = seed_demo(
                endpoint_url=options["endpoint_url"],
                account_id=str(options["account_id"]),
                external_id=options["external_id"],
                regions=regions,
                functions_per_region=count,
                progress=progress,
            )
        except DemoAlreadySeeded as error:
            if options["if_seeded"] == "error":
                raise CommandError(str(error)) from error
            bootstrap_roles(
                endpoint_url=options["endpoint_url"],
                account_id=str(options["account_id"]),
                external_id=options["external_id"],
            )
            self.stdout.write(
                f"Account {options['account_id']} already holds the demo: kept it, and set the "
                f"read-only role's ExternalId to the one given."
            )
            return
        except OSError as error:
            raise CommandError(
                f"The emulator at {options['endpoint_url']} failed: {error}"
            ) from error
        for region in report.regions:
            self.stdout.write(
                f"{region}: {report.functions[region]} functions, {report.apis[region]} APIs, "
                f"{report.event_source_mappings[region]} event source mappings, "
                f"{report.queues[region]} queues, {report.metric_data_points[region]} metric "
                f"data points ({report.seconds[region]:.1f} s)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded account {report.account_id} in {report.seconds['total']:.1f} s. Scan it "
                f"with role {report.role_arn} and ExternalId {report.external_id}."
            )
        )

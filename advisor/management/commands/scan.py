"""`manage.py scan`: scan a connected account, or scan ad hoc for terminals and CI pipelines.

Exit codes: 0 done; 1 a finding at or above --fail-on; 2 usage error or failed scan (reason on
stderr). stdout carries only the report (JSON stays clean); progress goes to stderr.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import AwsAccount
from accounts.regions import lambda_regions
from advisor.collect.errors import AwsAccessError
from advisor.collect.options import CollectOptions
from advisor.collect.session import EndpointNotAllowed
from advisor.models import Scan, ScanRegion
from advisor.reports.scan_document import stored_scan_document
from advisor.rules.base import Severity
from advisor.services.endpoints import checked_endpoint
from advisor.services.scan_adhoc import scan_ad_hoc
from advisor.services.scan_organization import DEFAULT_PARALLEL, scan_organization_ad_hoc
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import ScanRefused, scan_create, scan_start

SEVERITIES = [s.value for s in Severity]


class UsageError(Exception):
    pass


class Command(BaseCommand):
    help = "Scan a connected account (--account) or scan ad hoc (--regions) without the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", help="A connected account's name or 12-digit id.")
        parser.add_argument("--wait", action="store_true", help="Wait for the worker to finish.")
        parser.add_argument(
            "--inline", action="store_true", help="Run the scan in this process, not a worker."
        )
        parser.add_argument("--regions", help="Comma-separated regions for an ad hoc scan.")
        parser.add_argument("--endpoint-url", help="An AWS emulator's URL.")
        parser.add_argument("--role-arn", help="Assume this role (needs --external-id).")
        parser.add_argument("--external-id")
        parser.add_argument(
            "--organization",
            action="store_true",
            help="Scan every active account of the caller's organisation (with --regions and "
            "--org-role-name; the caller's credentials are the management account's or a "
            "delegated administrator's).",
        )
        parser.add_argument(
            "--org-role-name", help="The role to assume in each member account (--organization)."
        )
        parser.add_argument(
            "--parallel",
            help=f"Member accounts scanned at a time (--organization; default {DEFAULT_PARALLEL}).",
        )
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--output", help="Write the report to this file instead of stdout.")
        parser.add_argument("--fail-on", choices=SEVERITIES, help="Exit 1 at this severity.")
        parser.add_argument(
            "--no-rate-limit", action="store_true", help="No client-side AWS rate limit."
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except (CommandError, UsageError) as error:
            sys.stderr.write(f"scan: {error}\n")
            sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["account"]) == bool(options["regions"]):
            raise UsageError("give either --account NAME_OR_ID or --regions R1,R2")
        if options["organization"] or options["org_role_name"]:
            self.handle_organization(options)
            return
        if options["parallel"] is not None:
            raise UsageError("--parallel goes with --organization")
        if bool(options["role_arn"]) != bool(options["external_id"]):
            raise UsageError("--role-arn and --external-id go together")
        if options["account"]:
            document = self.scan_account(options)
        else:
            document = self.scan_ad_hoc(options)
        self.emit(document, options)
        if document["scan"]["status"] == "failed":
            sys.stderr.write(
                "scan: the scan failed: " + "; ".join(document["scan"]["errors"]) + "\n"
            )
            sys.exit(2)
        self.exit_on_findings(document["findings"], options)

    def exit_on_findings(self, findings: list[dict], options: dict) -> None:
        if options["fail_on"]:
            threshold = Severity(options["fail_on"]).rank
            worst = [f for f in findings if Severity(f["severity"]).rank >= threshold]
            if worst:
                sys.stderr.write(
                    f"scan: {len(worst)} finding(s) at or above {options['fail_on']}\n"
                )
                sys.exit(1)

    # -- connected accounts -------------------------------------------------------------------
    def scan_account(self, options: dict) -> dict:
        key = options["account"]
        matches = list(AwsAccount.objects.filter(name=key)) or list(
            AwsAccount.objects.filter(account_id=key)
        )
        if not matches:
            raise UsageError(f"no connected account is named or numbered {key!r}")
        if len(matches) > 1:
            names = ", ".join(f"{a.workspace.name}/{a.name}" for a in matches)
            raise UsageError(f"{key!r} matches several accounts ({names}); use its name")
        account = matches[0]
        try:
            if options["inline"]:
                scan = run_scan_inline(scan_create(account=account, trigger=Scan.Trigger.COMMAND))
            else:
                scan = scan_start(account=account, trigger=Scan.Trigger.COMMAND)
                self.progress(f"scan {scan.pk} of {account.name} queued")
                if options["wait"]:
                    scan = self.wait_for(scan)
        except ScanRefused as refusal:
            raise UsageError(str(refusal)) from refusal
        return stored_scan_document(scan)

    def wait_for(self, scan: Scan) -> Scan:
        while scan.status in Scan.ACTIVE:
            time.sleep(1)
            scan.refresh_from_db()
            done = scan.parts.filter(status__in=ScanRegion.ENDED).count()
            self.progress(f"scan {scan.pk}: {scan.status}, regions {done}/{len(scan.regions)}")
        return scan

    # -- ad hoc -------------------------------------------------------------------------------
    def ad_hoc_setup(self, options: dict) -> tuple[list[str], str | None, CollectOptions]:
        regions = [r.strip() for r in options["regions"].split(",") if r.strip()]
        known = set(lambda_regions())
        unknown = [r for r in regions if r not in known]
        if unknown or not regions:
            raise UsageError(f"unknown region(s): {', '.join(unknown) or '(none given)'}")
        try:
            endpoint = checked_endpoint(options["endpoint_url"])
        except EndpointNotAllowed as refusal:
            raise UsageError(str(refusal)) from refusal
        # The same shared buckets as the workers: an ad hoc scan of an account that a stored
        # scan is reading at the same time does not double the calls AWS sees.
        collect = CollectOptions(
            rate_limit=not options["no_rate_limit"],
            rate_limit_store=settings.ADVISOR_RATE_LIMIT_STORE,
        )
        return regions, endpoint, collect

    def scan_ad_hoc(self, options: dict) -> dict:
        regions, endpoint, collect = self.ad_hoc_setup(options)
        return scan_ad_hoc(
            regions=regions,
            endpoint_url=endpoint,
            options=collect,
            role_arn=options["role_arn"],
            external_id=options["external_id"],
            progress=self.progress,
        )

    # -- an organisation ----------------------------------------------------------------------
    def handle_organization(self, options: dict) -> None:
        """Exit 2 when an account's scan failed or none could be scanned, else 1 for a finding
        at or above --fail-on in any account; skipped accounts are listed on stderr."""
        if not (options["organization"] and options["org_role_name"] and options["regions"]):
            raise UsageError("--organization goes with --org-role-name ROLE and --regions R1,R2")
        if options["role_arn"]:
            raise UsageError(
                "--organization assumes --org-role-name in each member, not --role-arn"
            )
        parallel = parallel_of(options["parallel"])
        regions, endpoint, collect = self.ad_hoc_setup(options)
        try:
            document = scan_organization_ad_hoc(
                regions=regions,
                role_name=options["org_role_name"],
                external_id=options["external_id"],
                endpoint_url=endpoint,
                options=collect,
                parallel=parallel,
                progress=self.progress,
            )
        except AwsAccessError as error:
            raise UsageError(f"the organisation could not be listed: {error}") from error
        self.emit(document, options)
        accounts = document["accounts"]
        for entry in accounts:
            if entry["status"] in ("skipped", "failed"):
                sys.stderr.write(
                    f"scan: {entry['account_id']} {entry['status']}: {entry['reason']}\n"
                )
        failed = [e for e in accounts if e["status"] == "failed"]
        scanned = [e for e in accounts if e["status"] != "skipped"]
        if failed or not scanned:
            what = f"{len(failed)} account scan(s) failed" if failed else "no account was scanned"
            sys.stderr.write(f"scan: {what}\n")
            sys.exit(2)
        self.exit_on_findings([f for e in accounts for f in e["findings"]], options)

    # -- output -------------------------------------------------------------------------------
    def progress(self, text: str) -> None:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def emit(self, document: dict, options: dict) -> None:
        if options["format"] == "json":
            text = json.dumps(document, indent=2, default=str) + "\n"
        elif "accounts" in document:
            text = organization_table(document)
        else:
            text = table(document)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            sys.stdout.write(text)


def parallel_of(value: str | None) -> int:
    """--parallel's number of accounts at a time: a whole number, 1 or more."""
    if value is None:
        return DEFAULT_PARALLEL
    try:
        parallel = int(value)
    except ValueError:
        parallel = 0
    if parallel < 1:
        raise UsageError(f"--parallel takes a whole number of accounts, 1 or more, not {value!r}")
    return parallel


def table(document: dict) -> str:
    scan = document["scan"]
    lines = [
        f"Scan {scan['status']}: {len(document['functions'])} functions in "
        f"{', '.join(scan['regions'])}, {sum(scan['api_calls'].values())} AWS API calls",
    ]
    for error in scan["errors"]:
        lines.append(f"  error: {error}")
    for gap in scan["coverage_gaps"]:
        lines.append(
            f"  not seen: {gap['region']} {gap['service']}:{gap['operation']} "
            f"{gap['error_code']} ({gap['hides']})"
        )
    lines.append("")
    findings = document["findings"]
    if not findings:
        lines.append("No findings.")
    for f in findings:
        name = f["resource_arn"].rsplit(":", 1)[-1]
        lines.append(f"{f['severity'].upper():9} {f['rule_id']:40} {f['region']:15} {name}")
        lines.append(f"          {f['message']}")
    return "\n".join(lines) + "\n"


def organization_table(document: dict) -> str:
    blocks = []
    for entry in document["accounts"]:
        head = f"== {entry['account_id']}: {entry['status']}"
        if entry["scan"] is None:
            blocks.append(f"{head} ({entry['reason']})\n")
            continue
        blocks.append(head + "\n" + table(entry))
    return "\n".join(blocks)

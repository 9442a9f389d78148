"""`manage.py scan`: scan a connected account, or scan ad hoc for terminals and CI pipelines.

Exit codes: 0 done; 1 a finding at or above --fail-on; 2 usage error or failed scan (reason on
stderr). stdout carries only the report (JSON stays clean); progress goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from accounts.models import AwsAccount
from accounts.regions import lambda_regions
from advisor.collect.errors import AwsAccessError
from advisor.collect.inventory import Inventory
from advisor.collect.options import CollectOptions
from advisor.collect.scanner import collect_region
from advisor.collect.session import (
    EndpointNotAllowed,
    assume_role_session,
    aws_client,
)
from advisor.models import Scan, ScanRegion
from advisor.reports.scan_document import scan_document
from advisor.rules.base import Severity
from advisor.rules.registry import evaluate
from advisor.services.endpoints import checked_endpoint
from advisor.services.prices import stored_prices_install
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
        if options["fail_on"]:
            threshold = Severity(options["fail_on"]).rank
            worst = [f for f in document["findings"] if Severity(f["severity"]).rank >= threshold]
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
    def scan_ad_hoc(self, options: dict) -> dict:
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
        collect_options = CollectOptions(
            rate_limit=not options["no_rate_limit"],
            rate_limit_store=settings.ADVISOR_RATE_LIMIT_STORE,
        )
        started = dt.datetime.now(dt.UTC)
        inventory = Inventory(account_id="")
        errors: list[str] = []
        for region in regions:
            self.progress(f"{region}: starting")
            try:
                session = self.session(options, region, endpoint)
                if not inventory.account_id:
                    inventory.account_id = self.caller_account(session, region, endpoint)
                part = collect_region(
                    session=session,
                    account_id=inventory.account_id,
                    region=region,
                    endpoint_url=endpoint,
                    options=collect_options,
                    progress=lambda stage, done, total, r=region: self.progress(
                        f"{r}: {stage} {done}/{total}"
                    ),
                )
            except AwsAccessError as error:
                errors.append(f"{region}: {error}")
                self.progress(f"{region}: failed: {error}")
                continue
            inventory.regions.append(part)
            self.progress(
                f"{region}: {len(part.functions)} functions, "
                f"{sum(part.api_calls.values())} API calls"
            )
        try:
            stored_prices_install()
        except DatabaseError as exc:  # an ad hoc scan may run without the app's database
            self.progress(f"refreshed prices not read ({exc}): the shipped prices apply")
        results = evaluate(inventory) if inventory.regions else []
        if not inventory.regions:
            status = "failed"
        elif errors or inventory.coverage_gaps:
            status = "partial"
        else:
            status = "succeeded"
        return scan_document(
            inventory=inventory,
            results=results,
            status=status,
            regions=regions,
            started_at=started,
            finished_at=dt.datetime.now(dt.UTC),
            errors=errors,
        )

    def session(self, options: dict, region: str, endpoint: str | None) -> boto3.Session:
        if options["role_arn"]:
            return assume_role_session(
                role_arn=options["role_arn"],
                external_id=options["external_id"],
                region=region,
                endpoint_url=endpoint,
            )
        return boto3.Session(region_name=region)

    def caller_account(self, session: boto3.Session, region: str, endpoint: str | None) -> str:
        try:
            sts = aws_client("sts", session=session, region=region, endpoint_url=endpoint)
            return sts.get_caller_identity()["Account"]
        except (ClientError, BotoCoreError) as error:
            raise AwsAccessError(f"credentials not usable: {error}") from error

    # -- output -------------------------------------------------------------------------------
    def progress(self, text: str) -> None:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def emit(self, document: dict, options: dict) -> None:
        if options["format"] == "json":
            text = json.dumps(document, indent=2, default=str) + "\n"
        else:
            text = table(document)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            sys.stdout.write(text)


def stored_scan_document(scan: Scan) -> dict:
    """The same document for a scan stored in the database (``--account``)."""
    scan.refresh_from_db()
    findings = [
        {
            "rule_id": f.rule_id,
            "resource_arn": f.resource_arn,
            "region": f.region,
            "severity": f.severity,
            "pillar": f.pillar,
            "title": f.title,
            "message": f.message,
            "evidence": f.evidence,
            "remediation": f"{f.remediation_cli}\n\n{f.remediation_iac}",
        }
        for f in scan.account.findings.filter(last_seen_scan=scan, status="open")
    ]
    return {
        "schema_version": 1,
        "scan": {
            "id": scan.pk,
            "status": scan.status,
            "account_id": scan.account.account_id,
            "regions": scan.regions,
            "started_at": scan.started_at.isoformat() if scan.started_at else None,
            "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
            "api_calls": scan.api_calls,
            "coverage_gaps": scan.coverage_gaps,
            "not_evaluated": scan.not_evaluated,
            "errors": [line for line in scan.error.splitlines() if line],
        },
        "functions": [
            {
                "arn": r.arn,
                "name": r.name,
                "region": r.region,
                "runtime": r.runtime or None,
                "memory_mb": r.memory_mb,
                "timeout_s": r.timeout_s,
            }
            for r in scan.functions.all()
        ],
        "findings": findings,
    }


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

"""What a scan's emailed report says: the changes since the previous scan, the open risks, the
money on the table and what the scan could not see. Built from the database; rendering is in
``advisor.reports.email``."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import AwsAccount
from advisor.csv_cells import csv_row
from advisor.decide.opportunities import Opportunity
from advisor.models import SEVERITY_ORDER, Finding, Scan, ScanRegion
from advisor.reports.fixes import reconciled_fixes
from advisor.rules.reconcile import FunctionFix

TOP_RISKS = 5
LIST_LIMIT = 25  # longer lists are cut in the email; the CSV and the dashboard have them all
HEADLINE_SEVERITIES = ("critical", "high")
CSV_COLUMNS = [
    "severity",
    "rule_id",
    "title",
    "resource_arn",
    "resource",
    "region",
    "first_seen_at",
    "message",
    "remediation",
]


def site_url(path: str) -> str:
    return settings.ADVISOR_SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class FindingLine:
    severity: str
    rule_id: str
    title: str
    resource_name: str
    resource_arn: str
    region: str
    message: str
    remediation: str  # one line

    @classmethod
    def of(cls, finding: Finding) -> FindingLine:
        return cls(
            severity=finding.severity,
            rule_id=finding.rule_id,
            title=finding.title,
            resource_name=finding.resource_name,
            resource_arn=finding.resource_arn,
            region=finding.region,
            message=finding.message,
            remediation=one_line(finding.remediation_cli),
        )


@dataclass
class ScanReport:
    account: AwsAccount
    scan: Scan
    previous_scan: Scan | None
    new_findings: list[FindingLine]
    new_total: int
    resolved_findings: list[FindingLine]
    resolved_total: int
    top_risks: list[FindingLine]
    open_by_severity: list[tuple[str, int]]
    open_total: int
    cost_opportunities: list[Opportunity]
    cost_total_usd: float
    cost_note: str
    coverage_gaps: list[dict]
    failed_regions: list[str]
    links: dict[str, str] = field(default_factory=dict)
    new_by_severity: dict[str, int] = field(default_factory=dict)
    fixes: list[FunctionFix] = field(default_factory=list)  # findings settled to one change

    @property
    def subject(self) -> str:
        return report_subject(
            account_name=self.account.name,
            new_by_severity=self.new_by_severity,
            resolved=self.resolved_total,
        )


def one_line(text: str, limit: int = 160) -> str:
    """The first command of a remediation, short enough for one line of an email."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = line.rstrip("\\").strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def report_subject(*, account_name: str, new_by_severity: dict[str, int], resolved: int) -> str:
    """ "3 new high findings, 2 resolved — acme-prod": the worst news first."""
    parts = []
    for severity in HEADLINE_SEVERITIES:
        n = new_by_severity.get(severity, 0)
        if n:
            parts.append(f"{n} new {severity} finding{'s' if n != 1 else ''}")
    others = sum(n for s, n in new_by_severity.items() if s not in HEADLINE_SEVERITIES)
    if others:
        more = "more " if parts else ""
        parts.append(f"{others} {more}new finding{'s' if others != 1 else ''}")
    if resolved:
        parts.append(f"{resolved} resolved")
    summary = ", ".join(parts) if parts else "No new findings"
    return f"{summary} — {account_name}"


def previous_scan_of(scan: Scan) -> Scan | None:
    return (
        Scan.objects.filter(
            account_id=scan.account_id, status__in=Scan.WITH_RESULTS, pk__lt=scan.pk
        )
        .order_by("-pk")
        .first()
    )


def new_findings_of(scan: Scan) -> QuerySet[Finding]:
    """Opened by this scan: first seen, or back after being resolved (suppressed left out).

    Not "absent from the previous scan": a region that scan could not read hid its findings
    without resolving them, and they are not news when the next scan sees them again."""
    return (
        Finding.objects.filter(occurrences__scan=scan, occurrences__opened=True)
        .unsuppressed()
        .worst_first()
    )


def resolved_findings_of(scan: Scan) -> QuerySet[Finding]:
    """Resolved by this scan (``record_findings`` stamps them with the scan's finish time)."""
    return (
        Finding.objects.filter(account_id=scan.account_id, resolved_at=scan.finished_at)
        .resolved()
        .worst_first()
    )


def stored_opportunities(scan: Scan) -> list[Opportunity]:
    """The top cost opportunities the scan stored (``Scan.cost_opportunities``), largest
    first."""
    return [
        Opportunity(
            kind=o["kind"],
            function_arn=o.get("function_arn", ""),
            function_name=o["function_name"],
            region=o["region"],
            monthly_saving_usd=o["saving"],
            current_monthly_usd=o["current"],
            proposed_monthly_usd=o["proposed"],
            summary=o["summary"],
        )
        for o in (scan.cost_opportunities or {}).get("opportunities", [])
    ]


def cost_note(scan: Scan) -> str:
    """What the cost section must say besides its list: regions without prices, or why there is
    no list at all."""
    stored = scan.cost_opportunities
    if stored is None:
        kept = scan.parts.filter(status=ScanRegion.Status.DONE, inventory__isnull=False).exists()
        if not kept:
            return "The metric data of this scan is no longer kept (retention)."
        return "The cost opportunities of this scan were not worked out."
    if stored.get("no_prices"):
        return "No prices for " + ", ".join(stored["no_prices"]) + "."
    return ""


def build_scan_report(scan: Scan) -> ScanReport:
    account = scan.account
    previous = previous_scan_of(scan)
    new = list(new_findings_of(scan))
    resolved = list(resolved_findings_of(scan))
    open_findings = Finding.objects.for_account(account).open_unsuppressed().worst_first()
    counts = Counter(open_findings.values_list("severity", flat=True))

    failed_regions = [
        f"{p.region}: {p.error}" for p in scan.parts.all() if p.status == ScanRegion.Status.FAILED
    ]
    return ScanReport(
        account=account,
        scan=scan,
        previous_scan=previous,
        new_findings=[FindingLine.of(f) for f in new[:LIST_LIMIT]],
        new_total=len(new),
        resolved_findings=[FindingLine.of(f) for f in resolved[:LIST_LIMIT]],
        resolved_total=len(resolved),
        top_risks=[FindingLine.of(f) for f in open_findings[:TOP_RISKS]],
        open_by_severity=[(s, counts.get(s, 0)) for s in SEVERITY_ORDER],
        open_total=sum(counts.values()),
        # worked out by the scan's analysis when it finished, and stored
        cost_opportunities=stored_opportunities(scan),
        # each function's best combination of changes, not options that exclude each other
        cost_total_usd=(scan.cost_opportunities or {}).get("total_saving", 0.0),
        cost_note=cost_note(scan),
        coverage_gaps=list(scan.coverage_gaps),
        failed_regions=failed_regions,
        links={
            "scan": site_url(reverse("advisor:scan-detail", args=[scan.pk])),
            "findings": site_url(reverse("advisor:finding-list")) + f"?account={account.pk}",
            "account": site_url(reverse("accounts:detail", args=[account.pk])),
        },
        new_by_severity=dict(Counter(f.severity for f in new)),
        fixes=reconciled_fixes(scan),
    )


def open_findings_csv(account: AwsAccount) -> str:
    """Every open, unsuppressed finding of the account, worst first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    open_findings = Finding.objects.for_account(account).open_unsuppressed().worst_first()
    for f in open_findings.iterator(chunk_size=500):
        writer.writerow(
            csv_row(
                [
                    f.severity,
                    f.rule_id,
                    f.title,
                    f.resource_arn,
                    f.resource_name,
                    f.region,
                    f.first_seen_at.isoformat(),
                    f.message,
                    one_line(f.remediation_cli, limit=1000),
                ]
            )
        )
    return buffer.getvalue()

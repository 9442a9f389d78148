"""The JSON document a scan produces for terminals and CI pipelines: a stable contract, the one
in README "The `scan` command" (``tests/advisor/test_scan_document.py`` holds both to it).

One builder for both kinds of scan: a stored scan (``--account``) hands it its rows from the
database; an ad hoc scan (``--regions``) the same rows, built by the same code but not saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from advisor.models import Finding, FindingOccurrence, FunctionRecord, Scan
from advisor.rules.base import Remediation, Severity

SCHEMA_VERSION = 1


def scan_document(
    *, scan: Scan, functions: Iterable[FunctionRecord], findings: Iterable[Finding]
) -> dict[str, Any]:
    """The document of a finished scan, its functions and the findings it saw."""
    return {
        "schema_version": SCHEMA_VERSION,
        "scan": {
            "id": scan.pk,  # None for an ad hoc scan: nothing was stored
            "status": scan.status,
            "account_id": scan.account.account_id,
            "regions": list(scan.regions),
            "started_at": scan.started_at.isoformat() if scan.started_at else None,
            "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
            "api_calls": dict(scan.api_calls),
            "coverage_gaps": list(scan.coverage_gaps),
            "not_evaluated": list(scan.not_evaluated),
            "errors": [line for line in scan.error.splitlines() if line],
        },
        "functions": [
            function_entry(r) for r in sorted(functions, key=lambda r: (r.region, r.name, r.arn))
        ],
        "findings": [
            finding_entry(f)
            for f in sorted(
                findings,
                key=lambda f: (-Severity(f.severity).rank, f.rule_id, f.resource_arn),
            )
        ],
    }


def function_entry(record: FunctionRecord) -> dict[str, Any]:
    return {
        "arn": record.arn,
        "name": record.name,
        "region": record.region,
        "runtime": record.runtime or None,  # None: a container image has no runtime
        "architecture": record.architecture,
        "memory_mb": record.memory_mb,
        "timeout_s": record.timeout_s,
        "package_type": record.package_type,
        "code_size": record.code_size,
        # The metric window's totals (14 days); None without metrics.
        "invocations_14d": record.invocations,
        "errors_14d": record.errors,
        "throttles_14d": record.throttles,
        "duration_p99_ms": record.duration_p99_ms,
        "recommendation": record.recommendation,
    }


def finding_entry(finding: Finding) -> dict[str, Any]:
    remediation = Remediation(
        cli=finding.remediation_cli,
        iac=finding.remediation_iac,
        iac_format=finding.remediation_iac_format,
    )
    return {
        "rule_id": finding.rule_id,
        "resource_arn": finding.resource_arn,
        "region": finding.region,
        "severity": finding.severity,
        "pillar": finding.pillar,
        "title": finding.title,
        "message": finding.message,
        "evidence": dict(finding.evidence),
        "remediation": remediation.as_text(),
    }


def account_entry(
    account_id: str,
    *,
    document: dict[str, Any] | None = None,
    status: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """One account of an organisation's document: its scan's document (``scan``, ``functions``,
    ``findings``, as a single scan prints them), or a skipped account and why."""
    if document is None:
        return {
            "account_id": account_id,
            "status": status or "skipped",
            "reason": reason,
            "scan": None,
            "functions": [],
            "findings": [],
        }
    scan = document["scan"]
    if reason is None and scan["errors"]:
        reason = "; ".join(scan["errors"])
    if reason is None and scan["status"] == "partial":
        reason = f"{len(scan['coverage_gaps'])} coverage gaps: some data could not be read"
    return {
        "account_id": account_id,
        "status": scan["status"],
        "reason": reason,
        "scan": scan,
        "functions": document["functions"],
        "findings": document["findings"],
    }


def organization_document(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The document of ``manage.py scan --organization``: one entry per account, by id."""
    return {
        "schema_version": SCHEMA_VERSION,
        "accounts": sorted(entries, key=lambda entry: entry["account_id"]),
    }


def stored_scan_document(scan: Scan) -> dict[str, Any]:
    """The document of a scan stored in the database: its functions, and the findings it saw
    as it saw them (severity and evidence of that scan)."""
    scan = Scan.objects.select_related("account").get(pk=scan.pk)
    findings = []
    for seen in FindingOccurrence.objects.filter(scan=scan).select_related("finding"):
        finding = seen.finding
        finding.severity, finding.evidence = seen.severity, seen.evidence
        findings.append(finding)
    return scan_document(scan=scan, functions=scan.functions.defer("decision"), findings=findings)

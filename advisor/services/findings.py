"""Findings across scans: open on first sight, stay open while seen, resolve on the first scan
that no longer sees them (only where that scan could look), reopen if they return."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from advisor.models import Finding, FindingFunction, FindingOccurrence, Scan
from advisor.rules.base import Finding as RuleFinding
from advisor.rules.base import NotEvaluated, Result, Rule
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from advisor.rules.resources import FunctionConcerns


def finding_fields(result: RuleFinding, rule: Rule) -> dict[str, Any]:
    """What a finding's row holds of a rule's finding, whichever scan saw it."""
    return {
        "region": result.region,
        "severity": str(result.severity),
        "pillar": str(rule.pillar),
        "title": rule.title,
        "message": result.message,
        "evidence": dict(result.evidence),
        "remediation_cli": result.remediation.cli,
        "remediation_iac": result.remediation.iac,
        "remediation_iac_format": result.remediation.iac_format,
    }


def unsaved_findings(results: Iterable[Result]) -> list[Finding]:
    """The findings among ``results`` as rows that are not stored (an ad hoc scan's)."""
    rules = rules_by_id()
    return [
        Finding(
            rule_id=r.rule_id,
            resource_arn=r.resource_arn,
            status=Finding.Status.OPEN,
            **finding_fields(r, rules[r.rule_id]),
        )
        for r in results
        if isinstance(r, RuleFinding)
    ]


def record_findings(
    *,
    scan: Scan,
    results: Iterable[Result],
    scanned_regions: set[str],
    contexts: Iterable[RegionContext] = (),
) -> int:
    """Apply one finished scan's results to the account's findings. Returns how many it saw.

    Each finding seen is linked to the functions it concerns (``FindingFunction``), worked out
    from the relation index of each region's context (a queue's readers, a mapping's function)
    and from what its evidence names; without contexts, from the evidence and its own ARN."""
    rules = rules_by_id()
    concerns = {ctx.region: FunctionConcerns.build(ctx.relations) for ctx in contexts}
    seen: dict[tuple[str, str], RuleFinding] = {}
    blind_regions: set[tuple[str, str]] = set()  # (rule, region) not evaluated
    blind_resources: set[tuple[str, str]] = set()  # (rule, resource) not evaluated
    for result in results:
        if isinstance(result, NotEvaluated):
            if result.resource_arn is None:
                blind_regions.add((result.rule_id, result.region))
            else:
                blind_resources.add((result.rule_id, result.resource_arn))
        else:
            seen[(result.rule_id, result.resource_arn)] = result

    when = scan.finished_at or scan.started_at or scan.created_at
    with transaction.atomic():
        existing = {
            (f.rule_id, f.resource_arn): f
            for f in Finding.objects.select_for_update().filter(account=scan.account)
        }
        to_create: list[Finding] = []
        to_update: list[Finding] = []
        opened: set[tuple[str, str]] = set()  # first seen or reopened by this scan
        for key, result in seen.items():
            rule = rules[result.rule_id]
            fields = {
                **finding_fields(result, rule),
                "last_seen_scan": scan,
                "last_seen_at": when,
            }
            finding = existing.get(key)
            if finding is None:
                to_create.append(
                    Finding(
                        account=scan.account,
                        rule_id=result.rule_id,
                        resource_arn=result.resource_arn,
                        status=Finding.Status.OPEN,
                        first_seen_scan=scan,
                        first_seen_at=when,
                        **fields,
                    )
                )
                opened.add(key)
                continue
            for name, value in fields.items():
                setattr(finding, name, value)
            if finding.status == Finding.Status.RESOLVED:
                finding.status = Finding.Status.OPEN
                finding.resolved_at = None
                finding.times_reopened += 1
                opened.add(key)
            to_update.append(finding)

        for key, finding in existing.items():
            if key in seen or finding.status != Finding.Status.OPEN:
                continue
            if finding.region not in scanned_regions:
                continue  # this scan did not look there
            if (finding.rule_id, finding.region) in blind_regions:
                continue
            if (finding.rule_id, finding.resource_arn) in blind_resources:
                continue
            finding.status = Finding.Status.RESOLVED
            finding.resolved_at = when
            finding.last_seen_scan = finding.last_seen_scan  # unchanged: last time it was seen
            to_update.append(finding)

        Finding.objects.bulk_create(to_create, batch_size=1000)
        Finding.objects.bulk_update(
            to_update,
            [
                "region",
                "severity",
                "pillar",
                "title",
                "message",
                "evidence",
                "remediation_cli",
                "remediation_iac",
                "remediation_iac_format",
                "last_seen_scan",
                "last_seen_at",
                "status",
                "resolved_at",
                "times_reopened",
            ],
            batch_size=1000,
        )
        by_key = {(f.rule_id, f.resource_arn): f for f in [*to_create, *to_update]}
        FindingOccurrence.objects.bulk_create(
            [
                FindingOccurrence(
                    finding=by_key[key],
                    scan=scan,
                    severity=str(result.severity),
                    evidence=dict(result.evidence),
                    opened=key in opened,
                )
                for key, result in seen.items()
            ],
            batch_size=1000,
        )
        _link_functions(
            scan.account_id,
            {
                by_key[key].pk: (concerns.get(result.region) or FunctionConcerns()).of(
                    result.resource_arn, result.evidence
                )
                for key, result in seen.items()
            },
        )
    return len(seen)


def _link_functions(account_id: int, wanted: dict[int, tuple[str, ...]]) -> None:
    """Make the seen findings' function links what this scan says (resolved findings keep
    theirs: the page of a function as an older scan saw it still finds them)."""
    have: dict[tuple[int, str], int] = {
        (finding_id, arn): pk
        for pk, finding_id, arn in FindingFunction.objects.filter(
            finding__account_id=account_id
        ).values_list("pk", "finding_id", "function_arn")
    }
    want = {(finding_id, arn) for finding_id, arns in wanted.items() for arn in arns}
    stale = [pk for key, pk in have.items() if key[0] in wanted and key not in want]
    for start in range(0, len(stale), 500):
        FindingFunction.objects.filter(pk__in=stale[start : start + 500]).delete()
    # Rows of findings this scan did not see (resolved, or in a region it could not look at)
    # are left as they are.
    FindingFunction.objects.bulk_create(
        [
            FindingFunction(finding_id=finding_id, function_arn=arn)
            for finding_id, arn in sorted(want - have.keys())
        ],
        batch_size=1000,
    )

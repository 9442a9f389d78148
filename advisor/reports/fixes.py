"""The reconciled fixes a scan's email shows: each function whose open findings would set one
setting to different values, with the one change that settles them (advisor.rules.reconcile)."""

from __future__ import annotations

from collections import defaultdict

from advisor.models import Finding, FunctionRecord, Scan
from advisor.rules.reconcile import MEMORY, PROPOSING_RULES, TIMEOUT, FunctionFix, function_fix
from advisor.rules.resources import function_name


def reconciled_fixes(scan: Scan) -> list[FunctionFix]:
    """Two queries: the account's open findings that propose a setting, and the present
    timeout and memory of their functions as this scan saw them."""
    by_function: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
    regions: dict[str, str] = {}
    for arn, region, rule_id, evidence, message in (
        Finding.objects.for_account(scan.account)
        .open_unsuppressed()
        .filter(rule_id__in=PROPOSING_RULES)
        .values_list("resource_arn", "region", "rule_id", "evidence", "message")
    ):
        by_function[arn].append((rule_id, evidence, message))
        regions[arn] = region
    disputed = [arn for arn, findings in by_function.items() if len(findings) > 1]
    if not disputed:
        return []
    current = {
        arn: {TIMEOUT: timeout, MEMORY: memory}
        for arn, timeout, memory in FunctionRecord.objects.filter(
            scan=scan, arn__in=disputed
        ).values_list("arn", "timeout_s", "memory_mb")
    }
    fixes = [
        function_fix(
            function_name=function_name(arn),
            region=regions[arn],
            findings=by_function[arn],
            current=current.get(arn),
        )
        for arn in sorted(disputed)
    ]
    return [fix for fix in fixes if fix.reconciled]

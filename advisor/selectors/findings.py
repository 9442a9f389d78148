"""Reads for the findings list and its suppress and unsuppress forms
(``advisor.views.findings``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import AwsAccount
from accounts.selectors import accounts_for, manageable_workspaces_for
from advisor.merged_list import MergedOrderedList
from advisor.models import SEVERITY_ORDER, Finding, Suppression
from advisor.rules.registry import all_rules
from advisor.selectors import common

STATUS_OPEN = "open"
STATUS_SUPPRESSED = "suppressed"
STATUS_RESOLVED = "resolved"
STATUS_ALL = "all"
FINDING_STATUSES = (STATUS_OPEN, STATUS_SUPPRESSED, STATUS_RESOLVED, STATUS_ALL)


@dataclass(frozen=True)
class FindingFilters:
    severity: str = ""
    pillar: str = ""
    rule: str = ""
    status: str = STATUS_OPEN
    region: str = ""
    account: int | None = None
    q: str = ""
    function: str = ""  # an unqualified function ARN: the findings that concern it


def _in_tab(findings: QuerySet[Finding], status: str) -> QuerySet[Finding]:
    if status == STATUS_SUPPRESSED:
        return findings.open().suppressed()
    if status == STATUS_RESOLVED:
        return findings.resolved()
    if status == STATUS_ALL:
        return findings
    return findings.open_unsuppressed()


def _scoped(account_ids: list[int], filters: FindingFilters) -> list[int]:
    return [a for a in account_ids if a == filters.account] if filters.account else account_ids


def _findings_base(account_ids: list[int], filters: FindingFilters) -> QuerySet[Finding]:
    account_ids = _scoped(account_ids, filters)
    qs = Finding.objects.filter(account_id__in=account_ids)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.pillar:
        qs = qs.filter(pillar=filters.pillar)
    if filters.rule:
        qs = qs.filter(rule_id=filters.rule)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.function:
        qs = qs.concerning(filters.function)
    if filters.q:
        # Rule, title, resource and message, lower-cased in one column (trigram-indexed).
        qs = qs.filter(search_text__contains=filters.q.lower())
    return qs


def findings_for(account_ids: list[int], filters: FindingFilters) -> QuerySet[Finding]:
    """Findings of these accounts (``common.visible_accounts(user).ids``) matching the filters,
    worst first."""
    return (
        _in_tab(_findings_base(account_ids, filters), filters.status)
        .select_related("account", "suppression")
        .defer(
            "search_text",
            *common.related_only("account", AwsAccount, "name", "account_id", "workspace"),
            *common.related_only("suppression", Suppression, "reason", "expires_at"),
        )
        .with_suppressed_now()
        # Unique per account, and in the order of the finding_worst_first index.
        .order_by("severity_order", "rule_id", "resource_arn", "account_id")
    )


def findings_merged(
    findings: QuerySet[Finding], account_ids: list[int], filters: FindingFilters, *, count: int
) -> MergedOrderedList:
    """The :func:`findings_for` list for the paginator, read account by account along the
    finding_worst_first index (a page costs the same on page 1 of one account or 200 of ten)."""
    return MergedOrderedList(
        findings,
        partition="account_id",
        values=_scoped(account_ids, filters),
        count=count,
        keys_first=True,
    )


def finding_tab_counts(account_ids: list[int], filters: FindingFilters) -> dict[str, int]:
    """How many findings each status tab holds under the other filters (one query)."""
    return _findings_base(account_ids, filters).state_counts()


def finding_facets(user: AbstractBaseUser) -> dict[str, list[str]]:
    """Filter choices: every rule and pillar of the catalogue, and the regions the user's
    accounts scan (known without reading the findings table)."""
    regions = {
        region
        for account_regions in accounts_for(user).values_list("regions", flat=True)
        for region in account_regions or []
    }
    rules = all_rules()
    return {
        "rules": sorted(rule.id for rule in rules),
        "regions": sorted(regions),
        "pillars": sorted({str(rule.pillar) for rule in rules}),
        "severities": list(SEVERITY_ORDER),
    }


def findings_to_suppress(user: AbstractBaseUser, ids: list[int]) -> QuerySet[Finding]:
    return Finding.objects.filter(account__in=accounts_for(user), pk__in=ids)


def suppressible_workspace_ids(user: AbstractBaseUser) -> frozenset[int]:
    """The workspaces whose findings the user may suppress and unsuppress (owner or admin):
    :func:`can_manage_all` and :func:`can_manage_accounts` ask the same, so a page read once
    shows a row's buttons exactly where the server would accept them."""
    return frozenset(manageable_workspaces_for(user).values_list("pk", flat=True))


def can_manage_all(user: AbstractBaseUser, findings: QuerySet[Finding]) -> bool:
    """Whether the user may change every one of these findings (owner or admin of each)."""
    return not findings.exclude(account__workspace__in=manageable_workspaces_for(user)).exists()


def suppressions_for(user: AbstractBaseUser, ids: list[int]) -> list[Suppression]:
    return list(
        Suppression.objects.filter(account__in=accounts_for(user), pk__in=ids).select_related(
            "account"
        )
    )


def can_manage_accounts(user: AbstractBaseUser, account_ids: set[int]) -> bool:
    managed = AwsAccount.objects.filter(
        pk__in=account_ids, workspace__in=manageable_workspaces_for(user)
    ).count()
    return managed == len(account_ids)

"""Suppressing findings: one finding, or a rule over a pattern of resources, with a reason and an
optional expiry. Suppressed findings stay stored and tracked; they are shown apart."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.audit import Action, audit_record
from accounts.models import AwsAccount
from advisor.models import Finding, Scan, Suppression
from advisor.services.finding_summaries import summaries_refresh


class SuppressionError(ValueError):
    pass


def suppression_create(
    *,
    account: AwsAccount,
    rule_id: str,
    resource_pattern: str,
    reason: str,
    expires_at: dt.datetime | None = None,
    created_by: AbstractBaseUser | None = None,
) -> Suppression:
    if not reason.strip():
        raise SuppressionError("Say why these findings are suppressed.")
    if expires_at is not None and expires_at <= timezone.now():
        raise SuppressionError("The expiry must be in the future.")
    with transaction.atomic():
        suppression = Suppression.objects.create(
            account=account,
            rule_id=rule_id,
            resource_pattern=resource_pattern,
            reason=reason.strip(),
            expires_at=expires_at,
            created_by=created_by,
        )
        apply_suppressions(account=account)
        audit_record(
            workspace=account.workspace_id,
            actor=created_by,
            action=Action.FINDINGS_SUPPRESSED,
            target=f"{rule_id} on {resource_pattern} in {account.name}",
            reason=suppression.reason,
            expires=expires_at.date().isoformat() if expires_at else "never",
        )
    return suppression


def suppress_findings(
    *,
    findings: QuerySet[Finding],
    reason: str,
    expires_at: dt.datetime | None = None,
    created_by: AbstractBaseUser | None = None,
) -> list[Suppression]:
    """One suppression per selected finding (bulk suppress from the findings page)."""
    created = []
    with transaction.atomic():
        for finding in findings.select_related("account"):
            created.append(
                suppression_create(
                    account=finding.account,
                    rule_id=finding.rule_id,
                    resource_pattern=finding.resource_arn,
                    reason=reason,
                    expires_at=expires_at,
                    created_by=created_by,
                )
            )
    return created


def suppression_delete(*, suppression: Suppression, actor: AbstractBaseUser | None = None) -> None:
    account = suppression.account
    with transaction.atomic():
        audit_record(
            workspace=account.workspace_id,
            actor=actor,
            action=Action.FINDINGS_UNSUPPRESSED,
            target=f"{suppression.rule_id} on {suppression.resource_pattern} in {account.name}",
            reason=suppression.reason,
        )
        suppression.delete()
        apply_suppressions(account=account)


def apply_suppressions(*, account: AwsAccount, scan: Scan | None = None) -> None:
    """Point every finding of the account at the active suppression that matches it, if any,
    and count its open findings again for the fleet page. ``scan``: the scan whose findings
    were just recorded (by default the account's latest scan with results)."""
    now = timezone.now()
    active = [
        s
        for s in Suppression.objects.filter(account=account).order_by("created_at")
        if s.active_at(now)
    ]
    changed = []
    for finding in Finding.objects.filter(account=account).only(
        "pk", "rule_id", "resource_arn", "suppression_id"
    ):
        match = next((s for s in active if s.matches(finding.rule_id, finding.resource_arn)), None)
        wanted = match.pk if match else None
        if finding.suppression_id != wanted:
            finding.suppression_id = wanted
            changed.append(finding)
    Finding.objects.bulk_update(changed, ["suppression"], batch_size=1000)
    if scan is None:
        scan = (
            Scan.objects.filter(account=account, status__in=Scan.WITH_RESULTS)
            .order_by("-created_at", "-pk")
            .only("pk")
            .first()
        )
    summaries_refresh({account.pk: scan.pk if scan else None}, now=now)

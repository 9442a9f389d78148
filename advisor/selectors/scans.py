"""Reads for the scans list and a scan's page (``advisor.views.scans``)."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import AwsAccount
from accounts.selectors import accounts_for
from advisor.models import SEVERITY_ORDER, Finding, Scan


def latest_scan_for(account: AwsAccount) -> Scan | None:
    return account.scans.first()


def scans_for(user: AbstractBaseUser) -> QuerySet[Scan]:
    """The user's accounts' scans, newest first, without their bulky JSON columns."""
    return (
        Scan.objects.filter(account__in=accounts_for(user))
        .select_related("account")
        .defer("coverage_gaps", "not_evaluated")
        .order_by("-created_at", "-pk")
    )


def scan_for(user: AbstractBaseUser, pk: int) -> Scan:
    return get_object_or_404(
        Scan.objects.select_related("account__workspace").filter(account__in=accounts_for(user)),
        pk=pk,
    )


def severity_counts(findings: QuerySet[Finding]) -> list[tuple[str, int]]:
    counts = Counter(findings.values_list("severity", flat=True))
    return [(s, counts.get(s, 0)) for s in SEVERITY_ORDER]

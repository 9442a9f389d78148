"""Reads for the scans list and a scan's page (``advisor.views.scans``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.selectors import accounts_for
from advisor.models import Scan


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

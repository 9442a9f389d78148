"""Reads for the rule catalogue (``advisor.views.rules``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count

from accounts.selectors import accounts_for
from advisor.models import Finding


def open_finding_counts_by_rule(user: AbstractBaseUser) -> dict[str, int]:
    rows = (
        Finding.objects.for_accounts(accounts_for(user))
        .open_unsuppressed()
        .order_by()
        .values("rule_id")
        .annotate(n=Count("pk"))
    )
    return {row["rule_id"]: row["n"] for row in rows}

"""What several pages read: which accounts a user sees, and each account's latest scan with
results (succeeded or partial), the scan whose functions and findings the lists show."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Subquery

from accounts.models import AwsAccount
from accounts.selectors import accounts_for
from advisor.models import Scan


def latest_scan_ids_with_results(user: AbstractBaseUser) -> list[int]:
    """The id of each of the user's accounts' latest scan with results (one query).

    Lists read these ids first and filter by the literal list: PostgreSQL then walks the
    (scan, name) index instead of evaluating a correlated subquery once per function row.
    """
    latest = (
        Scan.objects.filter(account=OuterRef("pk"), status__in=Scan.WITH_RESULTS)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        accounts_for(user)
        .select_related(None)
        .annotate(latest_scan=Subquery(latest))
        .filter(latest_scan__isnull=False)
        .order_by("pk")
        .values_list("latest_scan", flat=True)
    )


def latest_scan_with_results(account: AwsAccount) -> Scan | None:
    """The account's latest succeeded or partial scan, if any."""
    return account.scans.filter(status__in=Scan.WITH_RESULTS).order_by("-created_at", "-pk").first()


def visible_account_ids(user: AbstractBaseUser) -> list[int]:
    """The ids of the accounts the user may see (one query), for lists that filter by them."""
    return list(accounts_for(user).select_related(None).order_by("pk").values_list("pk", flat=True))

"""The weekly digest of a workspace: one line per account, what changed in the week and what is
still open."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.urls import reverse

from accounts.models import AwsAccount, Workspace
from advisor.models import SEVERITY_ORDER, Finding, Scan
from advisor.reports.scan_report import site_url


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday 00:00 UTC to the next Monday."""

    start: dt.datetime
    end: dt.datetime

    @property
    def period(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @classmethod
    def of_period(cls, period: str) -> Week:
        year, week = period.split("-W")
        start = dt.datetime.fromisocalendar(int(year), int(week), 1).replace(tzinfo=dt.UTC)
        return cls(start=start, end=start + dt.timedelta(days=7))

    @classmethod
    def before(cls, when: dt.datetime) -> Week:
        """The last full week before ``when``."""
        today = when.astimezone(dt.UTC).date()
        this_monday = today - dt.timedelta(days=today.weekday())
        start = dt.datetime.combine(this_monday - dt.timedelta(days=7), dt.time(), tzinfo=dt.UTC)
        return cls(start=start, end=start + dt.timedelta(days=7))


@dataclass(frozen=True)
class AccountWeek:
    account: AwsAccount
    last_scan: Scan | None
    scans_in_week: int
    new: int
    resolved: int
    open_by_severity: list[tuple[str, int]]
    open_total: int
    link: str


@dataclass(frozen=True)
class WorkspaceDigest:
    workspace: Workspace
    week: Week
    accounts: list[AccountWeek]

    @property
    def new(self) -> int:
        return sum(a.new for a in self.accounts)

    @property
    def resolved(self) -> int:
        return sum(a.resolved for a in self.accounts)

    @property
    def open_severe(self) -> int:
        return sum(
            n for a in self.accounts for s, n in a.open_by_severity if s in ("critical", "high")
        )

    @property
    def subject(self) -> str:
        return (
            f"Week {self.week.period}: {self.new} new, {self.resolved} resolved, "
            f"{self.open_severe} open critical/high — {self.workspace.name}"
        )

    @property
    def overview_link(self) -> str:
        return site_url(reverse("advisor:overview"))


def build_workspace_digest(workspace: Workspace, week: Week) -> WorkspaceDigest:
    lines = []
    for account in workspace.aws_accounts.order_by("name"):
        in_week = Finding.objects.for_account(account)
        counts = Counter(
            in_week.open_unsuppressed().worst_first().values_list("severity", flat=True)
        )
        lines.append(
            AccountWeek(
                account=account,
                last_scan=account.scans.order_by("-pk").first(),
                scans_in_week=account.scans.filter(
                    created_at__gte=week.start, created_at__lt=week.end
                ).count(),
                new=in_week.unsuppressed()
                .filter(first_seen_at__gte=week.start, first_seen_at__lt=week.end)
                .count(),
                resolved=in_week.resolved()
                .filter(resolved_at__gte=week.start, resolved_at__lt=week.end)
                .count(),
                open_by_severity=[(s, counts.get(s, 0)) for s in SEVERITY_ORDER],
                open_total=sum(counts.values()),
                link=site_url(reverse("accounts:detail", args=[account.pk])),
            )
        )
    return WorkspaceDigest(workspace=workspace, week=week, accounts=lines)

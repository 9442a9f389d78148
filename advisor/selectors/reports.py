"""Reads for the report pages (``advisor.reports.views``)."""

from __future__ import annotations

from accounts.models import AwsAccount


def report_recipient_emails(account: AwsAccount) -> list[str]:
    """The addresses a scan's report goes to: the account's recipients still subscribed, in
    alphabetical order (as ``scan_report_deliveries`` sends them)."""
    return list(
        account.report_recipients.filter(unsubscribed_at__isnull=True)
        .order_by("email")
        .values_list("email", flat=True)
    )

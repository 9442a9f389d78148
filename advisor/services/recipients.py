"""Report recipients: set by an account's managers, unsubscribed by the recipients themselves."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import AwsAccount, ReportRecipient


def recipients_set(*, account: AwsAccount, emails: list[str]) -> list[ReportRecipient]:
    """Make the account's recipients exactly ``emails``. An address that unsubscribed stays
    unsubscribed while it is kept: only removing it and adding it again later re-subscribes."""
    wanted = {email.strip().lower() for email in emails if email.strip()}
    with transaction.atomic():
        account.report_recipients.exclude(email__in=wanted).delete()
        existing = set(account.report_recipients.values_list("email", flat=True))
        ReportRecipient.objects.bulk_create(
            [ReportRecipient(account=account, email=email) for email in sorted(wanted - existing)]
        )
    return list(account.report_recipients.all())


def recipients_unsubscribe(*, workspace_id: int, email: str, account_id: int | None = None) -> int:
    """Unsubscribe an address from one account's reports, or (``account_id`` None, the digest's
    link) from every account of the workspace. Returns how many subscriptions ended."""
    recipients = ReportRecipient.objects.filter(
        account__workspace_id=workspace_id, email=email.lower(), unsubscribed_at__isnull=True
    )
    if account_id is not None:
        recipients = recipients.filter(account_id=account_id)
    return recipients.update(unsubscribed_at=timezone.now())

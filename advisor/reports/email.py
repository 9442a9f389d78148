"""Reports as email messages: HTML with a plain-text alternative, the open findings as CSV, and
the one-click unsubscribe headers (RFC 2369 List-Unsubscribe, RFC 8058 List-Unsubscribe-Post)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.text import slugify

from advisor.reports.digest import WorkspaceDigest
from advisor.reports.scan_report import ScanReport, open_findings_csv
from advisor.reports.unsubscribe import Unsubscribe, unsubscribe_url


def scan_report_message(
    report: ScanReport, *, to: str, message_id: str | None = None
) -> EmailMultiAlternatives:
    account = report.account
    link = unsubscribe_url(
        Unsubscribe(workspace_id=account.workspace_id, email=to, account_id=account.pk)
    )
    context = {"report": report, "unsubscribe_url": link, "recipient": to}
    message = _message(
        subject=report.subject,
        to=to,
        text=render_to_string("reports/scan_report.txt", context),
        html=render_to_string("reports/scan_report.html", context),
        unsubscribe=link,
        message_id=message_id,
    )
    message.attach(
        f"open-findings-{slugify(account.name)}-scan-{report.scan.pk}.csv",
        open_findings_csv(account),
        "text/csv",
    )
    return message


def digest_message(
    digest: WorkspaceDigest, *, to: str, message_id: str | None = None
) -> EmailMultiAlternatives:
    link = unsubscribe_url(Unsubscribe(workspace_id=digest.workspace.pk, email=to))
    context = {"digest": digest, "unsubscribe_url": link, "recipient": to}
    return _message(
        subject=digest.subject,
        to=to,
        text=render_to_string("reports/digest.txt", context),
        html=render_to_string("reports/digest.html", context),
        unsubscribe=link,
        message_id=message_id,
    )


def _message(
    *, subject: str, to: str, text: str, html: str, unsubscribe: str, message_id: str | None
) -> EmailMultiAlternatives:
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # Not a conversation: out-of-office replies and bounces go nowhere useful.
        "Auto-Submitted": "auto-generated",
    }
    if message_id:
        headers["Message-ID"] = message_id
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message

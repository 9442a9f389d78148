"""The report pages: the one-click unsubscribe (no login: the signed link is the credential) and
the account page's preview of the email a scheduled scan would send."""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.selectors import account_for
from advisor.reports.email import scan_report_message
from advisor.reports.preview_policy import preview_policy_update
from advisor.reports.scan_report import build_scan_report
from advisor.reports.unsubscribe import UnsubscribeLinkError, read_unsubscribe_token
from advisor.selectors.common import latest_scan_with_results
from advisor.selectors.reports import report_recipient_emails
from advisor.services.recipients import recipients_unsubscribe


@login_not_required
@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = read_unsubscribe_token(token)
    except UnsubscribeLinkError as error:
        # The same page for GET and the one-click POST: a person may be reading either answer.
        return render(
            request,
            "reports/unsubscribe_invalid.html",
            {"expired": error.expired, "link_days": settings.ADVISOR_UNSUBSCRIBE_LINK_DAYS},
            status=410 if error.expired else 400,
        )
    if request.method == "GET":
        # Link scanners follow GET links; only the POST (the button, or the mail provider's
        # one-click request) unsubscribes.
        return render(request, "reports/unsubscribe_confirm.html", {"target": target})
    ended = recipients_unsubscribe(
        workspace_id=target.workspace_id, email=target.email, account_id=target.account_id
    )
    return render(request, "reports/unsubscribed.html", {"target": target, "ended": ended})


@csp_update(preview_policy_update())  # the framed email's own style attributes, by hash
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_for(request.user, pk)
    scan = latest_scan_with_results(account)
    context: dict = {"account": account, "scan": scan}
    # Each recipient gets a copy of their own (their own unsubscribe link): the preview shows
    # the first one's, and names them all.
    recipients = report_recipient_emails(account)
    context["recipients"] = recipients
    if scan is not None:
        to = recipients[0] if recipients else request.user.email or "you@example.com"
        message = scan_report_message(build_scan_report(scan), to=to)
        html = next(content for content, mime in message.alternatives if mime == "text/html")
        context.update(
            {
                "message": message,
                "html": html,
                "attachment": message.attachments[0],
                "csv_rows": message.attachments[0][1].count("\n") - 1,
            }
        )
    return render(request, "reports/preview.html", context)

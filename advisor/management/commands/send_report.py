"""Send or preview the report of an account's latest finished scan.

    manage.py send_report --account acme-prod                 # preview: the email on stdout
    manage.py send_report --account acme-prod --to ops@example.com   # send it to one address

A report sent here is not recorded as a delivery: the scheduled report still goes out."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import AwsAccount
from advisor.reports.email import scan_report_message
from advisor.reports.scan_report import build_scan_report
from advisor.selectors.common import latest_scan_with_results
from advisor.services.report_delivery import SEND_ERRORS


class Command(BaseCommand):
    help = "Preview the report of an account's latest scan, or send it with --to."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--account", required=True, help="The account's name.")
        parser.add_argument("--workspace", help="The workspace's slug, when names repeat.")
        parser.add_argument("--to", help="Send to this address instead of printing.")
        parser.add_argument(
            "--html", action="store_true", help="Preview the HTML part instead of the text."
        )

    def handle(
        self, *args, account: str, workspace: str | None, to: str | None, html: bool, **options
    ) -> None:
        accounts = AwsAccount.objects.filter(name=account)
        if workspace:
            accounts = accounts.filter(workspace__slug=workspace)
        found = list(accounts.select_related("workspace")[:2])
        if not found:
            raise CommandError(f"No account named {account!r}.")
        if len(found) > 1:
            raise CommandError(f"Several accounts are named {account!r}: add --workspace SLUG.")
        scan = latest_scan_with_results(found[0])
        if scan is None:
            raise CommandError(f"{account} has no succeeded or partial scan to report on.")
        message = scan_report_message(build_scan_report(scan), to=to or "preview@example.com")
        if to is None:
            self.stdout.write(self._preview(message, html))
            return
        try:
            message.send()
        except SEND_ERRORS as error:
            raise CommandError(f"Sending failed: {type(error).__name__}: {error}") from error
        self.stdout.write(f"Sent {message.subject!r} to {to}")

    @staticmethod
    def _preview(message, html: bool) -> str:
        body = (
            next(content for content, mime in message.alternatives if mime == "text/html")
            if html
            else message.body
        )
        headers = "\n".join(
            f"{name}: {value}"
            for name, value in [("Subject", message.subject), *message.extra_headers.items()]
        )
        attachment = message.attachments[0][0]
        return f"{headers}\nAttachment: {attachment}\n\n{body}"

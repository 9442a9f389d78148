"""The signed unsubscribe link (no login; GET confirms, POST unsubscribes), the preview on the
account page, and the send_report command."""

import re
import time

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import ReportRecipient
from advisor.reports.unsubscribe import Unsubscribe, unsubscribe_token, unsubscribe_url
from advisor.services.recipients import recipients_set, recipients_unsubscribe
from tests.dashboard.test_product_layout_pages import assert_product_page
from tests.factories import make_account, make_user, make_workspace
from tests.reports.builders import connected_account, estate_v1, scan_inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipients():
    workspace = make_workspace()
    prod = make_account(workspace, name="prod")
    staging = make_account(workspace, name="staging")
    for account in (prod, staging):
        recipients_set(account=account, emails=["ops@example.com", "dev@example.com"])
    return prod, staging


def subscribed(account):
    return set(
        account.report_recipients.filter(unsubscribed_at__isnull=True).values_list(
            "email", flat=True
        )
    )


def test_get_shows_a_confirmation_and_changes_nothing(client, recipients):
    prod, _ = recipients
    url = reverse(
        "reports:unsubscribe",
        args=[
            unsubscribe_token(
                Unsubscribe(
                    workspace_id=prod.workspace_id, email="ops@example.com", account_id=prod.pk
                )
            )
        ],
    )

    response = client.get(url)

    assert response.status_code == 200
    assert "Unsubscribe ops@example.com?" in response.content.decode()
    assert subscribed(prod) == {"ops@example.com", "dev@example.com"}


def test_one_click_post_unsubscribes_without_login_or_csrf(recipients):
    prod, staging = recipients
    client = Client(enforce_csrf_checks=True)
    target = Unsubscribe(
        workspace_id=prod.workspace_id, email="ops@example.com", account_id=prod.pk
    )

    response = client.post(
        reverse("reports:unsubscribe", args=[unsubscribe_token(target)]),
        {"List-Unsubscribe": "One-Click"},
    )

    assert response.status_code == 200
    assert subscribed(prod) == {"dev@example.com"}
    assert subscribed(staging) == {"ops@example.com", "dev@example.com"}


def test_digest_link_unsubscribes_from_the_whole_workspace(client, recipients):
    prod, staging = recipients
    target = Unsubscribe(workspace_id=prod.workspace_id, email="dev@example.com")
    client.post(reverse("reports:unsubscribe", args=[unsubscribe_token(target)]))
    assert subscribed(prod) == subscribed(staging) == {"ops@example.com"}


def test_forged_token_is_refused(client, recipients):
    prod, _ = recipients
    token = unsubscribe_token(
        Unsubscribe(workspace_id=prod.workspace_id, email="ops@example.com", account_id=prod.pk)
    )
    forged = token.replace("ops", "dev", 1)
    response = client.post(reverse("reports:unsubscribe", args=[forged + "x"]))
    assert response.status_code == 400
    assert ReportRecipient.objects.filter(unsubscribed_at__isnull=False).count() == 0


DAY = 86_400


def link(prod, *, days_ago: float = 0) -> str:
    target = Unsubscribe(
        workspace_id=prod.workspace_id, email="ops@example.com", account_id=prod.pk
    )
    token = unsubscribe_token(target, signed_at=time.time() - days_ago * DAY)
    return reverse("reports:unsubscribe", args=[token])


def test_a_link_within_its_lifetime_still_unsubscribes_in_one_click(settings, recipients):
    settings.ADVISOR_UNSUBSCRIBE_LINK_DAYS = 90
    prod, _ = recipients
    url = link(prod, days_ago=89)
    assert "Unsubscribe ops@example.com?" in Client().get(url).content.decode()
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert subscribed(prod) == {"dev@example.com"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_changes_nothing_and_says_how_else_to_stop(
    client, settings, recipients, method
):
    settings.ADVISOR_UNSUBSCRIBE_LINK_DAYS = 90
    prod, _ = recipients
    response = getattr(client, method)(link(prod, days_ago=91), {"List-Unsubscribe": "One-Click"})
    body = assert_product_page(response, 410, "This unsubscribe link has expired")
    assert "work for 90 days" in body and "Edit schedule and recipients" in body
    assert not ReportRecipient.objects.filter(unsubscribed_at__isnull=False).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_changes_nothing_and_says_how_else_to_stop(client, recipients, method):
    prod, _ = recipients
    url = link(prod)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = reverse(
        "reports:unsubscribe", args=[token[:-1] + ("A" if token[-1] != "A" else "B")]
    )
    response = getattr(client, method)(tampered, {"List-Unsubscribe": "One-Click"})
    body = assert_product_page(response, 400, "This unsubscribe link is not valid")
    assert "Edit schedule and recipients" in body
    assert not ReportRecipient.objects.filter(unsubscribed_at__isnull=False).exists()


def test_unsubscribed_address_stays_unsubscribed_when_the_list_is_saved_again(recipients):
    prod, _ = recipients
    ReportRecipient.objects.filter(account=prod, email="ops@example.com").update(
        unsubscribed_at="2026-01-01T00:00:00Z"
    )
    recipients_set(account=prod, emails=["ops@example.com", "dev@example.com", "new@example.com"])
    assert subscribed(prod) == {"dev@example.com", "new@example.com"}


def test_url_is_absolute_on_the_site(settings, recipients):
    settings.ADVISOR_SITE_URL = "https://advisor.example.com/"
    prod, _ = recipients
    url = unsubscribe_url(Unsubscribe(workspace_id=prod.workspace_id, email="a@example.com"))
    assert url.startswith("https://advisor.example.com/reports/unsubscribe/")


@pytest.fixture
def reported(aws, client):
    user = make_user(email="me@example.com")
    account, session = connected_account(aws, members={user: "viewer"})
    estate_v1(session, aws)
    scan = scan_inline(account)
    client.force_login(user)
    return client, account, scan


def test_preview_shows_the_email_of_the_latest_scan(reported):
    client, account, scan = reported

    response = client.get(reverse("reports:preview", args=[account.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "new high findings" in body and "— acme-prod" in body
    assert f"scan-{scan.pk}.csv" in body
    assert "legacy-billing" in body  # in both the HTML (srcdoc) and the text part
    assert "me@example.com" in body


def test_preview_of_another_workspace_is_404(reported):
    client, _, _ = reported
    stranger = make_account(make_workspace())
    assert client.get(reverse("reports:preview", args=[stranger.pk])).status_code == 404


def test_send_report_previews_or_sends(reported, capsys):
    _, account, _ = reported

    call_command("send_report", "--account", account.name)
    preview = capsys.readouterr().out
    assert preview.startswith("Subject: ") and "List-Unsubscribe-Post" in preview
    assert "NEW FINDINGS" in preview and not mail.outbox

    call_command("send_report", "--account", account.name, "--to", "cto@example.com")
    assert mail.outbox[0].to == ["cto@example.com"]
    assert mail.outbox[0].subject in preview

    with pytest.raises(CommandError, match="No account named"):
        call_command("send_report", "--account", "nope")


def test_preview_is_addressed_to_the_accounts_recipients(reported):
    # given an account with two report recipients, one of whom unsubscribed
    client, account, _ = reported
    recipients_set(account=account, emails=["ops@example.com", "dev@example.com", "gone@x.org"])
    recipients_unsubscribe(
        workspace_id=account.workspace_id, email="gone@x.org", account_id=account.pk
    )
    # when the preview is read
    body = client.get(reverse("reports:preview", args=[account.pk])).content.decode()
    # then "To" names the subscribed recipients, not the reader
    to = re.search(r'<dd class="report-to">(.+?)</dd>', body, re.S).group(1)
    assert "dev@example.com, ops@example.com" in to
    assert "gone@x.org" not in to and "me@example.com" not in to


def test_preview_without_recipients_says_nobody_gets_it(reported):
    client, account, _ = reported
    body = client.get(reverse("reports:preview", args=[account.pk])).content.decode()
    to = re.search(r'<dd class="report-to">(.+?)</dd>', body, re.S).group(1)
    assert to.startswith("nobody yet")
    assert reverse("accounts:schedule", args=[account.pk]) in to

"""An invitation in a real browser: the owner invites by email on the members page, the email
arrives on a loopback SMTP server, the invitee opens its link signed out, signs up on the accept
page and lands in the workspace with the role the invitation gave. axe-core checks the members
page with a pending invitation and the accept page; any console or page error fails."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, shot
from tests.browser.test_accessibility import axe_violations
from tests.factories import make_user, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(transactional_db, smtp_settings, settings, live_server) -> dict:
    """An owner and her workspace; the live server mails through the loopback SMTP server and
    writes links to itself. Built before the browser starts (see test_dashboard's estate)."""
    settings.ADVISOR_SITE_URL = live_server.url
    owner = make_user("olivia", email="olivia@example.com")
    workspace = make_workspace("Acme platform", members={owner: "owner"})
    return {"workspace": workspace, "smtp": smtp_settings}


def test_invite_by_email_and_accept_as_a_new_user(team, browser_page, live_server):
    page, problems = browser_page
    base = live_server.url
    workspace = team["workspace"]

    # given the owner on her workspace's members page, reached from the navigation
    log_in(page, base, "olivia")
    page.get_by_role("link", name="Workspaces").click()
    page.get_by_role("link", name="Members").first.click()
    page.wait_for_url(f"{base}/workspaces/{workspace.pk}/members/")
    assert "works once, for 7 days" in page.locator("main").inner_text()

    # when she invites a teammate as admin
    page.get_by_label("Email address").fill("newcomer@example.com")
    page.get_by_label("Role", exact=True).select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector("text=Invitation sent to newcomer@example.com as admin")
    assert page.locator('tr.invitation[data-email="newcomer@example.com"]').count() == 1
    assert axe_violations(page) == []
    shot(page, "invitation-members")

    # then the email arrives on the SMTP server, with the link
    [received] = team["smtp"].sink.wait_for(1, timeout=30)
    assert received.rcpt_tos == ["newcomer@example.com"]
    assert "Acme platform" in received.message["Subject"]
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(rf"{re.escape(base)}/invitations/[^/\s]+/", body).group(0)
    assert "7 days" in body

    # when the invitee opens it signed out and signs up on the accept page
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    main = page.locator("main").inner_text()
    assert "Join Acme platform" in main and "newcomer@example.com" in main
    assert axe_violations(page) == []
    shot(page, "invitation-accept")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password", exact=True).fill("Tr1cky-enough-passphrase")
    page.get_by_label("Password confirmation").fill("Tr1cky-enough-passphrase")
    page.get_by_role("button", name="Create account and join").click()

    # then she is signed in, in the workspace, with the role the invitation gave
    page.wait_for_url(f"{base}/workspaces/{workspace.pk}/members/")
    page.wait_for_selector("text=You are admin of Acme platform")
    row = page.locator('tr.member[data-member="newcomer"]')
    assert row.get_attribute("data-role") == "admin"
    assert page.locator(".logout .muted").inner_text() == "newcomer"
    assert page.locator('tr.invitation[data-email="newcomer@example.com"]').count() == 0
    # and the audit log names both steps
    page.get_by_role("link", name="Audit log").click()
    actions = page.locator("tr.audit-event").evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert actions[:2] == ["member.joined", "member.invited"]
    shot(page, "invitation-audit-log")

    # and the link does not work a second time
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    assert "used already" in page.locator("main").inner_text()
    # (that page answers 410 on purpose; Chromium logs it as a console error)
    problems[:] = [p for p in problems if "status of 410" not in p]
    assert problems == []

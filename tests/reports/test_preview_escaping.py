"""The report preview shows the email as text, whatever the customer's names hold: the HTML email
whole in the frame's srcdoc, the text email in a <pre>, no markup of theirs in the page."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from advisor.reports.email import scan_report_message
from advisor.reports.scan_report import build_scan_report
from tests.dashboard.builders import make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db

# Quotes end an attribute, <svg onload> runs where markup is parsed, & starts an entity.
PAYLOAD = """<svg onload=alert(1)>"x'&amp;"""


def without_tokens(text: str) -> str:
    """The unsubscribe link is signed with the time: two renders a second apart differ there."""
    return re.sub(r"/reports/unsubscribe/[^/]+/", "/reports/unsubscribe/TOKEN/", text)


class Preview(HTMLParser):
    """The preview's srcdoc (as the browser decodes it) and the text of its <pre>."""

    def __init__(self) -> None:
        super().__init__()
        self.srcdoc: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self._in_pre = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "iframe":
            self.srcdoc.append(dict(attrs)["srcdoc"])
        self._in_pre = self._in_pre or tag == "pre"

    def handle_endtag(self, tag):
        self._in_pre = self._in_pre and tag != "pre"

    def handle_data(self, data):
        if self._in_pre:
            self.text.append(data)


def test_preview_escapes_the_html_and_the_text_email(client):
    # given an account, a function's finding and its message all holding markup
    viewer = make_user(email="viewer@example.com")
    account = make_account(make_workspace(members={viewer: "viewer"}), name=PAYLOAD)
    scan = make_scan(account)
    fn = make_function(scan, "orders-api")
    make_finding(fn, rule_id="apigw-timeout-exceeds-integration", severity="high", message=PAYLOAD)
    client.force_login(viewer)

    # when a viewer opens the preview
    response = client.get(reverse("reports:preview", args=[account.pk]))

    # then the frame holds the whole HTML email and the <pre> the whole text email, as text
    assert response.status_code == 200
    page = response.content.decode()
    message = scan_report_message(build_scan_report(scan), to="viewer@example.com")
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    parsed = Preview()
    parsed.feed(page)
    assert [without_tokens(doc) for doc in parsed.srcdoc] == [without_tokens(html)]
    assert without_tokens("".join(parsed.text)) == without_tokens(message.body)
    assert PAYLOAD in message.body  # the text email carries the name as it is
    # and no markup of the customer's reached the page: no <svg>, no raw payload anywhere
    assert "svg" not in parsed.tags
    assert "<svg" not in page
    # and the page has a Content-Security-Policy that forbids inline script
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

"""Password reset, 403 and 404 pages wear the product's layout, not Django admin's; the icon."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.templatetags.static import static
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LAYOUT = '<a class="brand" href="/">λ Lambda Advisor</a>'


def assert_product_page(response, status: int, heading: str) -> str:
    assert response.status_code == status
    body = response.content.decode()
    assert LAYOUT in body and 'href="/static/css/app.css"' in body
    assert "Django administration" not in body and "admin/css" not in body
    assert f"<h1>{heading}</h1>" in body
    return body


def test_the_whole_password_reset_wears_the_layout(client, eager_celery):
    user = make_user("ann", email="ann@example.com")
    assert_product_page(client.get(reverse("password_reset")), 200, "Reset your password")
    # when she asks for the link
    response = client.post(reverse("password_reset"), {"email": "ann@example.com"}, follow=True)
    assert_product_page(response, 200, "Check your email")
    (message,) = mail.outbox
    assert message.subject == "Reset your Lambda Advisor password"
    assert "ann" in message.body and "Django" not in message.body
    link = re.search(r"https?://[^/\s]+(/auth/reset/\S+)", message.body).group(1)
    # then the link's page, the new password and the end wear it too
    form = client.get(link, follow=True)
    assert_product_page(form, 200, "Choose a new password")
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-123", "new_password2": "a-long-new-pass-123"},
        follow=True,
    )
    assert_product_page(done, 200, "Your password is changed")
    user.refresh_from_db()
    assert user.check_password("a-long-new-pass-123")
    # and a used link says so in the layout
    assert_product_page(client.get(link, follow=True), 200, "This link no longer works")


def test_404_wears_the_layout(client):
    client.force_login(make_user("ann"))
    body = assert_product_page(client.get("/functions/987654/"), 404, "Not found")
    assert "FunctionRecord" not in body  # no model names leak into the page


def test_403_wears_the_layout_and_says_why(client, world):
    client.force_login(world["vera"])  # a viewer
    response = client.post(
        reverse("advisor:finding-suppress"),
        {"finding": [world["my_finding"].pk], "reason": "accepted"},
    )
    body = assert_product_page(response, 403, "Not allowed")
    assert "Viewers cannot suppress findings." in body


def test_favicon_ico_points_at_the_icon_every_page_links(client):
    # given the icon the layout names
    page = client.get(reverse("login")).content.decode()
    icon = static("favicon.svg")
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in page
    assert Path(finders.find("favicon.svg")).read_text().lstrip().startswith("<svg")
    # when a client signed out asks the fixed path (the admin's pages name no icon)
    for method in (client.get, client.head):
        response = method("/favicon.ico")
        # then it is sent to that file, not answered 404 or with the login page
        assert response.status_code == 301 and response["Location"] == icon

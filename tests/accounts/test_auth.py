import re

import pytest
from django.core import mail

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_login_form_logs_in_and_logout_needs_post(client):
    make_user("alice")
    page = client.get("/auth/login/")
    assert page.status_code == 200
    response = client.post("/auth/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/auth/logout/").status_code == 405
    client.post("/auth/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    make_user("alice")
    response = client.post("/auth/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_reset_mails_a_working_link(client, eager_celery):
    make_user("alice", email="alice@example.com")
    client.post("/auth/password_reset/", {"email": "alice@example.com"})
    [message] = mail.outbox
    link = re.search(r"http://\S+/auth/reset/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-42", "new_password2": "a-new-long-passphrase-42"},
    )
    assert response.status_code == 302
    signed_in = client.post(
        "/auth/login/", {"username": "alice", "password": "a-new-long-passphrase-42"}
    )
    assert signed_in.status_code == 302 and client.get("/").status_code == 200

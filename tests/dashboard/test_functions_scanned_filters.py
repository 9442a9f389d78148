"""The functions list filters on what a scan stored: how each function is invoked, and the
decision framework's verdict."""

import pytest
from django.urls import reverse

from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(aws, client):
    user = make_user()
    account = make_account(
        make_workspace(members={user: "viewer"}), endpoint_url=aws, account_id="121212121212"
    )
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    create_function(session, aws, name="thumbnailer")
    create_function(session, aws, name="orders-api")
    session.client("lambda", endpoint_url=aws).add_permission(
        FunctionName="thumbnailer",
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
    )
    run_scan_inline(scan_create(account=account))
    client.force_login(user)
    return client


def names(client, **query):
    page = client.get(reverse("advisor:function-list"), query)
    assert page.status_code == 200
    return sorted(record.name for record in page.context["page"].object_list)


def test_trigger_filter_keeps_functions_invoked_that_way(scanned):
    assert names(scanned) == ["orders-api", "thumbnailer"]
    assert names(scanned, trigger="async") == ["thumbnailer"]
    assert names(scanned, trigger="sync") == []  # "sync" must not match "async"
    assert names(scanned, trigger="bogus") == ["orders-api", "thumbnailer"]  # ignored


def test_verdict_filter_uses_the_stored_recommendation(scanned):
    assert names(scanned, verdict="lambda") == ["orders-api", "thumbnailer"]
    assert names(scanned, verdict="ec2") == []

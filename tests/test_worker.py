"""The real thing: "Scan now" through the web app, a `celery worker` process on Redis runs the
scan against the emulator, and the findings land in the test database."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from advisor.models import Finding, Scan
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_scan_now_runs_in_the_worker_and_stores_findings(client, aws, celery_worker_process):
    user = make_user()
    account = make_account(
        make_workspace(members={user: "admin"}),
        endpoint_url=aws,
        account_id="333344445555",
        regions=["us-east-1", "eu-west-1"],
    )
    role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.role_arn = role_arn
    account.save()
    legacy = create_function(session, aws, name="legacy-etl", runtime="nodejs16.x")
    create_function(session, aws, name="orders-api", runtime="python3.13")
    create_function(session, aws, name="eu-report", runtime="python3.9", region="eu-west-1")
    client.force_login(user)

    started = time.monotonic()
    response = client.post(reverse("advisor:scan-now", args=[account.pk]))
    # The request only queued the scan: it answered before any worker could have finished it.
    scan = Scan.objects.get(account=account)
    assert response.status_code == 302
    assert response.url == reverse("advisor:scan-detail", args=[scan.pk])
    assert scan.status == Scan.Status.QUEUED

    while scan.status in Scan.ACTIVE:
        assert time.monotonic() - started < 120, celery_worker_process.read_text()
        time.sleep(0.5)
        scan.refresh_from_db()

    assert scan.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL), scan.error
    assert scan.function_count == 3
    assert sorted(p.region for p in scan.parts.all()) == ["eu-west-1", "us-east-1"]
    findings = Finding.objects.filter(account=account, rule_id="deprecated-runtime")
    assert {f.resource_arn.rsplit(":", 1)[1] for f in findings} == {"legacy-etl", "eu-report"}
    assert findings.get(resource_arn=legacy).region == "us-east-1"
    log = celery_worker_process.read_text()
    assert "advisor.scan_region" in log and "advisor.finish_scan" in log

    page = client.get(reverse("advisor:scan-detail", args=[scan.pk])).content.decode()
    assert f'data-status="{scan.status}"' in page

"""Retention: full metric series for the last N finished scans per account, summaries and
findings history for all."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import PendingConnection
from advisor.models import Finding, FindingOccurrence, FunctionRecord, Scan, ScanRegion
from advisor.periodic.tasks import prune_scan_metrics_task
from advisor.services.retention import scan_metrics_prune
from tests.accounts.test_account_pages import connect_form
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db

SERIES = {"start": 0, "period": 3600, "values": [1.0, 2.0, None]}
CARD = {"verdict": "lambda", "costs": []}  # the parts that matter here: it is there or not


def finished_scan(account, status=Scan.Status.SUCCEEDED) -> Scan:
    now = timezone.now()
    scan = Scan.objects.create(
        account=account, status=status, finished_at=now, function_count=2, finding_count=1
    )
    ScanRegion.objects.create(
        scan=scan,
        region="us-east-1",
        status="done",
        inventory={"functions": [1, 2]},
        decisions={"arn:aws:lambda:us-east-1:1:function:a": CARD},
    )
    for name in ("a", "b"):
        FunctionRecord.objects.create(
            scan=scan,
            account=account,
            region="us-east-1",
            arn=f"arn:aws:lambda:us-east-1:1:function:{name}",
            name=name,
            memory_mb=128,
            timeout_s=3,
            invocations=3.0,
            decision=CARD,
            config={
                "name": name,
                "metrics": {"invocations": SERIES, "errors": None, "invocations_total": 3.0},
            },
        )
    finding, _ = Finding.objects.get_or_create(
        account=account,
        rule_id="tracing-disabled",
        resource_arn="arn:aws:lambda:us-east-1:1:function:a",
        defaults={
            "region": "us-east-1",
            "severity": "low",
            "pillar": "operations",
            "title": "t",
            "message": "m",
            "first_seen_scan": scan,
            "last_seen_scan": scan,
            "first_seen_at": now,
            "last_seen_at": now,
        },
    )
    FindingOccurrence.objects.create(finding=finding, scan=scan, severity="low")
    return scan


def has_series(scan: Scan) -> bool:
    configs = FunctionRecord.objects.filter(scan=scan).values_list("config", flat=True)
    return all(c["metrics"]["invocations"] == SERIES for c in configs)


def test_keeps_the_last_n_scans_of_each_account_in_full():
    acme, other = make_account(make_workspace()), make_account(make_workspace())
    acme_scans = [finished_scan(acme) for _ in range(5)]
    failed = finished_scan(acme, status=Scan.Status.FAILED)  # newest, but no data: not counted
    other_scans = [finished_scan(other) for _ in range(2)]
    running = Scan.objects.create(account=acme, status=Scan.Status.RUNNING)

    result = scan_metrics_prune(keep=2, batch_size=1)  # batches of one: every loop exercised

    assert result.scans == 3 and result.functions == 6
    for scan in acme_scans[:3]:
        scan.refresh_from_db()
        assert scan.metrics_pruned_at is not None
        assert scan.parts.get().inventory is None
        assert scan.parts.get().decisions is None  # each function keeps its own card
        assert list(scan.functions.values_list("decision", flat=True)) == [CARD, CARD]
        configs = list(FunctionRecord.objects.filter(scan=scan).values_list("config", flat=True))
        assert configs == [
            {"name": n, "metrics": {"invocations": None, "errors": None, "invocations_total": 3.0}}
            for n in ("a", "b")
        ]
        # Summaries stay.
        assert scan.function_count == 2 and scan.functions.count() == 2
        assert set(scan.functions.values_list("invocations", flat=True)) == {3.0}
    for scan in [*acme_scans[3:], *other_scans, failed, running]:
        scan.refresh_from_db()
        assert scan.metrics_pruned_at is None
    assert all(has_series(s) for s in [*acme_scans[3:], *other_scans])
    # The findings history is whole.
    assert FindingOccurrence.objects.filter(finding__account=acme).count() == 6


def test_a_second_run_has_nothing_left_to_do():
    account = make_account(make_workspace())
    for _ in range(4):
        finished_scan(account)
    assert scan_metrics_prune(keep=3).scans == 1

    assert scan_metrics_prune(keep=3).scans == 0


def test_the_nightly_job_deletes_abandoned_pending_connections_and_keeps_recent_ones(
    client, settings
):
    # given: one user left the connect page 8 days ago, another opened it 6 days ago
    settings.ADVISOR_PENDING_CONNECTION_MAX_AGE_DAYS = 7
    abandoned_user, recent_user = make_user(), make_user()
    make_workspace(members={abandoned_user: "owner", recent_user: "owner"})
    ids = {}
    for user, age in ((abandoned_user, 8), (recent_user, 6)):
        client.force_login(user)
        ids[user] = connect_form(client)[1]
        PendingConnection.objects.filter(user=user).update(
            created_at=timezone.now() - dt.timedelta(days=age)
        )
    # when
    prune_scan_metrics_task()
    # then: the recent one keeps its ExternalId; the abandoned one gets a new one
    assert list(PendingConnection.objects.values_list("user", flat=True)) == [recent_user.pk]
    client.force_login(recent_user)
    assert connect_form(client)[1] == ids[recent_user]
    client.force_login(abandoned_user)
    assert connect_form(client)[1] != ids[abandoned_user]

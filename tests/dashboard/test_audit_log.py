"""The workspace audit log: what changed, by whom, written where the change is made; shown to
every member of the workspace (paginated), 404 to others; kept ADVISOR_AUDIT_RETENTION_DAYS."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record
from accounts.models import AuditEvent, AwsAccount
from advisor.models import Suppression
from advisor.periodic.tasks import prune_scan_metrics_task
from advisor.services.retention import audit_events_prune


def events(workspace):
    return list(
        AuditEvent.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("actor_name", "action", "target")
    )


def test_account_changes_are_recorded(client, world):
    account = world["my_account"]
    workspace = account.workspace
    client.force_login(world["alice"])
    # connect
    page = client.get(reverse("accounts:connect")).content.decode()
    external_id = page.split('name="external_id" value="', 1)[1].split('"', 1)[0]
    client.post(
        reverse("accounts:connect"),
        {
            "workspace": workspace.pk,
            "name": "acme-dev",
            "account_id": "222233334444",
            "role_arn": "arn:aws:iam::222233334444:role/LambdaAdvisorReadOnly",
            "regions": ["us-east-1"],
            "enabled": "on",
            "external_id": external_id,
        },
    )
    new = AwsAccount.objects.get(name="acme-dev")
    # edit
    client.post(
        reverse("accounts:edit", args=[new.pk]),
        {
            "name": "acme-staging",
            "account_id": "222233334444",
            "role_arn": new.role_arn,
            "regions": ["us-east-1"],
            "enabled": "on",
        },
    )
    # schedule
    client.post(
        reverse("accounts:schedule", args=[new.pk]),
        {
            "frequency": "daily",
            "time_of_day": "06:00",
            "day_of_week": "1",
            "timezone": "UTC",
            "recipients": "ops@example.com",
        },
    )
    # disconnect
    client.post(reverse("accounts:delete", args=[new.pk]))
    assert events(workspace) == [
        ("alice", Action.ACCOUNT_CONNECTED, "acme-dev"),
        ("alice", Action.ACCOUNT_EDITED, "acme-staging"),
        ("alice", Action.ACCOUNT_SCHEDULE_CHANGED, "acme-staging"),
        ("alice", Action.ACCOUNT_REMOVED, "acme-staging"),
    ]
    edited = AuditEvent.objects.get(action=Action.ACCOUNT_EDITED)
    assert edited.details == {"changed": "name"}


def test_thresholds_suppressions_are_recorded_with_what_changed(client, world):
    workspace = world["my_account"].workspace
    client.force_login(world["alice"])
    client.post(
        reverse("advisor:rule-thresholds", args=[workspace.pk]),
        {"deprecated-runtime.warn_days": "365"},
    )
    client.post(
        reverse("advisor:finding-suppress"),
        {"finding": [world["my_finding"].pk], "reason": "accepted risk"},
    )
    suppression = Suppression.objects.get()
    client.post(reverse("advisor:finding-unsuppress"), {"suppression": [suppression.pk]})
    recorded = AuditEvent.objects.filter(workspace=workspace).order_by("pk")
    assert [e.action for e in recorded] == [
        Action.THRESHOLDS_CHANGED,
        Action.FINDINGS_SUPPRESSED,
        Action.FINDINGS_UNSUPPRESSED,
    ]
    assert recorded[0].details == {"deprecated-runtime.warn_days": "default → 365"}
    assert recorded[1].details["reason"] == "accepted risk"
    assert "tracing-disabled" in recorded[1].target and "acme-prod" in recorded[1].target
    # saving the same thresholds again changes nothing and records nothing
    client.post(
        reverse("advisor:rule-thresholds", args=[workspace.pk]),
        {"deprecated-runtime.warn_days": "365"},
    )
    assert AuditEvent.objects.filter(action=Action.THRESHOLDS_CHANGED).count() == 1


def test_refused_changes_record_nothing(client, world):
    client.force_login(world["vera"])  # a viewer
    client.post(
        reverse("advisor:finding-suppress"),
        {"finding": [world["my_finding"].pk], "reason": "accepted risk"},
    )
    client.post(
        reverse("advisor:rule-thresholds", args=[world["my_account"].workspace.pk]),
        {"deprecated-runtime.warn_days": "365"},
    )
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("user", ["alice", "vera"])
def test_every_member_reads_the_log(client, world, user):
    workspace = world["my_account"].workspace
    audit_record(
        workspace=workspace, actor=world["alice"], action=Action.ROLE_CHANGED, target="vera"
    )
    client.force_login(world[user])
    page = client.get(reverse("teams:audit", args=[workspace.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-action="member.role_changed"' in body
    assert "Changed a member&#x27;s role: vera" in body
    assert "kept 365 days" in body


def test_another_workspaces_log_is_not_found(client, world):
    client.force_login(world["bob"])
    url = reverse("teams:audit", args=[world["my_account"].workspace.pk])
    assert client.get(url).status_code == 404


def test_the_log_is_paginated_newest_first(client, world):
    workspace = world["my_account"].workspace
    for n in range(60):
        audit_record(
            workspace=workspace, actor=world["alice"], action=Action.MEMBER_INVITED, target=f"{n}"
        )
    client.force_login(world["alice"])
    url = reverse("teams:audit", args=[workspace.pk])
    first = client.get(url).context["page"]
    second = client.get(url + "?page=2").context["page"]
    assert [e.target for e in first.object_list][:2] == ["59", "58"]
    assert len(first.object_list) == 50
    assert [e.target for e in second.object_list][-1] == "0"
    assert first.paginator.num_pages == 2


def test_old_events_are_deleted_by_retention(world, settings):
    workspace = world["my_account"].workspace
    old = audit_record(workspace=workspace, actor=None, action=Action.MEMBER_LEFT, target="old")
    recent = audit_record(workspace=workspace, actor=None, action=Action.MEMBER_LEFT, target="new")
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    settings.ADVISOR_AUDIT_RETENTION_DAYS = 30
    assert audit_events_prune(batch_size=1) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_nightly_retention_job_prunes_the_log(world, settings):
    workspace = world["my_account"].workspace
    old = audit_record(workspace=workspace, actor=None, action=Action.MEMBER_LEFT, target="old")
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    prune_scan_metrics_task()
    assert not AuditEvent.objects.exists()

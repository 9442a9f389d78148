"""A connected organisation over the emulator: members become accounts, the sync follows the
organisation (new, suspended, removed members; roles deployed or not), and only members that can
be scanned are scanned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from accounts.models import (
    AuditEvent,
    AwsAccount,
    Organization,
    PendingConnection,
    ScanSchedule,
)
from advisor import dispatch
from advisor.models import Scan
from advisor.periodic.tasks import sync_organization_task
from advisor.services.organizations import (
    newly_joined,
    organization_connect,
    organization_delete,
    organization_schedule_update,
    organization_sync,
)
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import ScanRefused, scan_create
from advisor.services.schedules import periodic_task_name
from config.celery import app
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.organizations import (
    MANAGEMENT_ACCOUNT,
    add_member,
    add_scan_role,
    build_organization,
    client,
    member_admin,
)

pytestmark = pytest.mark.django_db
EXTERNAL_ID = "lambda-advisor-org-sync-test-external-id"


@pytest.fixture
def emulated(aws):
    return build_organization(
        aws,
        external_id=EXTERNAL_ID,
        with_role={"alpha": ["alpha-api"], "delta": []},
        without_role=("beta",),
        suspended=("gamma",),
    )


def connect(aws, emulated, workspace=None, **extra):
    return organization_connect(
        workspace=workspace or make_workspace(),
        name="acme-org",
        role_arn=emulated.reader_role_arn,
        pending=PendingConnection.objects.create(user=make_user(), external_id=EXTERNAL_ID),
        member_role_name="LambdaAdvisorReadOnly",
        regions=["us-east-1"],
        endpoint_url=aws,
        **extra,
    )


def member(emulated, name) -> AwsAccount:
    return AwsAccount.objects.get(account_id=emulated.members[name])


def test_connecting_makes_an_account_per_member_with_the_organisation_s_settings(aws, emulated):
    organization, result = connect(aws, emulated, frequency="daily")

    assert organization.organization_id == emulated.organization_id
    assert organization.management_account_id == MANAGEMENT_ACCOUNT
    assert sorted(result.added) == sorted([MANAGEMENT_ACCOUNT, *emulated.members.values()])
    alpha = member(emulated, "alpha")
    assert alpha.organization == organization and alpha.name == "alpha"
    assert alpha.role_arn == f"arn:aws:iam::{alpha.account_id}:role/LambdaAdvisorReadOnly"
    assert alpha.external_id == EXTERNAL_ID and alpha.endpoint_url == aws
    assert alpha.regions == ["us-east-1"]
    assert alpha.org_state == "ACTIVE" and newly_joined(alpha)
    assert alpha.schedule.frequency == ScanSchedule.Frequency.DAILY
    assert member(emulated, "gamma").org_state == "SUSPENDED"
    # the suspended member keeps a schedule, but beat does not run it
    assert PeriodicTask.objects.get(name=periodic_task_name(alpha.pk)).enabled
    gamma_task = PeriodicTask.objects.get(name=periodic_task_name(member(emulated, "gamma").pk))
    assert not gamma_task.enabled


def test_sync_tells_a_missing_role_from_a_deployed_one(aws, emulated):
    organization, _ = connect(aws, emulated, frequency="daily")

    result = organization_sync(organization=organization)

    assert result.error == ""
    assert sorted(result.roles_not_deployed) == sorted(
        [MANAGEMENT_ACCOUNT, emulated.members["beta"]]
    )
    beta = member(emulated, "beta")
    assert beta.role_state == AwsAccount.RoleState.NOT_DEPLOYED
    assert beta.get_role_state_display() == "role not deployed"
    assert "AccessDenied" in beta.role_error
    assert member(emulated, "alpha").role_state == AwsAccount.RoleState.DEPLOYED
    assert member(emulated, "gamma").role_state == ""  # a suspended member is not tried
    organization.refresh_from_db()
    assert organization.last_synced_at is not None and organization.last_sync_error == ""
    # a member without its role is not scanned: the scan is refused, not failed
    with pytest.raises(ScanRefused, match="role not deployed"):
        scan_create(account=beta)
    assert not Scan.objects.filter(account=beta).exists()
    assert not PeriodicTask.objects.get(name=periodic_task_name(beta.pk)).enabled
    with pytest.raises(ScanRefused, match="suspended"):
        scan_create(account=member(emulated, "gamma"))
    # and a member with its role scans as any account does
    scan = run_scan_inline(scan_create(account=member(emulated, "alpha")))
    assert scan.status in (Scan.Status.SUCCEEDED, Scan.Status.PARTIAL), scan.error
    assert list(scan.functions.values_list("name", flat=True)) == ["alpha-api"]


def test_sync_adds_new_members_and_keeps_removed_ones_with_their_history(aws, emulated):
    organization, _ = connect(aws, emulated)
    organization_sync(organization=organization)
    delta = member(emulated, "delta")
    scan = run_scan_inline(scan_create(account=delta))
    newcomer = add_member(aws, name="epsilon", external_id=EXTERNAL_ID)
    client(aws, "organizations").remove_account_from_organization(AccountId=delta.account_id)

    result = organization_sync(organization=organization)

    assert result.added == [newcomer] and result.removed == [delta.account_id]
    added = AwsAccount.objects.get(account_id=newcomer)
    assert added.organization == organization
    assert added.role_state == AwsAccount.RoleState.DEPLOYED
    delta.refresh_from_db()
    assert delta.org_state == AwsAccount.OrgState.REMOVED
    assert delta.scans.filter(pk=scan.pk).exists()  # its history stays
    with pytest.raises(ScanRefused, match="removed from the organisation"):
        scan_create(account=delta)
    # a second sync with nothing new changes nothing
    again = organization_sync(organization=organization)
    assert (again.added, again.removed, again.state_changed) == ([], [], [])


def test_a_member_suspended_later_is_marked_and_paused(aws, emulated):
    organization, _ = connect(aws, emulated, frequency="hourly")
    organization_sync(organization=organization)
    alpha = member(emulated, "alpha")
    client(aws, "organizations").close_account(AccountId=alpha.account_id)

    result = organization_sync(organization=organization)

    assert result.state_changed == [alpha.account_id]
    alpha.refresh_from_db()
    assert alpha.org_state == "SUSPENDED" and alpha.org_state_changed_at is not None
    assert not PeriodicTask.objects.get(name=periodic_task_name(alpha.pk)).enabled


def test_a_failed_sync_records_the_error_and_keeps_the_last_success(aws, emulated):
    organization, _ = connect(aws, emulated)
    organization_sync(organization=organization)
    organization.refresh_from_db()
    succeeded = organization.last_synced_at
    Organization.objects.filter(pk=organization.pk).update(external_id="not-the-trusted-one")
    organization.refresh_from_db()

    result = organization_sync(organization=organization)

    organization.refresh_from_db()
    assert "AccessDenied" in result.error
    assert organization.last_sync_error == result.error
    assert organization.last_synced_at == succeeded
    assert organization.last_sync_attempt_at > succeeded
    assert organization.members.count() == 5  # nothing dropped


def test_an_account_connected_on_its_own_is_not_duplicated(aws, emulated):
    workspace = make_workspace()
    own = make_account(workspace, account_id=emulated.members["alpha"], name="alpha-own")
    _, result = connect(aws, emulated, workspace=workspace)
    assert result.connected_separately == [own.account_id]
    assert AwsAccount.objects.filter(workspace=workspace, account_id=own.account_id).count() == 1


def test_a_member_name_taken_in_the_workspace_gets_its_id(aws, emulated):
    workspace = make_workspace()
    make_account(workspace, name="alpha", account_id="999988887777")
    connect(aws, emulated, workspace=workspace)
    assert member(emulated, "alpha").name == f"alpha-{emulated.members['alpha']}"


def test_the_organisation_s_schedule_reaches_every_member(aws, emulated):
    organization, _ = connect(aws, emulated)
    organization_schedule_update(
        organization=organization,
        frequency="weekly",
        time_of_day=dt.time(5, 30),
        day_of_week=3,
        timezone_name="Europe/Paris",
    )
    schedules = ScanSchedule.objects.filter(account__organization=organization)
    assert schedules.count() == 5
    assert {(s.frequency, s.day_of_week, s.timezone) for s in schedules} == {
        ("weekly", 3, "Europe/Paris")
    }
    alpha = member(emulated, "alpha")
    assert PeriodicTask.objects.get(name=periodic_task_name(alpha.pk)).crontab.hour == "5"


def test_disconnecting_removes_members_and_their_tasks(aws, emulated):
    organization, _ = connect(aws, emulated, frequency="daily")
    names = [periodic_task_name(pk) for pk in organization.members.values_list("pk", flat=True)]
    organization_delete(organization=organization)
    assert not AwsAccount.objects.filter(account_id__in=emulated.members.values()).exists()
    assert not PeriodicTask.objects.filter(name__in=names).exists()


def test_beat_syncs_organisations_periodically(settings):
    settings.ADVISOR_ORGANIZATION_SYNC_INTERVAL_SECONDS = 1800
    call_command("sync_schedules")
    task = PeriodicTask.objects.get(name="organizations:sync")
    assert task.task == "advisor.sync_organizations" and task.enabled
    assert task.interval.every == 1800


def test_the_audit_log_records_connecting_syncing_and_disconnecting(aws, emulated):
    person = make_user("ops")
    organization, first = connect(aws, emulated, actor=person)
    workspace = organization.workspace
    organization_sync(organization=organization)  # nothing new: nothing recorded
    newcomer = add_member(aws, name="epsilon", external_id=EXTERNAL_ID)
    delta = member(emulated, "delta")
    client(aws, "organizations").remove_account_from_organization(AccountId=delta.account_id)
    organization_sync(organization=organization)
    organization_delete(organization=organization, actor=person)

    events = list(
        AuditEvent.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("actor_name", "action", "target", "details")
    )
    assert [(who, action) for who, action, _, _ in events] == [
        ("ops", AuditEvent.Action.ACCOUNT_CONNECTED),
        ("system", AuditEvent.Action.ACCOUNT_CONNECTED),
        ("system", AuditEvent.Action.ACCOUNT_REMOVED),
        ("ops", AuditEvent.Action.ACCOUNT_REMOVED),
    ]
    assert events[0][2] == "organisation acme-org"
    assert events[0][3] == {"member_accounts": len(first.added)}
    assert events[1][3]["account_ids"] == newcomer
    assert events[2][3]["account_ids"] == delta.account_id


def test_the_sync_tasks_are_registered_under_the_names_dispatch_sends(aws, emulated):
    assert dispatch.SYNC_ORGANIZATION_TASK in app.tasks
    assert "advisor.sync_organizations" in app.tasks
    organization, _ = connect(aws, emulated)
    sync_organization_task(organization.pk)  # as a worker runs it
    organization.refresh_from_db()
    assert organization.last_synced_at is not None
    assert member(emulated, "beta").role_state == AwsAccount.RoleState.NOT_DEPLOYED
    sync_organization_task(organization.pk + 1000)  # a deleted organisation: nothing to do


def test_a_role_removed_since_the_sync_is_refused_not_a_failed_scan(aws, emulated):
    organization, _ = connect(aws, emulated)
    organization_sync(organization=organization)
    alpha = member(emulated, "alpha")
    assert alpha.role_state == AwsAccount.RoleState.DEPLOYED
    client(aws, "iam", member_admin(aws, alpha.account_id)).delete_role(
        RoleName="LambdaAdvisorReadOnly"
    )

    with pytest.raises(ScanRefused, match="role not deployed"):
        scan_create(account=alpha)

    assert not Scan.objects.filter(account=alpha).exists()
    alpha.refresh_from_db()
    assert alpha.role_state == AwsAccount.RoleState.NOT_DEPLOYED
    # the next sync pauses its scheduled scans
    organization_sync(organization=organization)
    assert not PeriodicTask.objects.filter(name=periodic_task_name(alpha.pk), enabled=True).exists()


def test_a_role_deployed_since_the_sync_scans_at_once(aws, emulated):
    organization, _ = connect(aws, emulated)
    organization_sync(organization=organization)
    beta = member(emulated, "beta")
    assert beta.role_state == AwsAccount.RoleState.NOT_DEPLOYED
    add_scan_role(aws, beta.account_id, EXTERNAL_ID)

    scan = scan_create(account=beta)

    assert scan.account == beta
    beta.refresh_from_db()
    assert beta.role_state == AwsAccount.RoleState.DEPLOYED

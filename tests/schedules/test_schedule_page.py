"""Editing an account's schedule and recipients: validation next to the field, viewers refused,
and the beat PeriodicTask kept in step on save, disable and delete."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import ScanSchedule
from advisor.services.schedules import SYSTEM_TASKS, periodic_task_name
from tests.factories import make_account, make_user, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = make_user()
    account = make_account(make_workspace(members={user: "owner"}), name="acme-prod")
    client.force_login(user)
    return client, account


def form_data(**changes):
    data = {
        "frequency": "daily",
        "time_of_day": "06:30",
        "day_of_week": "1",
        "timezone": "Europe/Paris",
        "recipients": "ops@example.com, Dev@Example.com\nops@example.com",
    }
    data.update(changes)
    return data


def post(client, account, **changes):
    return client.post(reverse("accounts:schedule", args=[account.pk]), form_data(**changes))


def task_for(account) -> PeriodicTask:
    return PeriodicTask.objects.get(name=periodic_task_name(account.pk))


def test_daily_schedule_creates_its_periodic_task_in_the_account_time_zone(owner):
    client, account = owner

    response = post(client, account)

    assert response.status_code == 302
    task = task_for(account)
    assert task.task == "advisor.scheduled_scan"
    assert json.loads(task.kwargs) == {"account_id": account.pk}
    assert task.enabled
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_week) == ("30", "6", "*")
    assert str(cron.timezone) == "Europe/Paris"
    emails = list(account.report_recipients.values_list("email", flat=True))
    assert emails == ["dev@example.com", "ops@example.com"]


def test_changing_the_schedule_updates_the_same_task(owner):
    client, account = owner
    post(client, account)

    post(client, account, frequency="weekly", time_of_day="22:05", day_of_week="5")
    task = task_for(account)
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("5", "22", "5")

    post(client, account, frequency="hourly", time_of_day="00:17")
    task = task_for(account)
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("17", "*", "*")
    assert PeriodicTask.objects.filter(name__startswith="scheduled-scan:").count() == 1


def test_turning_the_schedule_off_removes_the_task(owner):
    client, account = owner
    post(client, account)

    post(client, account, frequency="off")

    assert not PeriodicTask.objects.filter(name=periodic_task_name(account.pk)).exists()
    assert ScanSchedule.objects.get(account=account).frequency == "off"


def test_disabling_the_account_pauses_its_task(owner):
    client, account = owner
    post(client, account)
    data = {
        "name": account.name,
        "account_id": account.account_id,
        "role_arn": account.role_arn,
        "regions": account.regions,
        "endpoint_url": "",
    }  # "enabled" left out: unchecked

    response = client.post(reverse("accounts:edit", args=[account.pk]), data)

    assert response.status_code == 302
    assert task_for(account).enabled is False


def test_deleting_the_account_deletes_its_task(owner):
    client, account = owner
    post(client, account)

    response = client.post(reverse("accounts:delete", args=[account.pk]))

    assert response.status_code == 302
    assert not PeriodicTask.objects.filter(name=periodic_task_name(account.pk)).exists()


def test_invalid_addresses_are_refused_next_to_the_field(owner):
    client, account = owner

    response = post(client, account, recipients="ops@example.com\nnot-an-address, a@b@c")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_recipients_error"' in body
    assert "not-an-address" in body and "a@b@c" in body
    assert not account.report_recipients.exists()
    assert not PeriodicTask.objects.filter(name=periodic_task_name(account.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("timezone", "Mars/Olympus"), ("frequency", "fortnightly"), ("time_of_day", "25:00")],
)
def test_invalid_schedule_fields_are_refused_next_to_the_field(owner, field, value):
    client, account = owner

    response = post(client, account, **{field: value})

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ScanSchedule.objects.filter(account=account).exists()


def test_viewers_cannot_change_the_schedule(client):
    viewer = make_user()
    account = make_account(make_workspace(members={viewer: "viewer"}))
    client.force_login(viewer)

    assert client.get(reverse("accounts:schedule", args=[account.pk])).status_code == 403
    assert post(client, account).status_code == 403
    assert client.post(reverse("accounts:delete", args=[account.pk])).status_code == 403
    assert not ScanSchedule.objects.filter(account=account).exists()


def test_other_workspaces_get_404(owner):
    client, _ = owner
    stranger = make_account(make_workspace(), name="someone-else")
    assert post(client, stranger).status_code == 404


def test_account_page_shows_schedule_and_recipients(owner):
    client, account = owner
    post(client, account, frequency="weekly", day_of_week="1", time_of_day="07:00")

    body = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()

    assert "Weekly on Monday at 07:00 Europe/Paris" in body
    assert "ops@example.com" in body
    assert reverse("reports:preview", args=[account.pk]) in body


def test_sync_command_restores_tasks_and_removes_orphans(owner):
    client, account = owner
    post(client, account)
    PeriodicTask.objects.filter(name=periodic_task_name(account.pk)).delete()
    orphan = task_for_orphan()

    call_command("sync_schedules")

    assert task_for(account).crontab.hour == "6"
    assert not PeriodicTask.objects.filter(pk=orphan.pk).exists()
    for name, task, _, _ in SYSTEM_TASKS:
        assert PeriodicTask.objects.get(name=name).task == task


def task_for_orphan() -> PeriodicTask:
    every = IntervalSchedule.objects.create(every=1, period="hours")
    return PeriodicTask.objects.create(
        name=periodic_task_name(999999), task="advisor.scheduled_scan", interval=every
    )


def test_admin_delete_goes_through_the_schedule_service(owner, admin_client):
    client, account = owner
    post(client, account)

    response = admin_client.post(
        reverse("admin:accounts_awsaccount_delete", args=[account.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not PeriodicTask.objects.filter(name=periodic_task_name(account.pk)).exists()


def test_edit_page_shows_the_current_schedule_and_recipients(owner):
    client, account = owner
    post(client, account, frequency="weekly", time_of_day="22:05", day_of_week="5")

    body = client.get(reverse("accounts:schedule", args=[account.pk])).content.decode()

    assert 'value="22:05"' in body
    assert '<option value="weekly" selected>' in body
    assert '<option value="5" selected>' in body
    assert '<option value="Europe/Paris" selected>' in body
    assert "dev@example.com\nops@example.com</textarea>" in body

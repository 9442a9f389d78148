"""Users belong to workspaces (teams); a workspace connects AWS accounts."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

# What Workspace.clean checks rule_options with: each check returns the problems it finds. The
# rules are the scanner's, so the scanner adds its catalogue's check when it loads
# (advisor.apps.AdvisorConfig.ready) and this app needs nothing of it.
RULE_OPTIONS_CHECKS: list[Callable[[Any], list[str]]] = []


class Workspace(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    # Rule thresholds this team wants different from the defaults: {rule id: {option: value}}.
    # Unknown rules or options are refused by clean() (RULE_OPTIONS_CHECKS); see the Rules page
    # for what each means.
    rule_options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = [error for check in RULE_OPTIONS_CHECKS for error in check(self.rule_options)]
        if errors:
            raise ValidationError({"rule_options": errors})


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


def new_external_id() -> str:
    """An unguessable ExternalId (AWS allows [\\w+=,.@:/-], 2-1224 characters)."""
    return f"lambda-advisor-{secrets.token_urlsafe(24)}"


class AwsAccount(models.Model):
    """A connected AWS account: the app assumes ``role_arn`` with ``external_id``; no keys kept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="aws_accounts")
    name = models.CharField(max_length=64, help_text="A display name, such as acme-prod.")
    account_id = models.CharField(max_length=12)
    role_arn = models.CharField(max_length=2048)
    external_id = models.CharField(max_length=128, unique=True, default=new_external_id)
    regions = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    endpoint_url = models.URLField(
        blank=True, help_text="An AWS emulator's URL; accepted only where the server allows it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_account_name"),
            # Two rows for one AWS account would scan it twice and split its findings.
            models.UniqueConstraint(
                fields=["workspace", "account_id"], name="one_connection_per_aws_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})"


class PendingConnection(models.Model):
    """The ExternalId shown to a user who is connecting an account, kept until the account is
    saved with it or the user starts over. The role is often deployed before the form is sent,
    so every reload of the connect page must show the same ExternalId (one per user: the
    workspace is chosen in the form, and the id belongs to no workspace until it is saved)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_connection"
    )
    external_id = models.CharField(max_length=128, unique=True, default=new_external_id)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pending connection of {self.user}"


class ScanSchedule(models.Model):
    """When an account is scanned without anyone asking. Kept in step with a django-celery-beat
    PeriodicTask by ``advisor.services.schedules``; never edit that task by hand."""

    class Frequency(models.TextChoices):
        OFF = "off", "Off"
        HOURLY = "hourly", "Hourly"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    class Weekday(models.IntegerChoices):
        # crontab's numbering: 0 is Sunday.
        SUNDAY = 0, "Sunday"
        MONDAY = 1, "Monday"
        TUESDAY = 2, "Tuesday"
        WEDNESDAY = 3, "Wednesday"
        THURSDAY = 4, "Thursday"
        FRIDAY = 5, "Friday"
        SATURDAY = 6, "Saturday"

    account = models.OneToOneField(AwsAccount, on_delete=models.CASCADE, related_name="schedule")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.OFF)
    # Hourly schedules use only the minute of this time.
    time_of_day = models.TimeField(default=dt.time(6, 0))
    day_of_week = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    timezone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)
    # What the last scheduled run did when it did not start a scan (a scan still running...).
    last_skipped_at = models.DateTimeField(null=True, blank=True)
    last_skip_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.account.name}: {self.describe()}"

    def clean(self) -> None:
        if self.timezone not in available_timezones():
            raise ValidationError({"timezone": f"Unknown time zone {self.timezone!r}."})

    def describe(self) -> str:
        at = self.time_of_day.strftime("%H:%M")
        if self.frequency == self.Frequency.HOURLY:
            return f"hourly at minute {self.time_of_day.minute:02d}"
        if self.frequency == self.Frequency.DAILY:
            return f"daily at {at} {self.timezone}"
        if self.frequency == self.Frequency.WEEKLY:
            return f"weekly on {self.get_day_of_week_display()} at {at} {self.timezone}"
        return "off"


class ReportRecipient(models.Model):
    """Who receives an account's scan reports (and its workspace's weekly digest)."""

    account = models.ForeignKey(
        AwsAccount, on_delete=models.CASCADE, related_name="report_recipients"
    )
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the recipient's own unsubscribe link; the address then receives nothing until an
    # admin removes it and adds it again.
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["account", "email"], name="one_recipient_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.email} for {self.account.name}"

    @property
    def subscribed(self) -> bool:
        return self.unsubscribed_at is None

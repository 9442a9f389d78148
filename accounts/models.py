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
    """A connected AWS account: the app assumes ``role_arn`` with ``external_id``; no keys kept.
    A member of a connected Organization carries its state there and whether its role is
    deployed; the sync sets both."""

    class OrgState(models.TextChoices):
        # AWS's Account.State values (organizations/latest/APIReference/API_Account.html) ...
        PENDING_ACTIVATION = "PENDING_ACTIVATION", "pending activation"
        ACTIVE = "ACTIVE", "active"
        SUSPENDED = "SUSPENDED", "suspended"
        PENDING_CLOSURE = "PENDING_CLOSURE", "pending closure"
        CLOSED = "CLOSED", "closed"
        # ... and ours: no longer listed by the organisation (left it, or was removed).
        REMOVED = "REMOVED", "removed from the organisation"

    class RoleState(models.TextChoices):
        UNKNOWN = "", "not checked yet"
        DEPLOYED = "deployed", "role deployed"
        NOT_DEPLOYED = "not_deployed", "role not deployed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="aws_accounts")
    name = models.CharField(max_length=64, help_text="A display name, such as acme-prod.")
    account_id = models.CharField(max_length=12)
    role_arn = models.CharField(max_length=2048)
    # Unique outside organisations; an organisation's members share its ExternalId.
    external_id = models.CharField(max_length=128, default=new_external_id)
    regions = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    endpoint_url = models.URLField(
        blank=True, help_text="An AWS emulator's URL; accepted only where the server allows it."
    )
    organization = models.ForeignKey(
        "Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    org_state = models.CharField(max_length=20, choices=OrgState.choices, blank=True)
    org_joined_at = models.DateTimeField(null=True, blank=True)  # AWS's JoinedTimestamp
    org_state_changed_at = models.DateTimeField(null=True, blank=True)
    role_state = models.CharField(
        max_length=16, choices=RoleState.choices, blank=True, default=RoleState.UNKNOWN
    )
    role_checked_at = models.DateTimeField(null=True, blank=True)
    role_error = models.TextField(blank=True)  # what STS answered when the role was checked
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
            models.UniqueConstraint(
                fields=["external_id"],
                condition=models.Q(organization__isnull=True),
                name="unique_external_id_outside_organizations",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})"

    def organization_refusal(self) -> str | None:
        """Why this organisation member is not scanned (None: it is, or it is no member). A
        member that is not ACTIVE keeps its history; one whose role is missing is not a failed
        scan but a role not deployed."""
        if self.organization_id is None:
            return None
        if self.org_state != self.OrgState.ACTIVE:
            state = self.get_org_state_display() if self.org_state else "not listed yet"
            return f"{self.name} is {state} in its organisation; it is not scanned."
        if self.role_state == self.RoleState.NOT_DEPLOYED:
            return (
                f"{self.name}: role not deployed ({self.role_arn} cannot be assumed). Deploy the "
                "organisation's StackSet (or the single-account template) there, then sync."
            )
        return None


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


class Organization(models.Model):
    """An AWS Organization, read through a role in its management account or in a delegated
    administrator (organizations:DescribeOrganization and ListAccounts only). Its member accounts
    become AwsAccounts linked to it, each scanned through ``member_role_name`` (the role the
    StackSet puts into every member) with this organisation's ExternalId, regions, endpoint URL
    and schedule. The sync (``advisor.services.organizations``) keeps the members in step."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(max_length=64, help_text="A display name, such as acme-org.")
    role_arn = models.CharField(max_length=2048)
    # One ExternalId for the reader role and every member's scan role: the StackSet deploys one
    # template to all members.
    external_id = models.CharField(max_length=128, unique=True, default=new_external_id)
    member_role_name = models.CharField(max_length=64, default="LambdaAdvisorReadOnly")
    regions = models.JSONField(default=list)
    endpoint_url = models.URLField(
        blank=True, help_text="An AWS emulator's URL; accepted only where the server allows it."
    )
    # The schedule every member account gets (ScanSchedule's fields).
    frequency = models.CharField(
        max_length=8, choices=ScanSchedule.Frequency.choices, default=ScanSchedule.Frequency.OFF
    )
    time_of_day = models.TimeField(default=dt.time(6, 0))
    day_of_week = models.PositiveSmallIntegerField(
        choices=ScanSchedule.Weekday.choices, default=ScanSchedule.Weekday.MONDAY
    )
    timezone = models.CharField(max_length=64, default="UTC")
    # What AWS said the last time the organisation was read.
    organization_id = models.CharField(max_length=34, blank=True)
    management_account_id = models.CharField(max_length=12, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)  # the last sync that succeeded
    last_sync_attempt_at = models.DateTimeField(null=True, blank=True)
    last_sync_error = models.TextField(blank=True)  # empty when the last attempt succeeded
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_organization_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def partition(self) -> str:
        """The ARN partition of the reader role (aws, aws-cn, aws-us-gov): the members' too."""
        parts = self.role_arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"

    def member_role_arn(self, account_id: str) -> str:
        return f"arn:{self.partition}:iam::{account_id}:role/{self.member_role_name}"


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


class Invitation(models.Model):
    """An invitation to join a workspace, sent by email as a signed link (accounts.invitations)
    that works once, until ``expires_at``. Only a hash of the link's secret is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.VIEWER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A resend makes a new secret and a new expiry: the earlier link stops working.
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # Why the last send failed ("" once sent): shown on the members page with a resend button.
    send_error = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="one_open_invitation_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} ({self.role})"

    @property
    def is_open(self) -> bool:
        """Neither accepted nor cancelled (it may still have expired)."""
        return self.accepted_at is None and self.cancelled_at is None


class AuditEvent(models.Model):
    """Who did what in a workspace. Written by the services and views that make the change; kept
    ``ADVISOR_AUDIT_RETENTION_DAYS`` (advisor.services.retention). ``actor_name`` and ``target``
    are copies, so an event still reads right after the user or the object is gone."""

    class Action(models.TextChoices):
        WORKSPACE_CREATED = "workspace.created", "created the workspace"
        ACCOUNT_CONNECTED = "account.connected", "connected an account"
        ACCOUNT_EDITED = "account.edited", "edited an account"
        ACCOUNT_SCHEDULE_CHANGED = "account.schedule_changed", "changed an account's schedule"
        ACCOUNT_REMOVED = "account.removed", "disconnected an account"
        THRESHOLDS_CHANGED = "thresholds.changed", "changed thresholds"
        FINDINGS_SUPPRESSED = "findings.suppressed", "suppressed findings"
        FINDINGS_UNSUPPRESSED = "findings.unsuppressed", "removed a suppression"
        MEMBER_INVITED = "member.invited", "invited a member"
        INVITATION_RESENT = "invitation.resent", "sent an invitation again"
        INVITATION_CANCELLED = "invitation.cancelled", "cancelled an invitation"
        MEMBER_JOINED = "member.joined", "joined"
        ROLE_CHANGED = "member.role_changed", "changed a member's role"
        MEMBER_REMOVED = "member.removed", "removed a member"
        MEMBER_LEFT = "member.left", "left the workspace"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=32, choices=Action.choices)
    target = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="audit_by_workspace")]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display()} {self.target}".strip()

"""Users belong to workspaces (teams); a workspace connects AWS accounts."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from advisor.rules.registry import rule_option_errors


class Workspace(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    # Rule thresholds this team wants different from the defaults: {rule id: {option: value}}.
    # Unknown rules or options are refused by clean(); see the Rules page for what each means.
    rule_options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = rule_option_errors(self.rule_options)
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
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_account_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})"

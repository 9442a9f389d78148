"""The workspace audit log: one row per change a person made (``AuditEvent``). Every service or
view that connects, edits or removes an account, changes thresholds, suppresses findings or
changes who belongs to a workspace records it here, in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import AuditEvent, Workspace

Action = AuditEvent.Action


def audit_record(
    *,
    workspace: Workspace | int,
    actor: AbstractBaseUser | None,
    action: AuditEvent.Action,
    target: str = "",
    **details: Any,
) -> AuditEvent:
    """Record that ``actor`` (None: the system) did ``action`` to ``target`` in the workspace;
    ``details`` are JSON values shown beside it (what changed, from what to what)."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    actor_name = actor.get_username() if actor is not None and actor.is_authenticated else "system"
    return AuditEvent.objects.create(
        workspace_id=workspace_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor_name,
        action=action,
        target=target[:300],
        details=details,
    )


def audit_events_for(workspace: Workspace) -> QuerySet[AuditEvent]:
    """Newest first (the index on workspace and time serves it page by page)."""
    return AuditEvent.objects.filter(workspace=workspace).order_by("-created_at", "-pk")

"""Builders for the Django side of tests."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from accounts.models import AwsAccount, Membership, Workspace

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def make_user(username: str | None = None, **extra):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_workspace(name: str | None = None, *, members: dict | None = None) -> Workspace:
    """``members`` maps user -> role ("owner", "admin" or "viewer")."""
    n = next(_seq)
    workspace = Workspace.objects.create(name=name or f"Team {n}", slug=f"team-{n}")
    for user, role in (members or {}).items():
        Membership.objects.create(user=user, workspace=workspace, role=role)
    return workspace


def make_account(workspace: Workspace, **fields) -> AwsAccount:
    n = next(_seq)
    account_id = fields.pop("account_id", f"{100000000000 + n}")
    defaults = {
        "name": f"acct-{n}",
        "account_id": account_id,
        "role_arn": f"arn:aws:iam::{account_id}:role/LambdaAdvisorReadOnly",
        "regions": ["us-east-1"],
    }
    return AwsAccount.objects.create(workspace=workspace, **{**defaults, **fields})

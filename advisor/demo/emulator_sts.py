"""sts:AssumeRole that checks the role's trust policy the way AWS does for our case.

moto lets anyone assume any role ARN, even one that does not exist, so a wrong ExternalId or a
mistyped role name would "work" against the emulator and fail against AWS. Here:

- the role exists in the target account's IAM and its trust policy has an ``sts:ExternalId``
  condition: a missing or different ExternalId is refused (AccessDenied);
- the role does not exist, but the target account has IAM roles (it has been set up): refused;
- otherwise (an account nobody set up, a role without the condition): moto's behaviour.

Principals and other conditions are not evaluated: the emulator is one trust domain.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import AccessDeniedError
from moto.iam.models import iam_backends
from moto.sts.responses import TokenResponse
from moto.utilities.utils import get_partition

EXTERNAL_ID_KEYS = {"sts:externalid"}


def install() -> None:
    original_assume_role = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        role_arn = self._get_param("RoleArn") or ""
        external_id = self._get_param("ExternalId")
        refusal = trust_refusal(role_arn, external_id)
        if refusal:
            _, caller_arn, _ = self.backend.get_caller_identity(self.get_access_key(), self.region)
            raise AccessDeniedError(
                user_arn=caller_arn, action=f"sts:AssumeRole on resource: {role_arn} ({refusal})"
            )
        return original_assume_role(self)

    TokenResponse.assume_role = assume_role


def trust_refusal(role_arn: str, external_id: str | None) -> str | None:
    """Why AWS would refuse to let us assume ``role_arn``, or None if it would not."""
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None  # moto validates the ARN's shape itself
    account_id, role_name = parts[4], parts[5].rsplit("/", 1)[-1]
    if account_id not in iam_backends:
        return None
    region = parts[3] or "us-east-1"
    iam = iam_backends[account_id][get_partition(region)]
    roles = list(iam.roles.values())
    role = next((r for r in roles if r.name == role_name), None)
    if role is None:
        return "the role does not exist" if roles else None
    expected = _external_ids(role.assume_role_policy_document)
    if expected and external_id not in expected:
        return "the ExternalId does not match the role's trust policy"
    return None


def _external_ids(document: Any) -> set[str]:
    """ExternalId values that the trust policy's Allow statements require (empty: none)."""
    if isinstance(document, str):
        try:
            document = json.loads(unquote(document))
        except ValueError:
            return set()
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    wanted: set[str] = set()
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        for operator, pairs in (statement.get("Condition") or {}).items():
            if not operator.startswith("StringEquals") and not operator.startswith("StringLike"):
                continue
            for key, value in pairs.items():
                if key.lower() in EXTERNAL_ID_KEYS:
                    wanted.update([value] if isinstance(value, str) else value)
    return wanted

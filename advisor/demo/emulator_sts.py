"""sts:AssumeRole that checks the role and its trust policy the way AWS does for our case.

moto lets anyone assume any role ARN, even one that does not exist, so a wrong ExternalId or a
mistyped role name would "work" against the emulator and fail against AWS. Here, as the API
reference's Errors section says
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, and the IAM
troubleshooting page for "is not authorized to perform: sts:AssumeRole"):

- the role does not exist in the target account's IAM: refused (AccessDenied), whether or not
  anything else was ever set up in that account;
- the role exists and its trust policy has an ``sts:ExternalId`` condition: a missing or
  different ExternalId is refused (AccessDenied);
- otherwise (a role without the condition): moto's behaviour.

Principals and other conditions are not evaluated: the emulator is one trust domain.

So a fresh account has a way in only if something created a role there, as in AWS. Organizations'
CreateAccount does (moto creates ``OrganizationAccountAccessRole``, or the RoleName given,
trusting the management account, as
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html
says AWS does). For a fixed account id outside any organisation, tests, the demo and the
benchmarks ask our setup endpoint ``ADMIN_ROLE_PATH`` (not an AWS API) for an admin role.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import AccessDeniedError
from moto.iam.exceptions import EntityAlreadyExists
from moto.iam.models import iam_backends
from moto.moto_api._internal import urls as moto_api_urls
from moto.sts.responses import TokenResponse
from moto.utilities.utils import get_partition

EXTERNAL_ID_KEYS = {"sts:externalid"}

# Our setup endpoint (not an AWS API) for an account that no organisation created: POST
# {"account_id", "role_name"?, "trusted_account"?} creates the role ``role_name`` (default
# ADMIN_ROLE) in ``account_id``, trusting ``trusted_account``'s root (default the account of the
# emulator's dummy credentials) with an inline policy allowing everything, and answers
# {"Arn": ...}. A role that already exists is kept as it is. A reset removes it with the rest.
ADMIN_ROLE_PATH = "/moto-api/lambda-advisor/admin-role"
ADMIN_ROLE = "OrganizationAccountAccessRole"


def install() -> None:
    _patch_assume_role()
    moto_api_urls.url_paths["{0}" + ADMIN_ROLE_PATH] = _create_admin_role


def _patch_assume_role() -> None:
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
    role = None
    if account_id in iam_backends:  # looking an account up would create its backend
        iam = iam_backends[account_id][get_partition(parts[3] or "us-east-1")]
        role = next((r for r in list(iam.roles.values()) if r.name == role_name), None)
    if role is None:
        return "the role does not exist"
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


def _create_admin_role(request: Any, full_url: str, headers: Any) -> tuple:
    """The setup endpoint (see ADMIN_ROLE_PATH)."""
    if request.method != "POST":
        return 405, {}, json.dumps({"Error": "POST a JSON body"})
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
        account_id = str(body["account_id"])
        role_name = str(body.get("role_name") or ADMIN_ROLE)
        trusted = str(body.get("trusted_account") or DEFAULT_ACCOUNT_ID)
        if not (account_id.isdigit() and len(account_id) == 12):
            raise ValueError("account_id must be 12 digits")
        if not (trusted.isdigit() and len(trusted) == 12):
            raise ValueError("trusted_account must be 12 digits")
    except (KeyError, ValueError, TypeError) as error:
        return 400, {}, json.dumps({"Error": f"bad request: {error!r}"})
    iam = iam_backends[account_id]["aws"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    try:
        role = iam.create_role(
            role_name=role_name,
            assume_role_policy_document=json.dumps(trust),
            path="/",
            permissions_boundary=None,
            description="Administrator role created by the emulator's setup endpoint",
            tags=[],
            max_session_duration="3600",
        )
        iam.put_role_policy(
            role_name,
            "AdministratorAccess",
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        )
    except EntityAlreadyExists:
        role = iam.get_role(role_name)
    return 200, {"content-type": "application/json"}, json.dumps({"Arn": role.arn})

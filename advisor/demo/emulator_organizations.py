"""AWS Organizations' ListAccounts as the API reference describes it, where moto differs.

https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html: "This
operation can be called only from the organization's management account or by a member account
that is a delegated administrator." moto answers every caller from its own account's view: a
member (delegated administrator or not) and an account outside any organisation get an empty
list. Here:

- the management account: moto's answer;
- a member registered as a delegated administrator (for any service): the management account's
  listing, as AWS gives it;
- any other member: AccessDeniedException ("You don't have permissions to access this
  resource.", the reference's Errors section);
- an account in no organisation: AWSOrganizationsNotInUseException;
- a page holds at most 20 accounts (MaxResults: "Valid Range: Minimum value of 1. Maximum value
  of 20."); moto's default page is 100.

Registering a delegated administrator also accepts CloudFormation StackSets' service principal
(``member.org.stacksets.cloudformation.amazonaws.com``, from
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-delegated-admin.html),
which moto's short list of services lacks.
"""

from __future__ import annotations

import json
from typing import Any

from moto.organizations.exceptions import (
    AWSOrganizationsNotInUseException,
    OrganizationsClientError,
)
from moto.organizations.models import FakeDelegatedAdministrator, organizations_backends
from moto.organizations.responses import OrganizationsResponse

STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
MAX_PAGE = 20


class AccessDeniedException(OrganizationsClientError):
    def __init__(self) -> None:
        super().__init__(
            "AccessDeniedException", "You don't have permissions to access this resource."
        )


def install() -> None:
    if STACKSETS_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(STACKSETS_PRINCIPAL)

    def list_accounts(self: OrganizationsResponse) -> str:
        backend = _listing_backend(self.current_account, self.partition)
        max_results = min(self._get_int_param("MaxResults") or MAX_PAGE, MAX_PAGE)
        accounts, next_token = backend.list_accounts(
            max_results=max_results, next_token=self._get_param("NextToken")
        )
        response: dict[str, Any] = {"Accounts": accounts}
        if next_token:
            response["NextToken"] = next_token
        return json.dumps(response)

    OrganizationsResponse.list_accounts = list_accounts


def _listing_backend(account_id: str, partition: str) -> Any:
    """The backend whose accounts ``account_id`` may list, or the error AWS answers."""
    own = organizations_backends[account_id][partition]
    if own.org is not None:
        return own  # the management account
    membership = organizations_backends.master_accounts.get(account_id)
    if membership is None:
        raise AWSOrganizationsNotInUseException
    management = organizations_backends[membership[0]][membership[1]]
    if not any(admin.account.id == account_id for admin in management.admins):
        raise AccessDeniedException
    return management

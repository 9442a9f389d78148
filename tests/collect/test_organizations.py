"""Reading an organisation and checking members' roles, against the emulator over HTTP."""

from __future__ import annotations

import pytest

from advisor.collect.errors import AwsAccessError
from advisor.collect.organizations import read_organization, role_check
from advisor.collect.session import assume_role_session
from tests.fixtures.aws_state import account_admin
from tests.fixtures.organizations import (
    MANAGEMENT_ACCOUNT,
    build_organization,
    client,
    member_admin,
)

EXTERNAL_ID = "org-external-id-456"


@pytest.fixture
def organization(aws):
    return build_organization(
        aws,
        external_id=EXTERNAL_ID,
        with_role={"alpha": []},
        without_role=("beta",),
        suspended=("gamma",),
    )


def reader(aws, organization):
    return assume_role_session(
        role_arn=organization.reader_role_arn,
        external_id=EXTERNAL_ID,
        region="us-east-1",
        endpoint_url=aws,
    )


def test_the_reader_role_lists_members_with_their_state(aws, organization):
    listing = read_organization(reader(aws, organization), endpoint_url=aws)
    assert listing.organization_id == organization.organization_id
    assert listing.management_account_id == MANAGEMENT_ACCOUNT
    states = {a.account_id: a.state for a in listing.accounts}
    members = organization.members
    assert states == {
        MANAGEMENT_ACCOUNT: "ACTIVE",
        members["alpha"]: "ACTIVE",
        members["beta"]: "ACTIVE",
        members["gamma"]: "SUSPENDED",
    }
    alpha = next(a for a in listing.accounts if a.account_id == members["alpha"])
    assert alpha.name == "alpha" and alpha.joined_at is not None


def test_every_page_is_read(aws):
    organizations = client(aws, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    for n in range(41):
        organizations.create_account(AccountName=f"m{n}", Email=f"m{n}@example.com")
    listing = read_organization(None, endpoint_url=aws)
    assert len(listing.accounts) == 42
    assert listing.api_calls == 1 + 3  # DescribeOrganization, then pages of 20


def test_a_member_that_may_not_list_says_what_it_needs(aws, organization):
    member = member_admin(aws, organization.members["alpha"])
    with pytest.raises(AwsAccessError) as refused:
        read_organization(member, endpoint_url=aws)
    message = str(refused.value)
    assert "management account or a delegated administrator" in message
    assert "organizations:ListAccounts" in message and "AccessDeniedException" in message


def test_an_account_outside_an_organisation_is_named_so(aws):
    with pytest.raises(AwsAccessError, match="not in an organisation"):
        read_organization(account_admin(aws, "555566667777"), endpoint_url=aws)


def test_role_check_tells_a_deployed_role_from_a_missing_one(aws, organization):
    members = organization.members

    def check(name, external_id=EXTERNAL_ID):
        return role_check(
            role_arn=f"arn:aws:iam::{members[name]}:role/LambdaAdvisorReadOnly",
            external_id=external_id,
            region="us-east-1",
            endpoint_url=aws,
        )

    assert check("alpha").deployed is True
    missing = check("beta")
    assert missing.deployed is False and missing.error_code == "AccessDenied"
    assert "does not exist" in missing.message
    assert check("alpha", external_id="wrong-external-id").deployed is False

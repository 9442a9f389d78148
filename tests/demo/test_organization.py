"""The demo organisation in the emulator, read back over HTTP as the product reads it: the
management account lists its members through the reader role with the ExternalId; one member
lets the scan role be assumed and holds functions, one has no scan role, one is suspended."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from advisor.demo.organization import (
    MANAGEMENT_ACCOUNT_ID,
    PAYMENTS_FUNCTIONS,
    SUSPENDED,
    WITH_ROLE,
    WITHOUT_ROLE,
    seed_demo_organization,
)
from advisor.demo.seed import assume

EXTERNAL_ID = "demo-org-external-id"


def scan_role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/LambdaAdvisorReadOnly"


@pytest.fixture
def seeded(aws):
    return aws, seed_demo_organization(endpoint_url=aws, external_id=EXTERNAL_ID)


def listed(endpoint: str, reader_role_arn: str, external_id: str) -> dict[str, dict]:
    session = assume(endpoint, reader_role_arn, external_id, "us-east-1")
    organizations = session.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
    return {a["Name"]: a for a in organizations.list_accounts()["Accounts"]}


def test_the_reader_role_lists_the_management_account_and_three_members(seeded):
    endpoint, organization = seeded
    accounts = listed(endpoint, organization.reader_role_arn, EXTERNAL_ID)

    assert organization.management_account_id == MANAGEMENT_ACCOUNT_ID
    assert {a["Id"] for a in accounts.values()} == {
        MANAGEMENT_ACCOUNT_ID,
        *organization.members.values(),
    }
    assert accounts[SUSPENDED]["State"] == accounts[SUSPENDED]["Status"] == "SUSPENDED"
    assert accounts[WITH_ROLE]["State"] == accounts[WITHOUT_ROLE]["State"] == "ACTIVE"


def test_the_reader_role_wants_the_external_id(seeded):
    endpoint, organization = seeded
    with pytest.raises(ClientError) as refused:
        assume(endpoint, organization.reader_role_arn, "someone-else", "us-east-1")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_only_acme_payments_has_the_scan_role_and_functions(seeded):
    endpoint, organization = seeded
    payments = assume(
        endpoint, scan_role(organization.members[WITH_ROLE]), EXTERNAL_ID, "us-east-1"
    )
    functions = payments.client("lambda", endpoint_url=endpoint).list_functions()["Functions"]
    assert sorted(f["FunctionName"] for f in functions) == sorted(
        n for n, _, _ in PAYMENTS_FUNCTIONS
    )
    apis = payments.client("apigateway", endpoint_url=endpoint).get_rest_apis()["items"]
    assert [a["name"] for a in apis] == ["payments-public-api"]

    for account_id in (organization.members[WITHOUT_ROLE], MANAGEMENT_ACCOUNT_ID):
        with pytest.raises(ClientError) as refused:
            assume(endpoint, scan_role(account_id), EXTERNAL_ID, "us-east-1")
        assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_seeding_again_keeps_the_organisation_and_takes_the_new_external_id(seeded):
    endpoint, first = seeded

    again = seed_demo_organization(endpoint_url=endpoint, external_id="the-next-one")

    assert again == first
    assert len(listed(endpoint, again.reader_role_arn, "the-next-one")) == 4
    assume(endpoint, scan_role(again.members[WITH_ROLE]), "the-next-one", "us-east-1")
    with pytest.raises(ClientError):
        assume(endpoint, again.reader_role_arn, EXTERNAL_ID, "us-east-1")

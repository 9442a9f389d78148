"""The local mode's demo organisation (``bootstrap_demo``'s second half): connected in the demo
workspace, synced and its member with the scan role scanned, so the fleet page shows a scanned
member with findings, one whose role is not deployed and a suspended one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AwsAccount, Organization
from advisor.demo.organization import SUSPENDED, WITH_ROLE, WITHOUT_ROLE
from advisor.models import Finding, Scan
from advisor.services.demo_organization import DEMO_ORGANIZATION_NAME, demo_organization_connect
from tests.factories import make_user, make_workspace
from tests.fixtures.emulator import reset_emulator

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(aws):
    user = make_user()
    workspace = make_workspace("Acme", members={user: "owner"})
    return user, workspace, demo_organization_connect(workspace=workspace, endpoint_url=aws)


def members_of(organization: Organization) -> dict[str, AwsAccount]:
    return {a.name: a for a in organization.members.all()}


def test_the_organisation_is_connected_synced_and_its_member_scanned(demo):
    _, workspace, connected = demo
    organization = connected.organization

    assert organization.workspace == workspace and organization.name == DEMO_ORGANIZATION_NAME
    assert organization.last_synced_at and not organization.last_sync_error
    members = members_of(organization)
    assert set(members) == {WITH_ROLE, WITHOUT_ROLE, SUSPENDED, "master"}
    payments, sandbox, legacy = members[WITH_ROLE], members[WITHOUT_ROLE], members[SUSPENDED]
    assert (payments.org_state, payments.role_state) == ("ACTIVE", "deployed")
    assert (sandbox.org_state, sandbox.role_state) == ("ACTIVE", "not_deployed")
    assert legacy.org_state == "SUSPENDED"

    [scan] = connected.scans
    assert scan.account == payments and scan.status == Scan.Status.SUCCEEDED
    rules = set(Finding.objects.filter(account=payments).values_list("rule_id", flat=True))
    assert {"deprecated-runtime", "apigw-timeout-exceeds-integration"} <= rules
    assert not Scan.objects.filter(account__in=[sandbox, legacy]).exists()


def test_the_fleet_page_shows_the_members(client, demo):
    user, workspace, _ = demo
    client.force_login(user)

    body = client.get(reverse("advisor:fleet"), {"workspace": workspace.pk}).content.decode()

    for name in (WITH_ROLE, WITHOUT_ROLE, SUSPENDED):
        assert name in body


def test_running_again_on_the_same_emulator_keeps_the_connection_and_its_scan(aws, demo):
    _, workspace, first = demo

    again = demo_organization_connect(workspace=workspace, endpoint_url=aws)

    assert again.organization.pk == first.organization.pk and again.scans == []
    assert Scan.objects.filter(account__organization=again.organization).count() == 1


def test_a_fresh_emulator_replaces_the_earlier_run_s_organisation(aws, demo):
    _, workspace, first = demo
    old_members = set(first.organization.members.values_list("account_id", flat=True))
    reset_emulator(aws)

    again = demo_organization_connect(workspace=workspace, endpoint_url=aws)

    assert Organization.objects.filter(workspace=workspace).count() == 1
    assert again.organization.organization_id != first.organization.organization_id
    members = members_of(again.organization)
    assert set(members) == {WITH_ROLE, WITHOUT_ROLE, SUSPENDED, "master"}  # no "-<id>" twins
    assert not old_members & {a.account_id for a in members.values() if a.name != "master"}
    assert len(again.scans) == 1 and again.scans[0].account == members[WITH_ROLE]
    assert again.organization.external_id == first.organization.external_id

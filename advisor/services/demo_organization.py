"""The local mode's demo organisation (``manage.py bootstrap_demo``): the emulator's Acme
organisation (``advisor.demo.organization``) connected in the demo workspace as any organisation
is, synced (members added, roles tried) and its members with the scan role scanned once, so the
fleet page shows a scanned member, one whose role is not deployed and a suspended one.

The emulator forgets everything when it stops and gives the members new ids when it is seeded
again, so a connection left from an earlier run (another organisation id) is disconnected first,
its members and their scans with it; against the same emulator the connection is kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import AwsAccount, Organization, Workspace, new_external_id
from advisor.demo.organization import REGION, seed_demo_organization
from advisor.demo.seed import READ_ONLY_ROLE
from advisor.models import Scan
from advisor.services.organizations import SyncResult, organization_delete, organization_sync
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create

DEMO_ORGANIZATION_NAME = "acme-org"


@dataclass
class DemoOrganizationConnected:
    organization: Organization
    sync: SyncResult
    scans: list[Scan] = field(default_factory=list)


def demo_organization_connect(
    *, workspace: Workspace, endpoint_url: str
) -> DemoOrganizationConnected:
    """Seed the emulator's organisation, connect and sync it, and scan the members whose scan
    role is deployed and that have not been scanned yet."""
    organization = Organization.objects.filter(
        workspace=workspace, name=DEMO_ORGANIZATION_NAME
    ).first()
    external_id = organization.external_id if organization else new_external_id()
    seeded = seed_demo_organization(endpoint_url=endpoint_url, external_id=external_id)
    if organization and organization.organization_id not in ("", seeded.organization_id):
        organization_delete(organization=organization)  # an earlier emulator's organisation
        organization = None
    if organization is None:
        organization = Organization.objects.create(
            workspace=workspace,
            name=DEMO_ORGANIZATION_NAME,
            role_arn=seeded.reader_role_arn,
            external_id=external_id,
            member_role_name=READ_ONLY_ROLE,
            regions=[REGION],
            endpoint_url=endpoint_url,
        )
    sync = organization_sync(organization=organization)
    organization.refresh_from_db()
    connected = DemoOrganizationConnected(organization=organization, sync=sync)
    ready = organization.members.filter(
        org_state=AwsAccount.OrgState.ACTIVE,
        role_state=AwsAccount.RoleState.DEPLOYED,
        scans__isnull=True,
    )
    for account in ready:
        connected.scans.append(
            run_scan_inline(scan_create(account=account, trigger=Scan.Trigger.COMMAND))
        )
    return connected

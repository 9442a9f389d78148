"""Connected AWS Organizations: connecting one, and the sync that keeps its member accounts in
step (beat runs it every ADVISOR_ORGANIZATION_SYNC_INTERVAL_SECONDS; *Sync now* queues it).

A sync reads the organisation through its reader role (DescribeOrganization, ListAccounts),
adds each new member as an AwsAccount (the StackSet's role in it, the organisation's ExternalId,
regions and schedule), records the state AWS gives every member, marks those no longer listed
as removed (kept with their history), and then tries the scan role of every active member once:
a role that cannot be assumed (AccessDenied) is "role not deployed", and such a member, like a
suspended or removed one, is not scanned (its scheduled scans pause) rather than failing scans.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.audit import Action, audit_record
from accounts.models import (
    AwsAccount,
    Organization,
    PendingConnection,
    ScanSchedule,
    Workspace,
)
from advisor import dispatch
from advisor.collect.errors import AwsAccessError
from advisor.collect.organizations import (
    ORGANIZATIONS_REGION,
    MemberAccount,
    OrganizationListing,
    read_organization,
    role_check,
)
from advisor.collect.session import assume_role_session
from advisor.services.endpoints import checked_endpoint
from advisor.services.schedules import periodic_task_name, periodic_task_sync

logger = logging.getLogger(__name__)

# A member is "newly joined" for a week after AWS's JoinedTimestamp.
NEWLY_JOINED = dt.timedelta(days=7)


@dataclass
class SyncResult:
    added: list[str] = field(default_factory=list)  # account ids
    state_changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    connected_separately: list[str] = field(default_factory=list)  # already in the workspace
    roles_deployed: int = 0
    roles_not_deployed: list[str] = field(default_factory=list)
    error: str = ""


def organization_listing(organization: Organization) -> OrganizationListing:
    """What the organisation's reader role sees, or AwsAccessError (EndpointNotAllowed before
    anything is sent, for an endpoint URL this server refuses)."""
    endpoint = checked_endpoint(organization.endpoint_url)
    session = assume_role_session(
        role_arn=organization.role_arn,
        external_id=organization.external_id,
        region=ORGANIZATIONS_REGION,
        endpoint_url=endpoint,
    )
    return read_organization(session, endpoint_url=endpoint)


def organization_connect(
    *,
    workspace: Workspace,
    name: str,
    role_arn: str,
    pending: PendingConnection,
    member_role_name: str,
    regions: list[str],
    endpoint_url: str = "",
    frequency: str = ScanSchedule.Frequency.OFF,
    time_of_day: dt.time = dt.time(6, 0),
    day_of_week: int = ScanSchedule.Weekday.MONDAY,
    timezone_name: str = "UTC",
    actor: AbstractBaseUser | None = None,
) -> tuple[Organization, SyncResult]:
    """Read the organisation with the pending connection's ExternalId (AwsAccessError if the
    role cannot), save it with its members (the ExternalId is then used up), and queue the first
    full sync, which checks each member's role."""
    organization = Organization(
        workspace=workspace,
        name=name,
        role_arn=role_arn,
        external_id=pending.external_id,
        member_role_name=member_role_name,
        regions=regions,
        endpoint_url=endpoint_url,
        frequency=frequency,
        time_of_day=time_of_day,
        day_of_week=day_of_week,
        timezone=timezone_name,
    )
    listing = organization_listing(organization)
    with transaction.atomic():
        PendingConnection.objects.filter(pk=pending.pk).delete()
        organization.save()
        result = members_apply(organization=organization, listing=listing, now=timezone.now())
        audit_record(
            workspace=workspace,
            actor=actor,
            action=Action.ACCOUNT_CONNECTED,
            target=f"organisation {organization.name}",
            member_accounts=len(result.added),
        )
        organization_sync_enqueue(organization)
    return organization, result


def organization_sync_enqueue(organization: Organization) -> None:
    """Queue a sync once the transaction commits (the organisation's rows are then visible)."""
    pk = organization.pk
    transaction.on_commit(lambda: dispatch.organization_sync_enqueue(pk))


def organization_sync(*, organization: Organization, check_roles: bool = True) -> SyncResult:
    """One sync of the organisation; what failed is recorded on it, never raised."""
    now = timezone.now()
    try:
        listing = organization_listing(organization)
    except AwsAccessError as error:
        logger.warning("organisation %s: sync failed: %s", organization.name, error)
        Organization.objects.filter(pk=organization.pk).update(
            last_sync_attempt_at=now, last_sync_error=str(error)
        )
        return SyncResult(error=str(error))
    result = members_apply(organization=organization, listing=listing, now=now)
    _audit_sync(organization, result)
    if check_roles:
        roles_check(organization=organization, result=result)
    Organization.objects.filter(pk=organization.pk).update(
        last_synced_at=now, last_sync_attempt_at=now, last_sync_error=""
    )
    logger.info(
        "organisation %s synced: %d added, %d changed, %d removed, %d roles not deployed",
        organization.name,
        len(result.added),
        len(result.state_changed),
        len(result.removed),
        len(result.roles_not_deployed),
    )
    return result


def _audit_sync(organization: Organization, result: SyncResult) -> None:
    """The accounts a sync added or marked removed, in the workspace's audit log (by the system:
    the organisation changed, not a person here)."""
    for action, account_ids, what in (
        (Action.ACCOUNT_CONNECTED, result.added, "joined"),
        (Action.ACCOUNT_REMOVED, result.removed, "left (kept with their history, not scanned)"),
    ):
        if account_ids:
            shown = ", ".join(account_ids[:50]) + (" …" if len(account_ids) > 50 else "")
            audit_record(
                workspace=organization.workspace_id,
                actor=None,
                action=action,
                target=f"{len(account_ids)} member account(s) of organisation {organization.name}",
                account_ids=shown,
                sync=what,
            )


def members_apply(
    *, organization: Organization, listing: OrganizationListing, now: dt.datetime
) -> SyncResult:
    """Bring the organisation's AwsAccounts in step with the listing."""
    result = SyncResult()
    changed: list[AwsAccount] = []
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        organization.organization_id = listing.organization_id
        organization.management_account_id = listing.management_account_id
        Organization.objects.filter(pk=organization.pk).update(
            organization_id=listing.organization_id,
            management_account_id=listing.management_account_id,
        )
        workspace_accounts = AwsAccount.objects.filter(workspace_id=organization.workspace_id)
        members = {a.account_id: a for a in workspace_accounts.filter(organization=organization)}
        elsewhere = set(
            workspace_accounts.exclude(organization=organization).values_list(
                "account_id", flat=True
            )
        )
        names = set(workspace_accounts.values_list("name", flat=True))
        listed = set()
        for member in listing.accounts:
            listed.add(member.account_id)
            account = members.get(member.account_id)
            if account is None:
                if member.account_id in elsewhere:
                    result.connected_separately.append(member.account_id)
                    continue
                account = _member_create(organization, member, names=names, now=now)
                names.add(account.name)
                result.added.append(member.account_id)
                changed.append(account)
                continue
            updates = {}
            if account.org_state != member.state:
                updates.update(org_state=member.state, org_state_changed_at=now)
                result.state_changed.append(member.account_id)
            if member.joined_at and account.org_joined_at != member.joined_at:
                updates["org_joined_at"] = member.joined_at
            if updates:
                AwsAccount.objects.filter(pk=account.pk).update(**updates)
                for key, value in updates.items():
                    setattr(account, key, value)
                if "org_state" in updates:
                    changed.append(account)
        for account_id, account in members.items():
            if account_id in listed or account.org_state == AwsAccount.OrgState.REMOVED:
                continue
            account.org_state = AwsAccount.OrgState.REMOVED
            account.org_state_changed_at = now
            AwsAccount.objects.filter(pk=account.pk).update(
                org_state=account.org_state, org_state_changed_at=now
            )
            result.removed.append(account_id)
            changed.append(account)
        for account in changed:  # a member that is not active has its scheduled scans paused
            periodic_task_sync(account=account)
    return result


def _member_create(
    organization: Organization, member: MemberAccount, *, names: set[str], now: dt.datetime
) -> AwsAccount:
    account = AwsAccount.objects.create(
        workspace_id=organization.workspace_id,
        name=_member_name(member, names),
        account_id=member.account_id,
        role_arn=organization.member_role_arn(member.account_id),
        external_id=organization.external_id,
        regions=list(organization.regions),
        endpoint_url=organization.endpoint_url,
        organization=organization,
        org_state=member.state,
        org_joined_at=member.joined_at,
        org_state_changed_at=now,
    )
    ScanSchedule.objects.create(
        account=account,
        frequency=organization.frequency,
        time_of_day=organization.time_of_day,
        day_of_week=organization.day_of_week,
        timezone=organization.timezone,
    )
    return account


def _member_name(member: MemberAccount, taken: set[str]) -> str:
    """The account's name in the organisation (AWS allows 50 characters), made unique in the
    workspace with its id where another account has it."""
    name = (member.name or member.account_id).strip()[:50] or member.account_id
    if name in taken:
        name = f"{name}-{member.account_id}"
    return name[:64]


def roles_check(*, organization: Organization, result: SyncResult) -> None:
    """Try the scan role of every active member once (AssumeRole, nothing else)."""
    endpoint = checked_endpoint(organization.endpoint_url)
    now = timezone.now()
    for account in organization.members.filter(org_state=AwsAccount.OrgState.ACTIVE):
        check = role_check(
            role_arn=account.role_arn,
            external_id=account.external_id,
            region=account.regions[0] if account.regions else ORGANIZATIONS_REGION,
            endpoint_url=endpoint,
        )
        if check.deployed is None:  # a throttle or the network: the last answer stands
            AwsAccount.objects.filter(pk=account.pk).update(role_error=check.message)
            continue
        state = (
            AwsAccount.RoleState.DEPLOYED if check.deployed else AwsAccount.RoleState.NOT_DEPLOYED
        )
        if check.deployed:
            result.roles_deployed += 1
        else:
            result.roles_not_deployed.append(account.account_id)
        before = account.role_state
        account.role_state, account.role_error, account.role_checked_at = state, check.message, now
        AwsAccount.objects.filter(pk=account.pk).update(
            role_state=state, role_error=check.message, role_checked_at=now
        )
        # A scan's own check may have found the role gone first (advisor.services.scans): the
        # sync then pauses the member's beat task all the same.
        if before != state or state == AwsAccount.RoleState.NOT_DEPLOYED:
            periodic_task_sync(account=account)


def organization_schedule_update(
    *,
    organization: Organization,
    frequency: str,
    time_of_day: dt.time,
    day_of_week: int,
    timezone_name: str,
    actor: AbstractBaseUser | None = None,
) -> Organization:
    """The organisation's schedule, applied to every member (and to members added later)."""
    with transaction.atomic():
        before = organization.frequency
        organization.frequency = frequency
        organization.time_of_day = time_of_day
        organization.day_of_week = day_of_week
        organization.timezone = timezone_name
        organization.save(update_fields=["frequency", "time_of_day", "day_of_week", "timezone"])
        for account in organization.members.all():
            ScanSchedule.objects.update_or_create(
                account=account,
                defaults={
                    "frequency": frequency,
                    "time_of_day": time_of_day,
                    "day_of_week": day_of_week,
                    "timezone": timezone_name,
                },
            )
            periodic_task_sync(account=account)
        audit_record(
            workspace=organization.workspace_id,
            actor=actor,
            action=Action.ACCOUNT_SCHEDULE_CHANGED,
            target=f"organisation {organization.name}",
            frequency=[before, frequency],
            time_of_day=time_of_day.strftime("%H:%M"),
            timezone=timezone_name,
        )
    return organization


def organization_update(
    *, organization: Organization, actor: AbstractBaseUser | None = None
) -> Organization:
    """Save the organisation's edited settings and carry them to every member: the role ARN
    (from the members' role name), the regions and the endpoint URL."""
    with transaction.atomic():
        organization.save()
        members = list(organization.members.all())
        for account in members:
            account.role_arn = organization.member_role_arn(account.account_id)
            account.regions = list(organization.regions)
            account.endpoint_url = organization.endpoint_url
        AwsAccount.objects.bulk_update(members, ["role_arn", "regions", "endpoint_url"])
        audit_record(
            workspace=organization.workspace_id,
            actor=actor,
            action=Action.ACCOUNT_EDITED,
            target=f"organisation {organization.name}",
            member_role_name=organization.member_role_name,
            regions=list(organization.regions),
            member_accounts=len(members),
        )
    return organization


def organization_delete(
    *, organization: Organization, actor: AbstractBaseUser | None = None
) -> None:
    """Disconnect the organisation: its member accounts, their scans and tasks go with it."""
    with transaction.atomic():
        audit_record(
            workspace=organization.workspace_id,
            actor=actor,
            action=Action.ACCOUNT_REMOVED,
            target=f"organisation {organization.name}",
            member_accounts=organization.members.count(),
        )
        names = [periodic_task_name(pk) for pk in organization.members.values_list("pk", flat=True)]
        for task in PeriodicTask.objects.filter(name__in=names):
            task.delete()  # one by one: beat notices changes through the model's signals
        organization.delete()


def newly_joined(account: AwsAccount, *, now: dt.datetime | None = None) -> bool:
    joined = account.org_joined_at
    return joined is not None and (now or timezone.now()) - joined <= NEWLY_JOINED


def organizations_sync_all() -> int:
    """Queue a sync of every connected organisation (beat's periodic job)."""
    count = 0
    for organization in Organization.objects.all():
        organization_sync_enqueue(organization)
        count += 1
    return count

"""`manage.py bootstrap_demo --endpoint-url URL`: the local mode's demo, ready to use.

Creates (or keeps) the demo user, the Acme workspace and its connected demo account, then seeds
the AWS emulator at URL with that account's role (trusting the account's ExternalId) and its
functions. Then the demo organisation (``advisor.services.demo_organization``): the emulator's
Acme organisation connected in the workspace, synced, and its member with the scan role
scanned. Safe to run again: the emulator forgets everything when it stops, the database not.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import AwsAccount, Membership, Workspace
from advisor.services.demo_organization import demo_organization_connect

DEMO_USERNAME = "demo"
DEMO_ACCOUNT_ID = "210987654321"
DEMO_REGIONS = ["us-east-1", "eu-west-1"]


class Command(BaseCommand):
    help = "Create the demo user, workspace and account, and seed the AWS emulator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--endpoint-url", required=True, help="The AWS emulator's URL.")
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "lambda-advisor-demo"),
            help="The demo user's password (default: lambda-advisor-demo, or $DEMO_PASSWORD).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ADVISOR_PRODUCTION:
            # A staff user with a published password, and an account that scans an emulator.
            raise CommandError(
                "bootstrap_demo does not run under production settings: it creates a staff user "
                "with a known password. The demo is the local mode's (make run)."
            )
        endpoint = options["endpoint_url"]
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com", "is_staff": True}
        )
        if created:
            user.set_password(options["password"])
            user.save()
        workspace, _ = Workspace.objects.get_or_create(slug="acme", defaults={"name": "Acme"})
        Membership.objects.get_or_create(
            user=user, workspace=workspace, defaults={"role": Membership.Role.OWNER}
        )
        account, _ = AwsAccount.objects.update_or_create(
            workspace=workspace,
            name="acme-demo",
            defaults={
                "account_id": DEMO_ACCOUNT_ID,
                "role_arn": f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/LambdaAdvisorReadOnly",
                "regions": DEMO_REGIONS,
                "endpoint_url": endpoint,
                "enabled": True,
            },
        )
        call_command(
            "seed_demo_aws",
            endpoint_url=endpoint,
            account_id=DEMO_ACCOUNT_ID,
            external_id=account.external_id,
            regions=",".join(DEMO_REGIONS),
        )
        connected = demo_organization_connect(workspace=workspace, endpoint_url=endpoint)
        organization, sync = connected.organization, connected.sync
        if sync.error:
            raise CommandError(f"The demo organisation could not be synced: {sync.error}")
        members = organization.members.count()
        scanned = ", ".join(f"{s.account.name} ({s.status})" for s in connected.scans) or "none"
        password = options["password"] if created else "(unchanged)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: log in as {DEMO_USERNAME} / {password}; account {account.name} "
                f"({account.account_id}) in {', '.join(DEMO_REGIONS)}; organisation "
                f"{organization.name} ({organization.organization_id}) with {members} accounts, "
                f"{len(sync.roles_not_deployed)} without the scan role; scanned now: {scanned}."
            )
        )

"""Bring every PeriodicTask in step: one per scheduled account, none for deleted accounts, and
the weekly digest and retention jobs. Safe to run at every deploy."""

from django.core.management.base import BaseCommand

from advisor.services.schedules import schedules_sync_all


class Command(BaseCommand):
    help = "Create, update and remove Celery beat's periodic tasks to match the accounts."

    def handle(self, *args, **options) -> None:
        counts = schedules_sync_all()
        self.stdout.write(
            f"{counts['accounts']} account schedules, {counts['removed']} removed, "
            f"{counts['system']} system tasks"
        )

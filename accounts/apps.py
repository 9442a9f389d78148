import importlib

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and workspaces"

    def ready(self) -> None:
        # A worker finds accounts/tasks.py by autodiscovery; importing it here registers the
        # task in the web process too, so that work run at once (CELERY_TASK_ALWAYS_EAGER) finds it.
        importlib.import_module("accounts.tasks")

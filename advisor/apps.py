import importlib

from django.apps import AppConfig
from django.conf import settings


class AdvisorConfig(AppConfig):
    name = "advisor"
    verbose_name = "Lambda Advisor"

    def ready(self) -> None:
        # Models are importable only once the apps are loaded, hence here.
        from accounts.invitations import set_invitation_mailer
        from accounts.models import RULE_OPTIONS_CHECKS
        from advisor.rules.registry import rule_option_errors
        from advisor.services.invitation_mail import invitation_email_send

        # A workspace's rule options name this catalogue's rules and options.
        if rule_option_errors not in RULE_OPTIONS_CHECKS:
            RULE_OPTIONS_CHECKS.append(rule_option_errors)
        # Invitations are emailed through the reports' mail path.
        set_invitation_mailer(invitation_email_send)
        # Services hand work to tasks by name (advisor/dispatch.py) and import no task module;
        # a worker imports those modules itself when it starts. Importing them here registers
        # the tasks in every process too, so that work run at once (CELERY_TASK_ALWAYS_EAGER)
        # finds its task.
        for module in ("advisor.tasks", *settings.CELERY_IMPORTS):
            importlib.import_module(module)

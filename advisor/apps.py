from django.apps import AppConfig


class AdvisorConfig(AppConfig):
    name = "advisor"
    verbose_name = "Lambda Advisor"

    def ready(self) -> None:
        # Models are importable only once the apps are loaded, hence here.
        from accounts.models import RULE_OPTIONS_CHECKS
        from advisor.rules.registry import rule_option_errors

        # A workspace's rule options name this catalogue's rules and options.
        if rule_option_errors not in RULE_OPTIONS_CHECKS:
            RULE_OPTIONS_CHECKS.append(rule_option_errors)

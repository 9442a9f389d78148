"""Settings modules: base (shared), local (`make run`), test (`make test`), production (the
containers), build (the image's collectstatic).

When DJANGO_SETTINGS_MODULE is unset, manage.py, config.wsgi (gunicorn) and config.celery (the
workers and beat) use production settings. A deployer who forgets the variable gets production's
refusal to start without its secrets, never the local mode's DEBUG and fixed key; every
development entry point names its module (the Makefile exports config.settings.local,
scripts/run_local.py passes it on, scripts/test.sh and pytest use config.settings.test)."""

import os

DEFAULT_SETTINGS_MODULE = "config.settings.production"


def use_default_settings() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)

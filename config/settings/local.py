"""The embedded local mode: SQLite, kombu's filesystem broker, the AWS emulator."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is fine on one machine with demo data; production settings refuse it.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-change-me")
# The demo account lives in the AWS emulator on 127.0.0.1 (see base.py for why this is off
# elsewhere).
ADVISOR_ALLOW_ENDPOINT_URL = env.bool("ADVISOR_ALLOW_ENDPOINT_URL", default=True)

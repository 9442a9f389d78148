"""The embedded local mode: SQLite, kombu's filesystem broker, the AWS emulator."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

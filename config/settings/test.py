"""Test settings: PostgreSQL when DATABASE_URL names it (CI), SQLite otherwise."""

import os

from .base import *  # noqa: F403
from .base import broker_transport_options, cache_settings, env, rate_limit_store

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105 - signs only what the tests create
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory; the Celery worker started by the report tests sends through a loopback SMTP server.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# Redis when the machine has it (CI always does); the queue name is unique to one test session so
# a real worker started by the tests consumes only this session's messages.
CELERY_BROKER_URL = env("TEST_REDIS_URL", default="memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
ADVISOR_RATE_LIMIT_STORE = rate_limit_store(CELERY_BROKER_URL)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default=f"advisor-test-{os.getpid()}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The tests reach AWS through the emulator; the endpoint tests turn this off where they need to.
ADVISOR_ALLOW_ENDPOINT_URL = True
# The throttles count in this process's memory: the live server the browser tests use is a thread
# of it, and an autouse fixture empties the cache before each test, so no test inherits another's
# failed logins. axes warns that memory is per process (production and the local mode use shared
# caches, see base.py); the cross-process test sets TEST_CACHE_URL to Redis to prove that case.
CACHES = cache_settings(env("TEST_CACHE_URL", default="locmemcache://"))
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

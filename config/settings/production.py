"""Production: everything from the environment, and start-up fails when a secret is missing or
is a placeholder."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import broker_transport_options, cache_settings, cache_url, env, rate_limit_store

# These are also the settings used when DJANGO_SETTINGS_MODULE is unset (config/settings/
# __init__.py): say so, for the developer who ran manage.py without `make`.
REQUIRED = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
if missing := [name for name in REQUIRED if not env.str(name, default="")]:
    raise ImproperlyConfigured(
        f"Production settings need {', '.join(missing)} in the environment or .env. "
        "(They are the default when DJANGO_SETTINGS_MODULE is unset; on a development machine "
        "use make run / make test, or export DJANGO_SETTINGS_MODULE=config.settings.local.)"
    )

# Django's own thresholds for check --deploy (security.W009), refused here instead of warned
# about: a production that signs sessions and password-reset links with a guessable key is broken.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
# Keys that were published somewhere (.env.example, the local mode, docs) are not secret.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "django-insecure", "local-only", "build-only")


def production_secret_key(value: str) -> str:
    """The key, or ImproperlyConfigured saying why it cannot sign anything in production."""
    if any(marker in value.lower() for marker in PLACEHOLDER_MARKERS):
        problem = "is a placeholder"
    elif len(value) < SECRET_KEY_MIN_LENGTH:
        problem = f"is {len(value)} characters long (at least {SECRET_KEY_MIN_LENGTH})"
    elif len(set(value)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        problem = f"has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct characters"
    else:
        return value
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY {problem}: set it to a random value, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )


DEBUG = False
SECRET_KEY = production_secret_key(env("DJANGO_SECRET_KEY"))  # no default: required
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
ADVISOR_RATE_LIMIT_STORE = rate_limit_store(CELERY_BROKER_URL)
# Sign-in throttles count in the broker's Redis (or CACHE_URL): one count across all workers.
CACHES = cache_settings(cache_url(CELERY_BROKER_URL))
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

ADVISOR_PRODUCTION = True  # bootstrap_demo refuses to run (see base.py)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container healthchecks speak plain HTTP
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")  # noqa: F405

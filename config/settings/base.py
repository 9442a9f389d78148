"""Settings shared by every mode. Everything that differs between machines comes from the
environment (django-environ); the defaults are the embedded local mode's."""

import datetime as dt
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The embedded mode's state (SQLite, the filesystem broker, mail files, logs).
VAR_DIR = Path(env("ADVISOR_VAR_DIR", default=str(BASE_DIR / "var")))

# No default here: the local and test modes have their fixed keys, production requires a real one.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "axes",
    "accounts",
    "advisor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "advisor.middleware.RefreshedPricesMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into the page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every page (django-csp). Everything the pages run is a static file of
# our own (htmx and Plotly are vendored, see static/vendor/README.md), so script comes only from
# 'self': no inline script, no event-handler attributes, no eval. A name a customer or AWS chose
# that slipped through escaping still could not run. Static files are answered by whitenoise
# before this middleware and carry no policy; they are not documents.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Styles from our stylesheets only: no <style> elements, no style attributes. The rules
        # Plotly would inject are static files too (static/vendor/plotly-css/, linked so Plotly
        # skips the injection: templates/advisor/_plotly.html) and htmx's indicator styles are
        # off (base.html); both then set styles only through the CSSOM, which a policy does not
        # govern. 'unsafe-inline' is not needed. The report preview adds hashes of the email's
        # fixed style attributes on that page alone (advisor/reports/preview_policy.py).
        "style-src": ["'self'"],
        # Plotly's "download as PNG" draws the chart into a data: image.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        # No site may frame a page, as X-Frame-Options: DENY already says to older browsers. The
        # report preview's iframe is srcdoc: it frames no URL, and inherits this policy.
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {{ moment|when }}: one format, with its time zone, on every page and email.
            "builtins": ["advisor.templatetags.moments"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lambda-advisor.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "advisor:overview"
LOGOUT_REDIRECT_URL = "login"

# Sign-in and password-reset throttling (accounts/throttle.py, README "Security"). axes' backend
# goes first: it refuses a locked-out (username, address) before any password is checked, on the
# dashboard's login and the admin's alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are counted in the cache (below), not in axes' tables: one atomic increment per
# attempt, shared by every process, and the counts expire on their own.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("ADVISOR_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("ADVISOR_LOGIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True  # a right password before the limit starts the count again
# Attempts while locked out are refused without being counted, so the lockout ends when the page
# said it would, not later.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
AXES_ENABLE_ADMIN = False  # its admin pages list axes' tables, which the cache handler leaves empty
# One address, any usernames: failed sign-ins per window (django-ratelimit's "count/period").
ADVISOR_LOGIN_FAILURES_PER_IP = env("ADVISOR_LOGIN_FAILURES_PER_IP", default="30/15m")
# Every reset request mails someone (or would): a few per email, a few more per address.
ADVISOR_PASSWORD_RESETS_PER_IP = env("ADVISOR_PASSWORD_RESETS_PER_IP", default="10/h")
ADVISOR_PASSWORD_RESETS_PER_EMAIL = env("ADVISOR_PASSWORD_RESETS_PER_EMAIL", default="3/h")
RATELIMIT_IP_META_KEY = "accounts.throttle.client_ip"
# Proxies in front of the app that append the client's address to X-Forwarded-For (the load
# balancer). 0 trusts none: REMOTE_ADDR is the client. Set it to exactly the number of proxies,
# or a client could name any address it likes and never be throttled.
ADVISOR_TRUSTED_PROXY_COUNT = env.int("ADVISOR_TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: the embedded default writes each message as a file under var/mail (see README).
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env("SMTP_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("SMTP_PORT", default=25)
EMAIL_HOST_USER = env("SMTP_USER", default="")
EMAIL_HOST_PASSWORD = env("SMTP_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("SMTP_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Lambda Advisor <advisor@localhost>")

# Celery. The embedded default uses kombu's filesystem transport so a real worker runs without
# Redis; production and CI set CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
# One region of a very large account fits in well under an hour; past that something is stuck.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
# The soft limit stops a region's collection (queued calls cancelled, what was not read recorded
# as coverage gaps) and leaves a minute to store what was read before the hard limit kills the
# process (prefork only: the solo pool enforces no time limits).
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT", default=max(1, CELERY_TASK_TIME_LIMIT - 60)
)


def broker_transport_options(broker_url: str) -> dict:
    if broker_url.startswith("filesystem"):
        return {
            "data_folder_in": str(VAR_DIR / "broker" / "queue"),
            "data_folder_out": str(VAR_DIR / "broker" / "queue"),
            "control_folder": str(VAR_DIR / "broker" / "control"),
            "processed_folder": str(VAR_DIR / "broker" / "processed"),
            "store_processed": False,
        }
    if broker_url.startswith(("redis://", "rediss://")):
        # Redis hands a message nobody acknowledged within the visibility timeout to another
        # worker (tasks are acknowledged late), so no task is lost with its worker. It must
        # exceed the longest task and the longest retry countdown (report retries wait up to
        # 30 min), or those would run twice; so it stays long, and a scan does not wait for it:
        # the lost-scan sweeper (ADVISOR_SCAN_LOST_AFTER_SECONDS) ends a scan whose worker died
        # within minutes, and the message that comes back later finds it finished.
        return {
            "visibility_timeout": env.int(
                "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 600
            ),
            "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
            # A broker that accepts connections but never answers (hung, or a load balancer or
            # NAT that lost the far side without a reset) would block every publish forever:
            # *Scan now* would hang and leave its scan queued. redis-py waits without limit by
            # default; a healthy broker answers in milliseconds and the worker's BRPOP asks
            # for at most 1 s, so a few seconds fail only a broker that is gone.
            "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=3.0),
            "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
        }
    return {}


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)


def cache_settings(url: str) -> dict:
    """CACHES for a cache URL. The login and password-reset counts live in the default cache, so
    it must be one cache for every process that answers requests: with Redis (production) every
    gunicorn worker on every machine counts together and increments are atomic; a table in the
    database (``dbcache://``, the local mode without Redis; ``manage.py createcachetable``) is
    shared by the dev server and the worker too. A per-process memory cache would let each
    gunicorn worker allow its own share of attempts."""
    is_redis = url.startswith(("redis://", "rediss://"))
    config = environ.Env.cache_url_config(
        url, backend="django.core.cache.backends.redis.RedisCache" if is_redis else None
    )
    config["KEY_PREFIX"] = "advisor"  # apart from the broker's and the rate limiter's keys
    if is_redis:
        # A Redis that stops answering fails a login in seconds instead of hanging the worker.
        config["OPTIONS"] = {"socket_connect_timeout": 5, "socket_timeout": 5}
    return {"default": config}


def cache_url(broker_url: str) -> str:
    """CACHE_URL, or the broker's Redis, or the database's cache table."""
    default = broker_url if broker_url.startswith(("redis://", "rediss://")) else ""
    return env("CACHE_URL", default=default) or "dbcache://advisor_cache"


CACHES = cache_settings(cache_url(CELERY_BROKER_URL))
# Scan results live in the database (Scan, ScanRegion); no Celery result backend is needed.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A scan task is safe to run twice (it upserts its region's result), so acknowledge only after it
# finished: a worker killed mid-scan leaves the message to be redelivered, not lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Long scans should not block short tasks queued behind them on the same worker process.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A scan task that cannot reach the database or the broker (a restart, a failover) is retried
# after 0..2 s, 0..4 s, 0..8 s ... (full jitter, at most 60 s apart), 8 times: about four minutes
# of outage. The cap stays far below the visibility timeout (a countdown longer than it would
# be delivered twice) and below ADVISOR_SCAN_LOST_AFTER_SECONDS (a region waiting for its retry
# writes no heartbeat).
ADVISOR_TASK_RETRY_BACKOFF_SECONDS = env.int("ADVISOR_TASK_RETRY_BACKOFF_SECONDS", default=2)
ADVISOR_TASK_RETRY_BACKOFF_MAX_SECONDS = env.int(
    "ADVISOR_TASK_RETRY_BACKOFF_MAX_SECONDS", default=60
)
ADVISOR_TASK_MAX_RETRIES = env.int("ADVISOR_TASK_MAX_RETRIES", default=8)
# Lost scans (README "Operations"). A running region task writes a heartbeat this often ...
ADVISOR_SCAN_HEARTBEAT_SECONDS = env.int("ADVISOR_SCAN_HEARTBEAT_SECONDS", default=30)
# ... and a running region whose heartbeat is older than this has lost its task (a worker killed
# or out of memory, a task that gave up its retries): the sweeper fails the region with that
# reason and the scan ends with the others. Ten missed beats, and longer than the longest retry
# countdown (a region waiting to be retried writes none).
ADVISOR_SCAN_LOST_AFTER_SECONDS = env.int("ADVISOR_SCAN_LOST_AFTER_SECONDS", default=300)
# How often beat runs the sweeper (advisor.sweep_lost_scans): a lost scan ends within about
# ADVISOR_SCAN_LOST_AFTER_SECONDS + this.
ADVISOR_SWEEP_INTERVAL_SECONDS = env.int("ADVISOR_SWEEP_INTERVAL_SECONDS", default=60)
# How often beat syncs each connected organisation's members (an hour: ListAccounts is a few
# calls, plus one AssumeRole per active member to see whether its role is deployed).
ADVISOR_ORGANIZATION_SYNC_INTERVAL_SECONDS = env.int(
    "ADVISOR_ORGANIZATION_SYNC_INTERVAL_SECONDS", default=3600
)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Task modules outside the apps' tasks.py (autodiscovery finds only advisor/tasks.py).
CELERY_IMPORTS = ["advisor.reports.tasks", "advisor.periodic.tasks"]

# AWS access. The app's own credentials come from the default boto3 chain; for each connected
# account it assumes that account's role with its ExternalId. An endpoint URL (an AWS emulator) on
# an account or given to `manage.py scan` is used only when this is on, and it is off unless a
# settings module or the environment turns it on (local.py and test.py do): the first request to
# an endpoint is AssumeRole signed with the app's own credentials, and an endpoint a tenant chose
# would receive them. Enforced in one place, advisor/collect/session.py, which is handed this
# flag by advisor/services/endpoints.py (the collector reads no settings).
ADVISOR_ALLOW_ENDPOINT_URL = env.bool("ADVISOR_ALLOW_ENDPOINT_URL", default=False)
ADVISOR_APP_ACCOUNT_ID = env("ADVISOR_APP_ACCOUNT_ID", default="000000000000")
# The scanner's client-side rate limit (a share of AWS's Lambda control-plane quotas) leaves the
# customer's own deployments room; turn it off only against an emulator.
ADVISOR_SCAN_RATE_LIMIT = env.bool("ADVISOR_SCAN_RATE_LIMIT", default=True)


def rate_limit_store(broker_url: str) -> str | None:
    """Where the rate limiter's buckets live so every worker shares them: the Redis the broker
    uses, unless ADVISOR_RATE_LIMIT_STORE names another (or "" for in-process buckets)."""
    default = broker_url if broker_url.startswith(("redis://", "rediss://")) else ""
    return env("ADVISOR_RATE_LIMIT_STORE", default=default) or None


ADVISOR_RATE_LIMIT_STORE = rate_limit_store(CELERY_BROKER_URL)
ADVISOR_SITE_URL = env("ADVISOR_SITE_URL", default="http://127.0.0.1:8000")
# How long an invitation's link works (days); the members page and the email say so.
ADVISOR_INVITATION_DAYS = env.int("ADVISOR_INVITATION_DAYS", default=7)
# How long a report's unsubscribe link works (days): long enough for last quarter's emails, short
# enough that a leaked old link stops being a lever; the expired-link page says how else to stop.
ADVISOR_UNSUBSCRIBE_LINK_DAYS = env.int("ADVISOR_UNSUBSCRIBE_LINK_DAYS", default=90)
# Production settings turn this on; commands that plant known credentials (bootstrap_demo) refuse
# to run there. Not from the environment: the settings module chosen is what decides it.
ADVISOR_PRODUCTION = False

# Scheduled scans and emailed reports (README "Schedules and reports").
# Beat sends every account due in the same minute at once; each scheduled scan then waits a random
# share of this window so their AssumeRole and List* calls do not all land together.
ADVISOR_SCHEDULE_JITTER_SECONDS = env.int("ADVISOR_SCHEDULE_JITTER_SECONDS", default=300)
# Scheduled scans running at once across all accounts; more wait for a slot (retried with backoff)
# and are skipped, with the reason on the account, after this many waits.
ADVISOR_MAX_CONCURRENT_SCHEDULED_SCANS = env.int(
    "ADVISOR_MAX_CONCURRENT_SCHEDULED_SCANS", default=4
)
ADVISOR_SCHEDULED_SCAN_MAX_WAITS = env.int("ADVISOR_SCHEDULED_SCAN_MAX_WAITS", default=8)
# Region tasks of scheduled scans running at once across every worker of the pool (the workers on
# one queue and Redis; README "Operations"): keep it below the pool's processes (workers x
# --concurrency, 4 in docker-compose.yml) so that Scan now always finds one free. A region task
# that finds every slot taken is queued again after this many seconds (plus jitter). A lease
# lapses this long after its worker was killed outright (renewed every third of it while the task
# runs). 0 slots: no bound. The slots live in the rate limiter's Redis.
ADVISOR_BULK_REGION_SLOTS = env.int("ADVISOR_BULK_REGION_SLOTS", default=3)
ADVISOR_BULK_REGION_WAIT_SECONDS = env.int("ADVISOR_BULK_REGION_WAIT_SECONDS", default=5)
ADVISOR_BULK_REGION_LEASE_SECONDS = env.int("ADVISOR_BULK_REGION_LEASE_SECONDS", default=120)
# A report that SMTP refused is retried with exponential backoff starting here (seconds).
ADVISOR_REPORT_RETRY_BACKOFF_SECONDS = env.int("ADVISOR_REPORT_RETRY_BACKOFF_SECONDS", default=60)
ADVISOR_REPORT_MAX_RETRIES = env.int("ADVISOR_REPORT_MAX_RETRIES", default=6)
# Retention: the full metric series (per-function CloudWatch series, region inventories) are kept
# for the last N finished scans of each account; older scans keep their summaries, functions and
# findings history. The cleanup works in batches, one short transaction each.
ADVISOR_RETENTION_FULL_SCANS = env.int("ADVISOR_RETENTION_FULL_SCANS", default=10)
ADVISOR_RETENTION_BATCH_SIZE = env.int("ADVISOR_RETENTION_BATCH_SIZE", default=200)
# Workspace audit-log events older than this many days are deleted by the same nightly job.
ADVISOR_AUDIT_RETENTION_DAYS = env.int("ADVISOR_AUDIT_RETENTION_DAYS", default=365)
# A pending connection (the ExternalId of a connect page never completed) older than this many
# days is deleted by the same job: long enough to deploy a role and come back, short enough
# that abandoned ids do not pile up.
ADVISOR_PENDING_CONNECTION_MAX_AGE_DAYS = env.int(
    "ADVISOR_PENDING_CONNECTION_MAX_AGE_DAYS", default=7
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}

"""The Celery app. Configuration lives in Django settings under the CELERY_ prefix."""

from celery import Celery

from config.settings import use_default_settings

use_default_settings()  # production unless DJANGO_SETTINGS_MODULE says otherwise

app = Celery("lambda_advisor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

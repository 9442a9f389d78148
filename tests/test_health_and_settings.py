import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="kV3q9-" + "".join(chr(65 + (i * 7) % 26) for i in range(60)),
        DJANGO_ALLOWED_HOSTS="advisor.example.com",
        DATABASE_URL="sqlite:///:memory:",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(production_env(DJANGO_SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_emulator_endpoints_by_default():
    result = run_manage(
        production_env(),
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ADVISOR_ALLOW_ENDPOINT_URL)",
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr

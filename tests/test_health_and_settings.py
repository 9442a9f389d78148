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


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(
        line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#")
    )


def test_check_deploy_refuses_the_env_example_as_it_ships():
    # A deployer who copied .env.example and filled in nothing.
    result = run_manage(production_env(**env_example()), "check", "--deploy")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a placeholder" in result.stderr


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("local-only-insecure-key-change-me", "is a placeholder"),  # the local mode's key
        ("django-insecure-" + "q8Zr4mW1xK7pV3nB9tY6hJ2fL5dS0gA" * 2, "is a placeholder"),
        ("Xq8Zr4mW1xK7pV3nB9tY6hJ2fL5dS0gAc", "is 33 characters long (at least 50)"),
        ("ab" * 40, "has fewer than 5 distinct characters"),
    ],
)
def test_production_refuses_a_guessable_secret_key(key, why):
    result = run_manage(production_env(DJANGO_SECRET_KEY=key), "check")
    assert result.returncode != 0
    assert f"DJANGO_SECRET_KEY {why}" in result.stderr


def test_the_image_build_collects_static_files_without_any_secret(tmp_path):
    # The Dockerfile's collectstatic step: no DJANGO_SECRET_KEY, database or broker at all.
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.build",
        DJANGO_SECRET_KEY=None,
        DJANGO_ALLOWED_HOSTS=None,
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
    )
    result = run_manage(env, "collectstatic", "--noinput", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "static files copied" in result.stdout
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=config.settings.build python manage.py collectstatic" in (
        dockerfile
    )
    assert "DJANGO_SECRET_KEY" not in dockerfile


def test_bootstrap_demo_refuses_to_run_under_production_settings():
    result = run_manage(production_env(), "bootstrap_demo", "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode != 0
    # Refused before it touches anything: the in-memory database has no tables to complain of.
    assert "bootstrap_demo does not run under production settings" in result.stderr

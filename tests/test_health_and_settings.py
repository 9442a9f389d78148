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


def run_python(env, code):
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


SHOW_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.ADVISOR_ALLOW_ENDPOINT_URL)"
)


@pytest.mark.parametrize(
    "entry_point",
    [
        "import config.wsgi",  # gunicorn config.wsgi:application
        "from config.celery import app; app.loader.import_default_modules()",  # celery -A config
    ],
)
def test_wsgi_and_celery_use_production_settings_when_none_are_named(entry_point):
    result = run_python(
        production_env(DJANGO_SETTINGS_MODULE=None), f"{entry_point}; {SHOW_SETTINGS}"
    )
    assert result.stdout.split() == ["config.settings.production", "False", "False"], result.stderr


def test_manage_uses_production_settings_when_none_are_named():
    result = run_manage(production_env(DJANGO_SETTINGS_MODULE=None), "shell", "-c", SHOW_SETTINGS)
    shown = result.stdout.splitlines()[-1].split()
    assert shown == ["config.settings.production", "False", "False"], result.stderr


@pytest.mark.parametrize(
    "start",
    [
        ["manage.py", "check"],
        ["-c", "import config.wsgi"],
        ["-c", f"from config.celery import app; {SHOW_SETTINGS}"],
    ],
)
def test_a_deployment_that_names_no_settings_and_no_secrets_refuses_to_start(start):
    # Never the local mode's DEBUG and fixed key: production's refusal, saying what to set.
    env = production_env(
        DJANGO_SETTINGS_MODULE=None,
        DJANGO_SECRET_KEY=None,
        DJANGO_ALLOWED_HOSTS=None,
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
    )
    result = subprocess.run(
        [sys.executable, *start], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "Production settings need DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS" in result.stderr
    assert "config.settings.local" in result.stderr  # the way to the local mode


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("config.settings.build", "False"),  # base.py's default
        ("config.settings.production", "False"),
        ("config.settings.local", "True"),
        ("config.settings.test", "True"),
    ],
)
def test_endpoint_urls_are_allowed_only_in_the_local_and_test_modes(module, allowed):
    env = production_env(DJANGO_SETTINGS_MODULE=module, ADVISOR_ALLOW_ENDPOINT_URL=None)
    result = run_python(env, SHOW_SETTINGS)
    assert result.stdout.split()[-1] == allowed, result.stderr

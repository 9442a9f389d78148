"""docker-compose.yml as a deployer runs it (`docker-compose up`, no profile, .env from
.env.example): no mail catcher, nothing published but the web app, mail through the relay."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CATCHER_IMAGES = ("mailpit", "mailhog", "maildev", "smtp4dev")
APP_SERVICES = {"migrate", "web", "worker", "beat"}
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - what compose binds when a port names no address


@pytest.fixture(scope="module")
def compose() -> dict:
    """The resolved compose file, as `docker-compose config` prints it (the raw YAML, whose
    anchors PyYAML merges, where docker-compose is not installed)."""
    if shutil.which("docker-compose") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is not installed (required under CI)")
        return yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    result = subprocess.run(
        ["docker-compose", "--env-file", ".env.example", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, "ADVISOR_ENV_FILE": ".env.example"},
        capture_output=True,
        text=True,
        check=True,
    )
    return yaml.safe_load(result.stdout)


def default_services(compose: dict) -> dict:
    # A service with profiles starts only when one of them is asked for (compose spec).
    return {name: svc for name, svc in compose["services"].items() if not svc.get("profiles")}


def published(service: dict) -> list[tuple[str, int]]:
    """(host address, host port) of every port the service publishes."""
    bound = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            if port.get("published") is not None:
                bound.append((port.get("host_ip", EVERY_INTERFACE), int(port["published"])))
            continue
        parts = str(port).split("/")[0].split(":")
        if len(parts) == 3:
            bound.append((parts[0], int(parts[1])))
        elif len(parts) == 2:
            bound.append((EVERY_INTERFACE, int(parts[0])))
        else:
            bound.append((EVERY_INTERFACE, 0))  # a random host port: published all the same
    return bound


def test_the_default_profile_runs_no_mail_catcher(compose):
    services = default_services(compose)
    assert set(services) >= APP_SERVICES
    catchers = [
        name
        for name, svc in services.items()
        if "mail" in name or any(image in svc.get("image", "") for image in CATCHER_IMAGES)
    ]
    assert not catchers


def test_the_default_profile_publishes_only_the_web_app(compose):
    ports = {
        (name, address, port)
        for name, svc in default_services(compose).items()
        for address, port in published(svc)
    }
    # The web app asks for a login on every page but /healthz; nothing else is reachable.
    assert ports == {("web", EVERY_INTERFACE, 8000)}


def test_the_app_sends_mail_through_the_relay_in_env(compose):
    if shutil.which("docker-compose") is None:
        pytest.skip("only docker-compose reads env_file into each service's environment")
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["SMTP_HOST"] == "smtp.example.com"
        assert str(environment["SMTP_USE_TLS"]).lower() == "true"
        assert environment["SMTP_USER"] and environment["SMTP_PASSWORD"]


def test_the_mail_catcher_profile_listens_on_loopback_only(compose):
    catcher = compose["services"]["mailcatcher"]
    assert catcher["profiles"] == ["mailcatcher"]
    assert published(catcher) == [("127.0.0.1", 8025)]


def test_the_worker_runs_as_the_fault_tests_run_it(compose):
    # tests/fixtures/worker.py starts workers without gossip and mingle (README "Operations").
    command = compose["services"]["worker"]["command"]
    assert command[:4] == ["celery", "-A", "config", "worker"]
    assert {"--without-gossip", "--without-mingle"} <= set(command)

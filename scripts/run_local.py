"""The local mode, all in one: AWS emulator, demo data, first scan, web, Celery worker and beat.

Run by `make run`. Ctrl-C stops everything. State: SQLite and the filesystem broker under var/;
the emulator keeps nothing, so it is seeded again at every start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WEB_PORT = int(os.environ.get("PORT", "8000"))
EMULATOR_PORT = int(os.environ.get("EMULATOR_PORT", "5055"))
ENDPOINT = f"http://127.0.0.1:{EMULATOR_PORT}"

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    # The app's own credentials. In the local mode they only reach the emulator.
    "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
    "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
    "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    "PYTHONUNBUFFERED": "1",
    # The emulator has no quotas to protect.
    "ADVISOR_SCAN_RATE_LIMIT": os.environ.get("ADVISOR_SCAN_RATE_LIMIT", "false"),
}

processes: list[subprocess.Popen] = []


def start(name: str, *args: str, log: Path | None = None) -> subprocess.Popen:
    print(
        f"[run] starting {name}" + (f" (log: {log.relative_to(ROOT)})" if log else ""), flush=True
    )
    output = log.open("a") if log else None
    process = subprocess.Popen(
        args, cwd=ROOT, env=ENV, start_new_session=True, stdout=output, stderr=output
    )
    processes.append(process)
    return process


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_for(url: str, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback URL
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"[run] {what} did not come up at {url}")


def stop_all(*_: object) -> None:
    # SIGTERM to each main process only: Celery then stops its own pool children cleanly.
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    for port, what in [
        (WEB_PORT, "the web server (PORT)"),
        (EMULATOR_PORT, "the emulator (EMULATOR_PORT)"),
    ]:
        if not port_free(port):
            raise SystemExit(f"[run] port {port} for {what} is already in use")
    for folder in ["var/broker/queue", "var/broker/control", "var/broker/processed", "var/mail"]:
        (ROOT / folder).mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        start(
            "AWS emulator",
            *(PY, "-m", "advisor.demo.emulator", "--port", str(EMULATOR_PORT)),
            log=ROOT / "var" / "emulator.log",
        )
        wait_for(f"{ENDPOINT}/moto-api/", "the AWS emulator")
        manage("migrate", "--noinput")
        manage("createcachetable")  # the sign-in throttles count in it (no Redis locally)
        manage("sync_schedules")
        manage("bootstrap_demo", "--endpoint-url", ENDPOINT)
        print("[run] first scan of the demo account", flush=True)
        manage("scan", "--account", "acme-demo", "--inline", "--format", "table")
        start(
            "celery worker",
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
        )
        start(
            "celery beat",
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(ROOT / "var" / "celerybeat-schedule"),
        )
        start("web", PY, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload")
        wait_for(f"http://127.0.0.1:{WEB_PORT}/healthz", "the web server")
        print(
            f"\n[run] Lambda Advisor is up: http://127.0.0.1:{WEB_PORT}/  (user demo, "
            f"password {os.environ.get('DEMO_PASSWORD', 'lambda-advisor-demo')}). Ctrl-C stops.\n",
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        dead = [p.args for p in processes if p.poll() is not None]
        print(f"[run] a process stopped: {dead}; stopping the rest", flush=True)
    except KeyboardInterrupt:
        print("\n[run] stopping", flush=True)
    finally:
        stop_all()


if __name__ == "__main__":
    main()

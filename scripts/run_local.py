"""The local mode, all in one: AWS emulator, demo data, first scan, web, Celery worker and beat.

Run by `make run`. It prints a line per step and one "ready" line; the processes' own output goes
to log files under var/ (`ADVISOR_VAR_DIR`). Ctrl-C (SIGINT) or SIGTERM stops everything: each
process gets SIGTERM, then SIGKILL for its whole process group if it has not ended within
STOP_TIMEOUT seconds, so nothing is left running. State: SQLite and the filesystem broker under
var/; the emulator keeps nothing, so it is seeded again at every start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("ADVISOR_VAR_DIR") or ROOT / "var").resolve()
PY = sys.executable
WEB_PORT = int(os.environ.get("PORT", "8000"))
EMULATOR_PORT = int(os.environ.get("EMULATOR_PORT", "5055"))
ENDPOINT = f"http://127.0.0.1:{EMULATOR_PORT}"
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "lambda-advisor-demo")
STOP_TIMEOUT = 15.0  # seconds a process has to end after SIGTERM (a worker finishing a task)
SETUP_LOG = VAR / "setup.log"

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "ADVISOR_VAR_DIR": str(VAR),
    # The app's own credentials. In the local mode they only reach the emulator.
    "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
    "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
    "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    "PYTHONUNBUFFERED": "1",
    # The emulator has no quotas to protect.
    "ADVISOR_SCAN_RATE_LIMIT": os.environ.get("ADVISOR_SCAN_RATE_LIMIT", "false"),
}

processes: list[subprocess.Popen] = []
names: dict[int, str] = {}  # pid -> the name its log is under
_logs: list[IO[str]] = []
_stopping = False


class Stop(Exception):
    """A signal asked the launcher to stop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)


def say(line: str) -> None:
    print(f"[run] {line}", flush=True)


def on_signal(signum: int, _frame: object) -> None:
    global _stopping
    if _stopping:
        # A second Ctrl-C while stopping: do not wait for anyone.
        for process in processes:
            _kill_group(process)
        return
    _stopping = True
    raise Stop(signum)


def start(name: str, *args: str) -> subprocess.Popen:
    """A long-running process in its own session (its own process group), so a terminal's
    Ctrl-C reaches only this launcher, which then stops each process in order."""
    log = (VAR / f"{name}.log").open("a")
    _logs.append(log)
    process = subprocess.Popen(
        args, cwd=ROOT, env=ENV, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
    )
    processes.append(process)
    names[process.pid] = name
    return process


def manage(step: str, *args: str) -> None:
    """One setup command, its output in var/setup.log; on failure, its last lines here."""
    with SETUP_LOG.open("a") as log:
        log.write(f"\n$ manage.py {' '.join(args)}\n")
        log.flush()
        result = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=ENV, stdout=log, stderr=subprocess.STDOUT
        )
    if result.returncode != 0:
        tail = SETUP_LOG.read_text().splitlines()[-20:]
        raise SystemExit(
            f"[run] {step} failed (exit {result.returncode}); the end of {SETUP_LOG}:\n"
            + "\n".join(tail)
        )


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_for(url: str, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SystemExit(f"[run] {what} stopped while starting; see the logs in {VAR}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback URL
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"[run] {what} did not come up at {url}")


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(process.pid, signal.SIGKILL)


def stop_all() -> None:
    """SIGTERM to each main process, newest first (Celery then stops its own pool children
    cleanly); SIGKILL to the group of any that outlasts STOP_TIMEOUT, and to every group once
    its leader has ended, so no child of theirs is left behind."""
    global _stopping
    _stopping = True  # a signal from now on hurries this along instead of interrupting it
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in reversed(processes):
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"the {names[process.pid]} did not stop within {STOP_TIMEOUT:.0f} s: killed")
        _kill_group(process)
        process.wait()
    for log in _logs:
        log.close()


def first_scan_summary(path: Path) -> str:
    document = json.loads(path.read_text())
    scan = document["scan"]
    return (
        f"{len(document['functions'])} functions, {len(document['findings'])} findings in "
        f"{', '.join(scan['regions'])} ({scan['status']})"
    )


def main() -> int:
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for port, what in [
        (WEB_PORT, "the web server (PORT)"),
        (EMULATOR_PORT, "the emulator (EMULATOR_PORT)"),
    ]:
        if not port_free(port):
            raise SystemExit(f"[run] port {port} for {what} is already in use")
    for folder in ["broker/queue", "broker/control", "broker/processed", "mail"]:
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    say(f"local mode; logs in {VAR}")
    try:
        start("emulator", PY, "-m", "advisor.demo.emulator", "--port", str(EMULATOR_PORT))
        wait_for(f"{ENDPOINT}/moto-api/", "the AWS emulator")
        say(f"AWS emulator on {ENDPOINT}")
        manage("the database setup", "migrate", "--noinput")
        manage("the cache table", "createcachetable")  # sign-in throttles count in it
        manage("the schedules", "sync_schedules")
        manage("seeding the demo", "bootstrap_demo", "--endpoint-url", ENDPOINT)
        say("database ready, demo account acme-demo and organisation acme-org seeded")
        report = VAR / "first-scan.json"
        manage(
            "the first scan",
            *("scan", "--account", "acme-demo", "--inline", "--format", "json"),
            *("--output", str(report)),
        )
        say(f"first scan: {first_scan_summary(report)}; report in {report}")
        start("worker", PY, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO",
              "--concurrency=2")  # fmt: skip
        start("beat", PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
              "--schedule", str(VAR / "celerybeat-schedule"))  # fmt: skip
        start("web", PY, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload")
        wait_for(f"http://127.0.0.1:{WEB_PORT}/healthz", "the web server")
        say(
            f"ready: http://127.0.0.1:{WEB_PORT}/  user demo, password {DEMO_PASSWORD}  "
            "(Ctrl-C or SIGTERM stops everything)"
        )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        dead = [names[p.pid] for p in processes if p.poll() is not None]
        say(f"the {', '.join(dead)} stopped (see {VAR}/{dead[0]}.log); stopping the rest")
        return 1
    except Stop as stop:
        say(f"stopping ({stop})")
        return 0
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())

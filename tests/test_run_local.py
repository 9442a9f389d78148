"""`make run` for real: the launcher brings the local mode up (emulator, demo, first scan, worker,
beat, web), says so in a few lines ending with one "ready" line, and a SIGTERM stops it as
Ctrl-C does, leaving no process behind. Its state goes to a temporary folder, never var/."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# It starts a real Celery worker, and a full demo seed and scan on the emulator.
pytestmark = pytest.mark.worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, from /proc (children first started in sessions of
    their own are still its children)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def read_until_ready(process: subprocess.Popen, timeout: float) -> list[str]:
    """The launcher's lines up to its ready line (its output read without blocking)."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    os.set_blocking(fd, False)
    buffer = b""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            chunk = None
        if chunk:
            buffer += chunk
            *done, buffer = buffer.split(b"\n")
            lines.extend(line.decode() for line in done)
            if any(line.startswith("[run] ready:") for line in lines):
                return lines
        elif chunk == b"" or process.poll() is not None:
            break
        else:
            time.sleep(0.2)
    pytest.fail(f"not ready (exit {process.poll()}):\n" + "\n".join(lines) + buffer.decode())


def rest_of(process: subprocess.Popen) -> str:
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), True)
    return process.stdout.read().decode()


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_run_prints_a_few_lines_then_ready_and_stops_cleanly_on_sigterm(tmp_path):
    # given the launcher on free ports with its state in a temporary folder
    web, emulator = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "CELERY_", "DJANGO_", "ADVISOR_", "TEST_"))
    }
    env.update(PORT=str(web), EMULATOR_PORT=str(emulator), ADVISOR_VAR_DIR=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "scripts/run_local.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    children: set[int] = set()
    try:
        # when it is up
        lines = read_until_ready(process, timeout=400)
        # then it said so in a few lines, the last one the ready line with URL, user and how
        # to stop it; the first scan is summed up, not listed
        assert 4 <= len(lines) <= 8, lines
        ready = lines[-1]
        assert f"http://127.0.0.1:{web}/" in ready
        assert "user demo" in ready and "Ctrl-C" in ready and "SIGTERM" in ready
        assert any(line.startswith("[run] first scan: ") and "findings" in line for line in lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{web}/healthz", timeout=10) as response:
            assert response.status == 200
        children = descendants(process.pid)
        assert len(children) >= 4  # emulator, worker (and its pool), beat, web
        assert (tmp_path / "lambda-advisor.sqlite3").exists()  # its state is where it was told

        # when it gets SIGTERM
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        # then it stops cleanly, at once, with nothing left running
        assert code == 0
        assert time.monotonic() - started < 30
        rest = rest_of(process)
        assert "[run] stopping (SIGTERM)" in rest
        assert "did not stop" not in rest, rest
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if alive(pid)]
        for port in (web, emulator):
            with socket.socket() as sock:
                assert sock.connect_ex(("127.0.0.1", port)) != 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in children | descendants(process.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)

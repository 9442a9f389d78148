"""Headless Chromium (Debian's package) driven by Playwright's sync API, for the browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")  # Debian's package
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def javascript() -> bool:
    """Whether the page runs scripts; a test module overrides this fixture to turn them off."""
    return True


@pytest.fixture
def browser_page(live_server, monkeypatch, javascript) -> Iterator[tuple]:
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (set CHROMIUM_PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # the dev extra is not installed
        require(False, "Playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls run
    # in their own thread, and the test's factory calls are not async code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            java_script_enabled=javascript,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type} on {page.url}: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        try:
            yield page, problems
        finally:
            context.close()
            browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/auth/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")

import os

import pytest

pytest_plugins = [
    "tests.fixtures.emulator",
    "tests.fixtures.worker",
    "tests.fixtures.smtp",
]

IN_CI = os.environ.get("CI") == "true"


def require(condition: bool, why: str) -> None:
    """Under CI a missing service is a failure; elsewhere the test skips saying why."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (required under CI)")
    pytest.skip(why)

"""The runtime deprecation table (``data/runtimes.toml``), loaded once, and how a runtime the
table does not list is judged: by its family and version.

AWS deprecates a language's versions oldest first, so a version older than one the table lists
as deprecated is deprecated too, no later than that one (``nodejs8.10`` before ``nodejs10.x``'s
2021-07-30). A version newer than every listed one of its family is newer than the table (and
supported); anything else cannot be judged from the table.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "runtimes.toml"

# python3.12, nodejs22.x, nodejs8.10, nodejs4.3-edge, java8.al2, dotnetcore2.1, ruby3.4, go1.x
_VERSIONED = re.compile(
    r"^(?P<family>python|nodejs|java|dotnetcore|dotnet|ruby|go)"
    r"(?P<version>\d+(?:\.\d+)*)?(?:\.x)?(?:\.(?P<variant>al2023|al2))?(?:-edge)?$"
)
# The OS-only runtimes, in the order Amazon Linux versions came.
_PROVIDED = {"provided": (1,), "provided.al2": (2,), "provided.al2023": (2023,)}


@dataclass(frozen=True)
class RuntimeTable:
    checked: dt.date
    source: str
    deprecation: dict[str, dt.date]


@cache
def runtime_table() -> RuntimeTable:
    data = tomllib.loads(_DATA.read_text())
    return RuntimeTable(
        checked=data["checked"], source=data["source"], deprecation=dict(data["runtimes"])
    )


@dataclass(frozen=True)
class RuntimeId:
    family: str  # python, nodejs, java, dotnet (with dotnetcore), ruby, go, provided
    version: tuple[int, ...]


def parse_runtime(name: str) -> RuntimeId | None:
    """Family and version of a Lambda runtime identifier; None for one of no known family."""
    if name in _PROVIDED:
        return RuntimeId("provided", _PROVIDED[name])
    if name == "nodejs":  # the first Node.js runtime, 0.10
        return RuntimeId("nodejs", (0, 10))
    match = _VERSIONED.match(name)
    if match is None:
        return None
    family = "dotnet" if match["family"] == "dotnetcore" else match["family"]
    version = tuple(int(part) for part in (match["version"] or "0").split("."))
    return RuntimeId(family, version)


@dataclass(frozen=True)
class Deprecation:
    """When a runtime is deprecated, as far as the table tells.

    ``date`` is the table's date for a listed runtime; for one judged by family it is the date
    of the listed newer version it is deprecated no later than (``listed`` is then False)."""

    runtime: str
    date: dt.date
    listed: bool
    judged_by: str | None = None  # the listed runtime an unlisted one was judged against


def deprecation_of(
    runtime: str, today: dt.date, table: RuntimeTable | None = None
) -> Deprecation | str | None:
    """The runtime's deprecation; None when it is newer than every listed version of its
    family (supported); a reason when the table cannot tell."""
    table = table or runtime_table()
    if runtime in table.deprecation:
        return Deprecation(runtime, table.deprecation[runtime], listed=True)
    parsed = parse_runtime(runtime)
    if parsed is None:
        return f"{runtime} is not in the runtime table and belongs to no family it knows"
    newer = [
        (date, name)
        for name, date in table.deprecation.items()
        if (other := parse_runtime(name)) is not None
        and other.family == parsed.family
        and other.version > parsed.version
    ]
    if not newer:
        return None
    deprecated = sorted((date, name) for date, name in newer if date <= today)
    if deprecated:
        date, name = deprecated[0]
        return Deprecation(runtime, date, listed=False, judged_by=name)
    return (
        f"{runtime} is not in the runtime table (checked {table.checked.isoformat()}) and "
        f"every newer {parsed.family} version it lists is still supported"
    )


def successor(
    runtime: str, today: dt.date, warn_days: int, table: RuntimeTable | None = None
) -> str | None:
    """The newest runtime of the runtime's family that is supported for more than
    ``warn_days`` (one the deprecated-runtime rule does not warn about); go1.x's successor is
    provided.al2023 (Go has no managed runtime after go1.x). None when there is none."""
    table = table or runtime_table()
    parsed = parse_runtime(runtime)
    if parsed is None:
        return None
    family = "provided" if parsed.family == "go" else parsed.family
    candidates = [
        (other.version, name)
        for name, date in table.deprecation.items()
        if (other := parse_runtime(name)) is not None
        and other.family == family
        and (date - today).days > warn_days
    ]
    return max(candidates)[1] if candidates else None

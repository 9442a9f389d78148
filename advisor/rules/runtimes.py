"""The runtime deprecation table (``data/runtimes.toml``), loaded once."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "runtimes.toml"


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

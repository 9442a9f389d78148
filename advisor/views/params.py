"""Reading list filters from a query string without trusting it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def text(params: Mapping[str, str], name: str, *, max_length: int = 200) -> str:
    return (params.get(name) or "").strip()[:max_length]


def choice(params: Mapping[str, str], name: str, allowed: Iterable[str], default: str = "") -> str:
    value = text(params, name)
    return value if value in set(allowed) else default


def integer(params: Mapping[str, str], name: str) -> int | None:
    value = text(params, name)
    return int(value) if value.isdigit() else None


def query_without(params, *names: str) -> str:
    """The query string minus some keys (for pagination and sort links)."""
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()

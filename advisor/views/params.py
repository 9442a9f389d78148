"""Reading list filters from a query string without trusting it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.paginator import Paginator
from django.utils.functional import cached_property


def text(params: Mapping[str, str], name: str, *, max_length: int = 200) -> str:
    return (params.get(name) or "").strip()[:max_length]


def choice(params: Mapping[str, str], name: str, allowed: Iterable[str], default: str = "") -> str:
    value = text(params, name)
    return value if value in set(allowed) else default


def integer(params: Mapping[str, str], name: str) -> int | None:
    value = text(params, name)
    return int(value) if value.isdigit() else None


class CountedPaginator(Paginator):
    """A paginator told its length by a count the page already made (no second COUNT)."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def query_without(params, *names: str) -> str:
    """The query string minus some keys (for pagination and sort links)."""
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()

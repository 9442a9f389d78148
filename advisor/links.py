"""Links for many rows of one page, reversed once.

``{% url %}`` in a table cell reverses the route for every row; a page of 50 accounts or 200
findings spent a good part of its time there. ``url_for_pk`` reverses the route once with a
placeholder and returns a function that puts each row's primary key in its place.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_PLACEHOLDER = "2147483647"  # a pk no row has


def url_for_pk(name: str) -> Callable[[int], str]:
    """``pk -> the URL of the route name for pk`` (the route takes the pk as its one argument)."""
    head, _, tail = reverse(name, args=[int(_PLACEHOLDER)]).rpartition(_PLACEHOLDER)
    return lambda pk: f"{head}{pk}{tail}"

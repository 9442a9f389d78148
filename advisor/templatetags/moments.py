"""The one way the pages and emails write a moment: ``2026-12-02 14:05 UTC``.

A built-in filter (``TEMPLATES`` ``builtins``), so every template writes ``{{ scan.created_at|when
}}`` without loading it, and a list and a detail page never show one moment two ways. The time
zone is the active one (``TIME_ZONE``, UTC by default) and is always written out.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()

MOMENT = "Y-m-d H:i T"
DAY = "Y-m-d"


@register.filter
def when(value: dt.datetime | dt.date | None, default: str = "") -> str:
    """A moment with its time zone; a date alone as ``2026-12-02``; ``default`` for nothing."""
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, MOMENT)
    if isinstance(value, dt.date):
        return date_format(value, DAY)
    return str(value)

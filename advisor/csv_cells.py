"""Cells for every CSV the product writes, so a spreadsheet opens them as text, never as formulas.

Account names are typed by users and finding messages start with names read from customers' AWS
accounts; a cell such as ``=HYPERLINK(...)`` or ``-2+3+cmd|...`` would run in Excel, LibreOffice or
Google Sheets when a teammate opens the export. OWASP's "CSV Injection" advice: prefix a single
quote to a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return. The
spreadsheet then shows the text (the quote is hidden by Excel, visible elsewhere); the ``csv``
module already quotes embedded commas, quotes and newlines.

Only strings are changed. Values typed as numbers (a negative count, an id) and booleans are
written as they are, so they stay numbers in the sheet; a string is quoted even when it would read
as a number, because the exports never carry numbers as text and telling a number from a formula
by parsing is how such filters are usually bypassed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value, with a leading single quote when it is a string that starts like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]

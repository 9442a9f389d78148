"""Dollar figures for tables: to the cent up to a million, then compact ("$12.3 M", "$4.5 T")
so that no figure runs into the next column; the exact figure goes in the cell's title."""

from __future__ import annotations

from django import template

from advisor.decide import figures

register = template.Library()

COMPACT_FROM = figures.COMPACT_USD_FROM


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    amount = float(value)
    if abs(amount) >= COMPACT_FROM:
        return figures.usd(amount)
    return f"${amount:,.2f}"


@register.filter
def money_exact(value) -> str:
    """The figure to the cent, for a title beside a compact one."""
    if value is None or value == "":
        return ""
    return f"${float(value):,.2f}"

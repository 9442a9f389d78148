"""Figures in plain words, for reasons and chart labels: "$1,234.56", "12.5 M", "20.0 min"."""

from __future__ import annotations

# From a million dollars up, a figure is given to three significant digits with its scale, so
# that a planner input at the edge of the model's range still reads (and fits a table cell).
COMPACT_USD_FROM = 1e6


def usd(amount: float) -> str:
    """$12.34; $1,235 from $100; $12.3 M, $4.56 B, $7.89 T from a million."""
    if abs(amount) >= COMPACT_USD_FROM:
        for size, suffix in ((1e12, " T"), (1e9, " B"), (1e6, " M")):
            if abs(amount) >= size:
                return f"${_three_digits(amount / size)}{suffix}"
    if abs(amount) >= 100:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def count(n: float) -> str:
    """A request volume: 950, 12.5 k, 3.2 M, 1.5 B, 2.4 T."""
    for size, suffix in ((1e12, " T"), (1e9, " B"), (1e6, " M"), (1e3, " k")):
        if abs(n) >= size:
            return f"{_three_digits(n / size)}{suffix}"
    return f"{n:.0f}"


def duration(ms: float) -> str:
    if ms >= 7_200_000:
        return f"{ms / 3_600_000:.1f} h"
    if ms >= 60_000:
        return f"{ms / 60_000:.1f} min"
    if ms >= 10_000:
        return f"{ms / 1000:.0f} s"
    if ms >= 1000:
        return f"{ms / 1000:.1f} s"
    return f"{ms:.0f} ms"


def percent(share: float, places: int = 0) -> str:
    """12%; with ``places``, small shares keep their digits (0.5%), trailing zeros dropped."""
    if places:
        return f"{share * 100:.{places}f}".rstrip("0").rstrip(".") + "%"
    return f"{share * 100:.0f}%"


def ratio(x: float) -> str:
    return f"{x:.1f}x"


def _three_digits(x: float) -> str:
    """12.3, 456, 1,000 (never 1e+03: past the largest scale, or rounded up to 1,000)."""
    short = f"{x:.3g}"
    return f"{x:,.0f}" if "e" in short else short

"""Figures in plain words, for reasons and chart labels: "$1,234.56", "12.5 M", "20.0 min"."""

from __future__ import annotations


def usd(amount: float) -> str:
    if abs(amount) >= 100:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def count(n: float) -> str:
    """A request volume: 950, 12.5 k, 3.2 M, 1.5 B."""
    for size, suffix in ((1e9, " B"), (1e6, " M"), (1e3, " k")):
        if abs(n) >= size:
            return f"{n / size:.3g}{suffix}"
    return f"{n:.0f}"


def duration(ms: float) -> str:
    if ms >= 60_000:
        return f"{ms / 60_000:.1f} min"
    if ms >= 10_000:
        return f"{ms / 1000:.0f} s"
    if ms >= 1000:
        return f"{ms / 1000:.1f} s"
    return f"{ms:.0f} ms"


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def ratio(x: float) -> str:
    return f"{x:.1f}x"

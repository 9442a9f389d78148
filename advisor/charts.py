"""Plotly figures for the dashboard, as plain JSON-ready dicts with one palette.

Views pass selector rows or a function's collected metrics in; templates embed the result with
``json_script`` and ``static/js/charts.js`` hands it to ``Plotly.newPlot``. Nothing here reads the
database. The decision's cost chart lives with the decision (``advisor.decide.charts``) and
shares these colours for the options.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from typing import Any

from advisor.collect.inventory import FunctionMetrics, Series

PALETTE = {
    "invocations": "#1f6fb2",
    "errors": "#b3261e",
    "throttles": "#8a5a00",
    "duration_p99": "#1f6fb2",
    "duration_max": "#7a4fbf",
    "duration_avg": "#2f8f46",
    "concurrency": "#2f8f46",
    "limit": "#b3261e",
    "api_limit": "#8a5a00",
    "grid": "#d9dee5",
}
# One colour per account in trend charts, cycled.
SERIES_COLOURS = ("#1f6fb2", "#d45d00", "#2f8f46", "#7a4fbf", "#b3261e", "#555555")

Figure = dict[str, Any]


def _layout(*, y_title: str, **extra: Any) -> dict[str, Any]:
    layout = {
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "height": 300,
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.25},
        "xaxis": {"type": "date", "gridcolor": PALETTE["grid"]},
        "yaxis": {"title": {"text": y_title}, "gridcolor": PALETTE["grid"], "rangemode": "tozero"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif", "size": 12},
    }
    layout.update(extra)
    return layout


def _times(series: Series) -> list[str]:
    start = dt.datetime.fromtimestamp(series.start, tz=dt.UTC)
    step = dt.timedelta(seconds=series.period)
    return [(start + i * step).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(len(series.values))]


def _line(series: Series, *, name: str, colour: str, zero_gaps: bool, **extra: Any) -> dict:
    # Sum metrics with no data point mean no activity: draw 0. Gauges leave a gap.
    values = [(0 if v is None else v) for v in series.values] if zero_gaps else series.values
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": _times(series),
        "y": values,
        "line": {"color": colour, "width": 1.5, **extra.pop("line", {})},
        **extra,
    }


def _hline(y: float, *, text: str, colour: str, left: bool = False) -> tuple[dict, dict]:
    shape = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": {"color": colour, "dash": "dash", "width": 1.5},
    }
    note = {
        "xref": "paper",
        "x": 0 if left else 1,
        "xanchor": "left" if left else "right",
        "yref": "y",
        "y": y,
        "yanchor": "bottom",
        "text": text,
        "showarrow": False,
        "font": {"color": colour},
    }
    return shape, note


def activity_chart(metrics: FunctionMetrics | None) -> Figure | None:
    """Invocations, errors and throttles per period; None when no series was collected."""
    if metrics is None:
        return None
    traces = []
    for key, name in (
        ("invocations", "Invocations"),
        ("errors", "Errors"),
        ("throttles", "Throttles"),
    ):
        series = getattr(metrics, key)
        if series is not None and series.values:
            traces.append(_line(series, name=name, colour=PALETTE[key], zero_gaps=True))
    if not traces:
        return None
    return {"data": traces, "layout": _layout(y_title="Count per hour")}


def duration_chart(
    metrics: FunctionMetrics | None, *, timeout_s: int, api_timeout_ms: int | None = None
) -> Figure | None:
    """Duration p99 and maximum against the function's timeout (and the API Gateway integration
    timeout when an API calls the function): how close the slowest calls come to being cut."""
    if metrics is None:
        return None
    traces = []
    for key, name in (("duration_p99", "p99"), ("duration_max", "Maximum")):
        series = getattr(metrics, key)
        if series is not None and series.values:
            traces.append(
                _line(series, name=f"Duration {name}", colour=PALETTE[key], zero_gaps=False)
            )
    if not traces:
        return None
    shapes, notes = [], []
    timeout_ms = timeout_s * 1000
    shape, note = _hline(timeout_ms, text=f"Timeout {timeout_s:,} s", colour=PALETTE["limit"])
    shapes.append(shape)
    notes.append(note)
    top = timeout_ms
    if api_timeout_ms is not None:
        shape, note = _hline(
            api_timeout_ms,
            text=f"API Gateway limit {api_timeout_ms / 1000:g} s",
            colour=PALETTE["api_limit"],
            left=True,  # the two limits are often close: label them at opposite ends
        )
        shapes.append(shape)
        notes.append(note)
        top = max(top, api_timeout_ms)
    observed = [v for t in traces for v in t["y"] if v is not None]
    layout = _layout(y_title="Duration (ms)", shapes=shapes, annotations=notes)
    # Keep the limit lines in view even when every call is far below them.
    layout["yaxis"]["range"] = [0, max([top, *observed]) * 1.1]
    return {"data": traces, "layout": layout}


def concurrency_chart(metrics: FunctionMetrics | None) -> Figure | None:
    series = metrics.concurrent_max if metrics else None
    if series is None or not series.values:
        return None
    trace = _line(
        series, name="Concurrent executions (max)", colour=PALETTE["concurrency"], zero_gaps=True
    )
    return {"data": [trace], "layout": _layout(y_title="Concurrent executions")}


# The daily table under a function's charts: (column, series, how hours add up to a day).
DAILY_COLUMNS = (
    ("invocations", "invocations", "sum"),
    ("errors", "errors", "sum"),
    ("throttles", "throttles", "sum"),
    ("p99_ms", "duration_p99", "max"),
    ("max_ms", "duration_max", "max"),
    ("concurrency", "concurrent_max", "max"),
)


def daily_figures(metrics: FunctionMetrics | None) -> list[dict[str, Any]]:
    """The charts' numbers a day at a time (UTC), newest first: totals of the count series, the
    highest hourly value of the others. A day without any data point for a series shows None.
    For readers without the charts: screen readers, JavaScript off, copying numbers."""
    if metrics is None:
        return []
    days: dict[dt.date, dict[str, Any]] = {}
    for column, key, how in DAILY_COLUMNS:
        series = getattr(metrics, key)
        if series is None:
            continue
        for i, value in enumerate(series.values):
            day = dt.datetime.fromtimestamp(series.start + i * series.period, dt.UTC).date()
            row = days.setdefault(day, {"day": day})
            if value is None:
                row.setdefault(column, None)
            elif row.get(column) is None:
                row[column] = value
            else:
                row[column] = row[column] + value if how == "sum" else max(row[column], value)
    return [
        {"day": day, **{c: days[day].get(c) for c, _, _ in DAILY_COLUMNS}}
        for day in sorted(days, reverse=True)
    ]


def findings_trend_chart(rows: Iterable[Mapping[str, Any]]) -> Figure | None:
    """Open findings after each scan, one line per account.

    ``rows``: ``{"account": name, "when": datetime, "open": count}`` ordered by time."""
    by_account: dict[str, tuple[list[str], list[int]]] = {}
    for row in rows:
        xs, ys = by_account.setdefault(row["account"], ([], []))
        xs.append(row["when"].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        ys.append(row["open"])
    if not by_account or max(len(xs) for xs, _ in by_account.values()) < 2:
        return None  # a trend needs two scans
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            # Plotly reads a subset of HTML in text (<b>, <a href>) and decodes entities: escaped,
            # an account's name is shown as it was typed, never as markup.
            "name": html.escape(account),
            "x": xs,
            "y": ys,
            "line": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 2},
        }
        for i, (account, (xs, ys)) in enumerate(by_account.items())
    ]
    return {"data": traces, "layout": _layout(y_title="Findings seen")}


def fleet_trend_chart(rows: Iterable[Mapping[str, Any]]) -> Figure | None:
    """The fleet per scan day: findings seen (left axis) and functions (right axis), each account
    counted with its latest scan so far.

    ``rows``: ``{"day": date, "findings": n, "functions": n}`` oldest first."""
    rows = list(rows)
    if len(rows) < 2:
        return None  # a trend needs two days
    days = [row["day"].isoformat() for row in rows]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Findings seen",
            "x": days,
            "y": [row["findings"] for row in rows],
            "line": {"color": SERIES_COLOURS[1], "width": 2},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Functions",
            "x": days,
            "y": [row["functions"] for row in rows],
            "yaxis": "y2",
            "line": {"color": SERIES_COLOURS[0], "width": 2, "dash": "dot"},
        },
    ]
    layout = _layout(
        y_title="Findings seen",
        yaxis2={
            "title": {"text": "Functions"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    layout["margin"]["r"] = 60
    return {"data": traces, "layout": layout}

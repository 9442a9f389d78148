"""Plotly figures for the decision: monthly cost against monthly requests, one line per option.

Builders return a figure as plain JSON-ready dicts (what plotly.py's ``to_plotly_json()`` would
give, without its per-property validation, which cost a function's page more than its queries):
templates embed it (``Plotly.newPlot(el, fig.data, fig.layout)``) and never compute.

Both axes are logarithmic. On log axes Plotly places shapes in data units but annotations in
log10 units (plotly/plotly.py#2580, #4012: ``add_vline``'s own annotation lands at 10^x), so the
vertical line is a shape and its label a separate annotation at ``log10(x)``.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.decide import figures as fig_text
from advisor.decide.framework import (
    OPTION_EC2,
    OPTION_FARGATE,
    OPTION_LAMBDA_ARM,
    OPTION_LAMBDA_X86,
    OPTIONS,
    CostCurve,
)

# One palette for every decide chart.
PALETTE = {
    OPTION_LAMBDA_X86: "#d45d00",
    OPTION_LAMBDA_ARM: "#2f8f46",
    OPTION_FARGATE: "#1f6fb2",
    OPTION_EC2: "#7a4fbf",
    "marker": "#555555",
}
LABELS = {
    OPTION_LAMBDA_X86: "Lambda x86_64",
    OPTION_LAMBDA_ARM: "Lambda arm64",
    OPTION_FARGATE: "Fargate",
    OPTION_EC2: "EC2",
}


def cost_chart(curve: CostCurve, *, title: str | None = None) -> dict[str, Any]:
    """Monthly cost vs monthly requests for each option that can run the workload, the
    crossover marked and the current volume drawn as a vertical line."""
    data: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    for option in OPTIONS:
        values = curve.series[option]
        if all(v is None for v in values):
            continue  # this option cannot run the workload (Lambda over 15 min, no GPU)
        data.append(
            {
                "type": "scatter",
                "x": list(curve.volumes),
                "y": list(values),
                "name": LABELS[option],
                "mode": "lines",
                "line": {
                    "color": PALETTE[option],
                    "width": 2,
                    "dash": "dot" if option == OPTION_LAMBDA_ARM else "solid",
                    "shape": "hv" if option in (OPTION_FARGATE, OPTION_EC2) else "linear",
                },
                "hovertemplate": "%{x:,.0f} requests/month: $%{y:,.2f}<extra>"
                + LABELS[option]
                + "</extra>",
            }
        )

    if curve.crossover_monthly_requests is not None and curve.crossover_option is not None:
        x = curve.crossover_monthly_requests
        y = _value_at(curve, curve.crossover_option, x)
        label = f"{LABELS[curve.crossover_option]} cheaper from {fig_text.count(x)}/month"
        data.append(
            {
                "type": "scatter",
                "x": [x],
                "y": [y],
                "name": "Crossover",
                "mode": "markers",
                "marker": {"color": PALETTE["marker"], "size": 11, "symbol": "x"},
                "hovertemplate": label + "<extra></extra>",
            }
        )
        annotation = {"x": _log10(x), "text": label, "showarrow": True, "arrowhead": 2}
        if y:
            annotation["y"] = _log10(y)
        annotations.append(annotation | {"ax": 0, "ay": -40})

    if curve.current_monthly_requests > 0:
        x = curve.current_monthly_requests
        shapes.append(
            {
                "type": "line",
                "x0": x,
                "x1": x,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": PALETTE["marker"], "dash": "dash", "width": 1},
                "name": "current volume",
            }
        )
        annotations.append(
            {
                "x": _log10(x),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"Now: {fig_text.count(x)}/month",
                "showarrow": False,
            }
        )

    layout: dict[str, Any] = {
        "title": {"text": title} if title else {},
        "xaxis": {"title": {"text": "Requests per month"}, "type": "log"},
        "yaxis": {"title": {"text": "Monthly cost (USD)"}, "type": "log", "tickprefix": "$"},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 60, "r": 20, "t": 50 if title else 20, "b": 60},
        "hovermode": "x unified",
        # Plotly.js's own defaults, which plotly.py's "none" template stands for.
        "template": {"data": {"scatter": [{"type": "scatter"}]}},
    }
    if annotations:
        layout["annotations"] = annotations
    if shapes:
        layout["shapes"] = shapes
    return {"data": data, "layout": layout}


def _value_at(curve: CostCurve, option: str, volume: float) -> float | None:
    for x, y in zip(curve.volumes, curve.series[option], strict=True):
        if x == volume:
            return y
    return None


def _log10(x: float) -> float:
    return math.log10(x) if x > 0 else 0.0

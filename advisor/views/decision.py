"""The decision card's context, shared by the function page and the planner: labels and the
chart around the card's figures (``advisor.decide.card``), which a function's page reads as its
scan stored them and the planner works out for the workload it describes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.decide import PriceTable, WorkloadProfile
from advisor.decide.card import curve_from_json, decision_card
from advisor.decide.charts import cost_chart

VERDICT_LABELS = {
    "lambda": "Stay on Lambda",
    "containers": "Move to containers (ECS on Fargate)",
    "ec2": "Move to EC2",
}
VERDICT_SHORT = {"lambda": "Lambda", "containers": "Containers", "ec2": "EC2"}
COST_LABELS = {
    "lambda_x86_64": "Lambda (x86_64)",
    "lambda_arm64": "Lambda (arm64)",
    "fargate": "ECS on Fargate",
    "ec2": "EC2",
}


def card_context(card: dict[str, Any]) -> dict[str, Any]:
    """The template's card from its stored parts: the figures as they are, with labels, the
    date of the prices and the cost chart drawn from the stored curve."""
    chart = cost_chart(curve_from_json(card["curve"]))
    # Room under the x axis title for the legend on narrow screens.
    chart["layout"].setdefault("legend", {})["y"] = -0.35
    chart["layout"].setdefault("margin", {})["b"] = 110
    as_of = card.get("prices_as_of")
    return {
        **card,
        "verdict_label": VERDICT_LABELS.get(card["verdict"], card["verdict"]),
        "costs": [
            {**cost, "label": COST_LABELS.get(cost["option"], cost["option"])}
            for cost in card["costs"]
        ],
        "prices_as_of": dt.date.fromisoformat(as_of) if as_of else None,
        "chart": chart,
    }


def planned_card(profile: WorkloadProfile, prices: PriceTable) -> dict[str, Any]:
    """The planner's card: a workload no scan has seen, worked out as a scan's analysis would
    (``advisor.decide.card``)."""
    _, card = decision_card(profile, prices)
    return card_context(card)

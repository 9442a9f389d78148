"""The decision card's context, shared by the function page and the planner."""

from __future__ import annotations

from typing import Any

from advisor.decide import (
    DecisionOptions,
    PriceTable,
    WorkloadProfile,
    cost_curve,
    recommend,
)
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


def decision_card(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> dict[str, Any]:
    """The card: verdict, reasons, each option's bill and what it is made of, the chart. A
    scanned function's page passes its workspace's options (``advisor.analysis``), so the card
    gives the verdict its scan stored."""
    rec = recommend(profile, prices, options)
    chart = cost_chart(cost_curve(profile, prices))
    # Room under the x axis title for the legend on narrow screens.
    chart["layout"].setdefault("legend", {})["y"] = -0.35
    chart["layout"].setdefault("margin", {})["b"] = 110
    return {
        "verdict": rec.verdict,
        "verdict_label": VERDICT_LABELS.get(rec.verdict, rec.verdict),
        "reasons": rec.reasons,
        "costs": [
            {
                "option": option,
                "label": COST_LABELS.get(option, option),
                "usd": usd,
                "split": _split(rec, option),
            }
            for option, usd in rec.monthly_cost_usd.items()
        ],
        "front_door": _front_door(rec),
        "notes": rec.notes,
        "crossover": rec.crossover_monthly_requests,
        "lambda_ruled_out": rec.lambda_ruled_out,
        "region": rec.region,
        "prices_as_of": prices.as_of,
        "chart": chart,
    }


def _split(rec, option: str) -> list[tuple[str, float]]:
    """What a bill is made of: a Lambda bill's compute and requests (as AWS's pricing examples
    split it), and each option's front door when it has one."""
    door = rec.front_doors.lambda_ if option.startswith("lambda_") else rec.front_doors.servers
    with_door = door.present and door.counted
    if not option.startswith("lambda_"):
        plan = rec.ec2 if option == "ec2" else rec.fargate
        if not with_door or plan is None or rec.monthly_cost_usd.get(option) is None:
            return []
        name = "instances" if option == "ec2" else "tasks"
        return [(name, round(plan.monthly_usd, 2)), (door.label, round(door.monthly_usd, 2))]
    cost = rec.lambda_costs.get(option.removeprefix("lambda_"))
    if cost is None:
        return []
    if hasattr(cost, "compute_usd"):
        parts = [("compute", cost.compute_usd), ("requests", cost.requests_usd)]
        if cost.init_usd:
            parts.append(("INIT", cost.init_usd))
        if cost.storage_usd:
            parts.append(("ephemeral storage", cost.storage_usd))
    else:
        parts = [
            ("provisioned", cost.provisioned_usd),
            ("duration", cost.duration_usd + cost.spillover_usd),
            ("requests", cost.requests_usd),
        ]
    if with_door:
        parts.append((door.label, door.monthly_usd))
    return [(name, round(usd, 2)) for name, usd in parts]


def _front_door(rec) -> dict[str, Any] | None:
    """The front door on each side, for the card's line under the table (None: there is none)."""
    doors = rec.front_doors
    if not doors.lambda_.present:
        return None
    return {
        "counted": doors.lambda_.counted and doors.servers.counted,
        "lambda": {"label": doors.lambda_.label, "usd": round(doors.lambda_.monthly_usd, 2)},
        "servers": {"label": doors.servers.label, "usd": round(doors.servers.monthly_usd, 2)},
    }

"""The decision card's parts as plain JSON: what a function's page and the planner show under
"Where this workload belongs". A scan's analysis stores it for each function
(``FunctionRecord.decision``), so the page reads the figures the scan worked out, beside the
verdict and the costs its ``recommendation`` holds, and never runs the cost model itself.

    card_json(rec, curve, prices) -> dict
    decision_card(profile, prices, options=None) -> (Recommendation, dict)
    curve_from_json(card["curve"]) -> CostCurve       # for the chart builder

Labels are the page's; every figure is here.
"""

from __future__ import annotations

from typing import Any

from advisor.decide.compare import CostCurve, DecisionOptions, cost_curve
from advisor.decide.framework import Recommendation, recommend
from advisor.decide.prices import PriceTable
from advisor.decide.profile import WorkloadProfile


def decision_card(
    profile: WorkloadProfile, prices: PriceTable, options: DecisionOptions | None = None
) -> tuple[Recommendation, dict[str, Any]]:
    """The recommendation and its card, the curve drawn from the crossover the verdict found."""
    options = options or DecisionOptions()
    rec = recommend(profile, prices, options)
    known = (rec.crossover_monthly_requests, rec.crossover_option)
    curve = cost_curve(
        profile,
        prices,
        options=options,
        known_crossover=known if options.compute_crossover else None,
    )
    return rec, card_json(rec, curve, prices)


def card_json(rec: Recommendation, curve: CostCurve, prices: PriceTable) -> dict[str, Any]:
    """The card: verdict, reasons, each option's bill and what it is made of, the front door on
    each side, the notes on the figures, the crossover and the cost curve."""
    return {
        "verdict": rec.verdict,
        "reasons": list(rec.reasons),
        "costs": [
            {"option": option, "usd": usd, "split": _split(rec, option)}
            for option, usd in rec.monthly_cost_usd.items()
        ],
        "front_door": _front_door(rec),
        "notes": list(rec.notes),
        "crossover": rec.crossover_monthly_requests,
        "lambda_ruled_out": rec.lambda_ruled_out,
        "region": rec.region,
        "prices_as_of": prices.as_of.isoformat() if prices.as_of else None,
        "curve": _curve_json(curve),
    }


def _curve_json(curve: CostCurve) -> dict[str, Any]:
    """``dataclasses.asdict(curve)``, without its deep copy of every figure."""
    return {
        "volumes": list(curve.volumes),
        "series": {option: list(values) for option, values in curve.series.items()},
        "current_monthly_requests": curve.current_monthly_requests,
        "crossover_monthly_requests": curve.crossover_monthly_requests,
        "crossover_option": curve.crossover_option,
        "lambda_ruled_out": curve.lambda_ruled_out,
    }


def curve_from_json(data: dict[str, Any]) -> CostCurve:
    return CostCurve(**data)


def _split(rec: Recommendation, option: str) -> list[list[Any]]:
    """What a bill is made of: a Lambda bill's compute and requests (as AWS's pricing examples
    split it), and each option's front door when it has one."""
    door = rec.front_doors.lambda_ if option.startswith("lambda_") else rec.front_doors.servers
    with_door = door.present and door.counted
    if not option.startswith("lambda_"):
        plan = rec.ec2 if option == "ec2" else rec.fargate
        if not with_door or plan is None or rec.monthly_cost_usd.get(option) is None:
            return []
        name = "instances" if option == "ec2" else "tasks"
        return [[name, round(plan.monthly_usd, 2)], [door.label, round(door.monthly_usd, 2)]]
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
    return [[name, round(usd, 2)] for name, usd in parts]


def _front_door(rec: Recommendation) -> dict[str, Any] | None:
    """The front door on each side, for the card's line under the table (None: there is none)."""
    doors = rec.front_doors
    if not doors.lambda_.present:
        return None
    return {
        "counted": doors.lambda_.counted and doors.servers.counted,
        "lambda": {"label": doors.lambda_.label, "usd": round(doors.lambda_.monthly_usd, 2)},
        "servers": {"label": doors.servers.label, "usd": round(doors.servers.monthly_usd, 2)},
    }

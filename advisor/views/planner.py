"""The planner: a workload that does not exist yet, described in the URL, and where it belongs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from advisor.decide import TRAFFIC_PATTERNS, available_regions, load_prices, parse_planner_params
from advisor.decide.planner import MAX_MEMORY_MB, MIN_MEMORY_MB
from advisor.decide.prices import ARCHITECTURES
from advisor.decide.profile import (
    FRONT_DOORS,
    INVOCATION_TYPES,
    LATENCY_REQUIREMENTS,
    OPS_BUDGETS,
)
from advisor.views.decision import planned_card

FRONT_DOOR_LABELS = {
    "none": "None (invoked by a service, queue or stream)",
    "apigw-rest": "API Gateway REST API",
    "apigw-http": "API Gateway HTTP API",
    "function-url": "Function URL",
    "alb": "Application Load Balancer",
}
TRAFFIC_LABELS = {
    "steady": "Steady, round the clock",
    "daily-cycle": "Busy days, quiet nights",
    "business-hours": "Business hours only",
    "bursty": "Rare bursts",
}
FIELDS = (
    "monthly_requests",
    "avg_duration_ms",
    "memory_mb",
    "traffic_pattern",
    "longest_run_s",
    "latency_requirement",
    "gpu",
    "region",
    "arch",
    "ops_budget",
    "invocation_type",
    "cpu_bound",
    "front_door",
    "keep_api_gateway",
    "init_duration_ms",
    "cold_start_percent",
)


@require_GET
def planner(request: HttpRequest) -> HttpResponse:
    submitted = any(name in request.GET for name in FIELDS)
    values = {name: request.GET.get(name, "") for name in FIELDS}
    decision, errors = None, {}
    if submitted:
        planned, errors = parse_planner_params(request.GET)
        if planned is not None:
            decision = planned_card(planned.to_profile(), load_prices(planned.region))
    return render(
        request,
        "advisor/planner.html",
        {
            "submitted": submitted,
            "values": values,
            "errors": errors,
            "decision": decision,
            "choices": {
                "traffic_pattern": [(k, TRAFFIC_LABELS.get(k, k)) for k in TRAFFIC_PATTERNS],
                "latency_requirement": _pairs(LATENCY_REQUIREMENTS),
                "region": [(r, r) for r in available_regions()],
                "arch": [(a, a) for a in ARCHITECTURES],
                "ops_budget": _pairs(OPS_BUDGETS),
                "invocation_type": _pairs(INVOCATION_TYPES),
                "front_door": [(k, FRONT_DOOR_LABELS.get(k, k)) for k in FRONT_DOORS],
            },
            "memory_range": (MIN_MEMORY_MB, MAX_MEMORY_MB),
        },
    )


def _pairs(values) -> list[tuple[str, str]]:
    return [(v, v.replace("-", " ").capitalize()) for v in values]

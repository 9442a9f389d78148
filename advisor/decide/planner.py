"""The planner's input: a workload that does not exist yet, as a form or a URL describes it.

Pure: the view parses the query string with :func:`parse_planner_params`, shows the returned
errors next to their fields, and passes a valid input to :meth:`PlannerInput.to_profile` and
:func:`advisor.decide.framework.recommend`. :meth:`PlannerInput.to_params` gives the query
string back, so a result can be shared by its URL.

A longest run over Lambda's 15 minutes is not an input error: the decision rules Lambda out and
says why.

Traffic patterns, as the profile's burstiness (busiest hour / mean hour, share of idle hours):

* ``steady``: round the clock with mild peaks: 1.5x, no idle hours;
* ``daily-cycle``: busy days, quiet nights: 2.5x, 10% idle;
* ``business-hours``: 10 hours on 5 days (50 of 168 hours): 168 / 50 x 1.2 = 4.0x, 70% idle;
* ``bursty``: rare spikes (batch drops, campaigns): 12x, 60% idle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from advisor.decide.prices import ARCHITECTURES, available_regions
from advisor.decide.profile import (
    API_GATEWAY_DOORS,
    DEFAULT_CPU_SHARE,
    FRONT_DOOR_NONE,
    FRONT_DOORS,
    INVOCATION_TYPES,
    LATENCY_MODERATE,
    LATENCY_REQUIREMENTS,
    OPS_BUDGETS,
    OPS_MEDIUM,
    SOURCE_PLANNER,
    SYNC,
    WorkloadProfile,
)

MIN_MEMORY_MB = 128  # lambda/latest/dg/configuration-memory.html
MAX_MEMORY_MB = 10_240
MAX_MONTHLY_REQUESTS = 1e12  # far past any single workload; guards against typos
# A run longer than a day is outside what the model sizes (Lambda itself stops at 15 minutes;
# longer runs are allowed so the planner can say Lambda is ruled out).
MAX_DURATION_MS = 86_400_000
# The INIT phase of an on-demand function is limited to 10 s (lambda/latest/dg/
# lambda-runtime-environment.html); the share of cold starts assumed when only the INIT
# duration is given is AWS's: "INITs typically occur in under 1% of invocations"
# (aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/).
MAX_INIT_MS = 10_000
ASSUMED_COLD_START_PERCENT = 1

TRAFFIC_PATTERNS: dict[str, tuple[float, float]] = {
    # name: (busiest hour / mean hour, share of idle hours)
    "steady": (1.5, 0.0),
    "daily-cycle": (2.5, 0.1),
    "business-hours": (4.0, 0.7),
    "bursty": (12.0, 0.6),
}


@dataclass(frozen=True)
class PlannerInput:
    monthly_requests: float
    avg_duration_ms: float
    memory_mb: int
    traffic_pattern: str = "steady"
    longest_run_s: float | None = None  # None: the average duration
    latency_requirement: str = LATENCY_MODERATE
    gpu: bool = False
    region: str = "us-east-1"
    arch: str = "x86_64"
    ops_budget: str = OPS_MEDIUM
    invocation_type: str = SYNC
    cpu_bound: bool = False
    # None unless asked: the published worked examples price Lambda alone, so the planner does.
    front_door: str = FRONT_DOOR_NONE
    keep_api_gateway: bool = False
    # INIT, billed since 2025-08-01: included only when its duration is given
    init_duration_ms: float | None = None
    cold_start_percent: float | None = None  # None: ASSUMED_COLD_START_PERCENT

    def validate(self) -> dict[str, str]:
        """Field name -> what is wrong with it, in words for the form; empty when valid."""
        errors: dict[str, str] = {}
        if not _finite(self.monthly_requests) or self.monthly_requests < 0:
            errors["monthly_requests"] = "Requests per month cannot be negative."
        elif self.monthly_requests > MAX_MONTHLY_REQUESTS:
            errors["monthly_requests"] = "Requests per month must be at most 1 trillion."
        if not _finite(self.avg_duration_ms) or self.avg_duration_ms <= 0:
            errors["avg_duration_ms"] = "Average duration must be more than 0 ms."
        elif self.avg_duration_ms > MAX_DURATION_MS:
            errors["avg_duration_ms"] = (
                f"Average duration must be at most {MAX_DURATION_MS:,} ms "
                "(one day, the range the model covers)."
            )
        if not MIN_MEMORY_MB <= self.memory_mb <= MAX_MEMORY_MB:
            errors["memory_mb"] = (
                f"Memory must be between {MIN_MEMORY_MB:,} and {MAX_MEMORY_MB:,} MB "
                "(the range Lambda allows)."
            )
        if self.longest_run_s is not None:
            if not _finite(self.longest_run_s) or self.longest_run_s <= 0:
                errors["longest_run_s"] = "The longest run must be more than 0 seconds."
            elif self.longest_run_s * 1000 > MAX_DURATION_MS:
                errors["longest_run_s"] = (
                    f"The longest run must be at most {MAX_DURATION_MS // 1000:,} seconds "
                    "(one day, the range the model covers)."
                )
            elif (
                "avg_duration_ms" not in errors
                # a hair of tolerance: seconds and milliseconds round differently
                and self.longest_run_s * 1000 < self.avg_duration_ms * (1 - 1e-9)
            ):
                errors["longest_run_s"] = "The longest run cannot be shorter than the average."
        if self.init_duration_ms is not None:
            if not _finite(self.init_duration_ms) or self.init_duration_ms <= 0:
                errors["init_duration_ms"] = "The INIT duration must be more than 0 ms."
            elif self.init_duration_ms > MAX_INIT_MS:
                errors["init_duration_ms"] = (
                    f"The INIT duration must be at most {MAX_INIT_MS:,} ms "
                    "(the limit Lambda sets on the INIT phase)."
                )
        if self.cold_start_percent is not None:
            if not _finite(self.cold_start_percent) or not 0 <= self.cold_start_percent <= 100:
                errors["cold_start_percent"] = "Cold starts must be between 0 and 100%."
            elif self.init_duration_ms is None:
                errors["cold_start_percent"] = (
                    "Cold starts are priced with an INIT duration: give it too."
                )
        if self.traffic_pattern not in TRAFFIC_PATTERNS:
            errors["traffic_pattern"] = _choose("traffic pattern", TRAFFIC_PATTERNS)
        if self.latency_requirement not in LATENCY_REQUIREMENTS:
            errors["latency_requirement"] = _choose("latency requirement", LATENCY_REQUIREMENTS)
        if self.ops_budget not in OPS_BUDGETS:
            errors["ops_budget"] = _choose("operations budget", OPS_BUDGETS)
        if self.arch not in ARCHITECTURES:
            errors["arch"] = _choose("architecture", ARCHITECTURES)
        if self.invocation_type not in INVOCATION_TYPES:
            errors["invocation_type"] = _choose("invocation type", INVOCATION_TYPES)
        if self.front_door not in FRONT_DOORS:
            errors["front_door"] = _choose("front door", FRONT_DOORS)
        elif self.keep_api_gateway and self.front_door not in API_GATEWAY_DOORS:
            errors["keep_api_gateway"] = (
                "Keeping API Gateway in front of every option needs an API Gateway front door "
                "(REST or HTTP API)."
            )
        if self.region not in available_regions():
            errors["region"] = f"No prices for {self.region}. " + _choose(
                "region", available_regions()
            )
        return errors

    def to_profile(self) -> WorkloadProfile:
        errors = self.validate()
        if errors:
            raise ValueError(f"invalid planner input: {errors}")
        peak_to_mean, idle_share = TRAFFIC_PATTERNS[self.traffic_pattern]
        longest_ms = self.longest_run_s * 1000 if self.longest_run_s is not None else None
        return WorkloadProfile(
            name="planned workload",
            region=self.region,
            monthly_requests=float(self.monthly_requests),
            avg_duration_ms=float(self.avg_duration_ms),
            max_duration_ms=longest_ms,
            memory_mb=int(self.memory_mb),
            arch=self.arch,
            peak_to_mean=peak_to_mean,
            idle_hour_share=idle_share,
            invocation_types=frozenset({self.invocation_type}),
            latency_requirement=self.latency_requirement,
            ops_budget=self.ops_budget,
            gpu=self.gpu,
            cpu_share=1.0 if self.cpu_bound else DEFAULT_CPU_SHARE,
            front_door=self.front_door,
            keep_api_gateway=self.keep_api_gateway,
            init_duration_ms=self.init_duration_ms,
            cold_start_share=(
                None
                if self.init_duration_ms is None
                else (
                    self.cold_start_percent
                    if self.cold_start_percent is not None
                    else ASSUMED_COLD_START_PERCENT
                )
                / 100
            ),
            cold_start_share_assumed=(
                self.init_duration_ms is not None and self.cold_start_percent is None
            ),
            source=SOURCE_PLANNER,
        )

    def to_params(self) -> dict[str, str]:
        """The query string that reproduces this input (for a shareable URL)."""
        params = {
            "monthly_requests": _fmt(self.monthly_requests),
            "avg_duration_ms": _fmt(self.avg_duration_ms),
            "memory_mb": str(self.memory_mb),
            "traffic_pattern": self.traffic_pattern,
            "latency_requirement": self.latency_requirement,
            "region": self.region,
            "arch": self.arch,
            "ops_budget": self.ops_budget,
            "invocation_type": self.invocation_type,
            "front_door": self.front_door,
        }
        if self.keep_api_gateway:
            params["keep_api_gateway"] = "1"
        if self.longest_run_s is not None:
            params["longest_run_s"] = _fmt(self.longest_run_s)
        if self.init_duration_ms is not None:
            params["init_duration_ms"] = _fmt(self.init_duration_ms)
        if self.cold_start_percent is not None:
            params["cold_start_percent"] = _fmt(self.cold_start_percent)
        if self.gpu:
            params["gpu"] = "1"
        if self.cpu_bound:
            params["cpu_bound"] = "1"
        return params


_DEFAULTS = PlannerInput(monthly_requests=0, avg_duration_ms=0, memory_mb=0)
_REQUIRED = ("monthly_requests", "avg_duration_ms", "memory_mb")
_OPTIONAL_NUMBERS = ("longest_run_s", "init_duration_ms", "cold_start_percent")


def parse_planner_params(
    params: Mapping[str, str],
) -> tuple[PlannerInput | None, dict[str, str]]:
    """Parse a query string (or form data) into a valid input, or None and the errors.

    Required: ``monthly_requests``, ``avg_duration_ms``, ``memory_mb``; the rest default as in
    :class:`PlannerInput`. Numbers may carry thousands separators (``1,000,000``)."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name in _REQUIRED:
        raw = (params.get(name) or "").strip()
        if not raw:
            errors[name] = "Required."
            continue
        number = _number(raw)
        if number is None:
            errors[name] = f"{raw!r} is not a number."
        elif name == "memory_mb" and number != int(number):
            errors[name] = "Memory is a whole number of MB."
        else:
            values[name] = int(number) if name == "memory_mb" else number
    for name in _OPTIONAL_NUMBERS:
        raw = (params.get(name) or "").strip()
        if raw:
            number = _number(raw)
            if number is None:
                errors[name] = f"{raw!r} is not a number."
            else:
                values[name] = number
    for name in (
        "traffic_pattern",
        "latency_requirement",
        "region",
        "arch",
        "ops_budget",
        "invocation_type",
        "front_door",
    ):
        raw = (params.get(name) or "").strip()
        values[name] = raw or getattr(_DEFAULTS, name)
    for name in ("gpu", "cpu_bound", "keep_api_gateway"):
        values[name] = (params.get(name) or "").strip().lower() in ("1", "true", "on", "yes")
    if errors:
        return None, errors
    planner = PlannerInput(**values)  # type: ignore[arg-type]
    errors = planner.validate()
    return (None, errors) if errors else (planner, {})


def _number(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return value if _finite(value) else None


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _choose(what: str, allowed) -> str:
    return f"Choose a {what}: {', '.join(allowed)}."

"""One coherent fix per function: when several findings would change one setting, one value.

Rules are judged one at a time, so two of them can ask for the same setting to go different ways:
``apigw-timeout-exceeds-integration`` says lower the timeout under API Gateway's 29 s,
``timeouts-observed`` says raise it to 90 s because invocations run that long. Pasting both
commands leaves whichever ran last. This module reads what each finding proposes (from its
evidence), and settles each setting once, keeping every reason:

1. a *binding* ceiling wins: a limit outside the function that no setting of it can move (API
   Gateway ends a request at its integration timeout whatever the function's timeout);
2. then the largest floor (what the function needs to stop failing: time, memory, concurrency);
3. then the smallest soft ceiling (a cap that protects something else, such as a reservation
   that keeps one function from taking the account's whole pool);
4. then a plain suggestion (a value picked from the observed figures).

A proposal that does not get its way is explained, never dropped. Pure: no Django, no I/O; the
function's page and the scan's email both call :func:`function_fix`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TIMEOUT = "timeout_s"
MEMORY = "memory_mb"
RESERVED = "reserved_concurrency"

AT_MOST = "at_most"
AT_LEAST = "at_least"
SUGGEST = "suggest"

SETTING_NAMES = {
    TIMEOUT: "Timeout",
    MEMORY: "Memory",
    RESERVED: "Reserved concurrency",
}
UNITS = {TIMEOUT: " s", MEMORY: " MB", RESERVED: ""}
CLI_FLAGS = {TIMEOUT: "--timeout", MEMORY: "--memory-size"}
SAM_PROPERTIES = {
    TIMEOUT: "Timeout",
    MEMORY: "MemorySize",
    RESERVED: "ReservedConcurrentExecutions",
}


@dataclass(frozen=True)
class Proposal:
    """One finding's wish for one setting of its function."""

    rule_id: str
    setting: str
    kind: str  # AT_MOST, AT_LEAST or SUGGEST
    value: int
    reason: str  # the finding's message: why
    binding: bool = False  # an AT_MOST that is a limit outside the function (API Gateway's)


@dataclass(frozen=True)
class SettingFix:
    """One setting, settled: the value to set and every proposal that was weighed."""

    setting: str
    value: int
    current: int | None
    proposals: tuple[Proposal, ...]
    explanation: str

    @property
    def name(self) -> str:
        return SETTING_NAMES[self.setting]

    @property
    def shown(self) -> str:
        return f"{self.value}{UNITS[self.setting]}"

    @property
    def reconciled(self) -> bool:
        """Two or more findings wanted this setting, and not all the same value."""
        return len({(p.kind, p.value) for p in self.proposals}) > 1


@dataclass(frozen=True)
class FunctionFix:
    """Every setting the findings of one function would change, settled, with the commands."""

    function_name: str
    region: str
    settings: tuple[SettingFix, ...] = field(default_factory=tuple)

    @property
    def reconciled(self) -> tuple[SettingFix, ...]:
        return tuple(s for s in self.settings if s.reconciled)

    @property
    def cli(self) -> str:
        """The AWS CLI commands that make every change at once (one configuration update)."""
        base = f"aws lambda {{}} --region {self.region} --function-name {self.function_name}"
        config = [
            f"{CLI_FLAGS[s.setting]} {s.value}" for s in self.settings if s.setting in CLI_FLAGS
        ]
        lines = []
        if config:
            lines.append(base.format("update-function-configuration") + " " + " ".join(config))
        for s in self.settings:
            if s.setting == RESERVED:
                lines.append(
                    base.format("put-function-concurrency")
                    + f" --reserved-concurrent-executions {s.value}"
                )
        return "\n".join(lines)

    @property
    def iac(self) -> str:
        lines = [f"{self.function_name}:", "  Type: AWS::Serverless::Function", "  Properties:"]
        lines += [f"    {SAM_PROPERTIES[s.setting]}: {s.value}" for s in self.settings]
        return "\n".join(lines)


# The rules whose findings propose a setting (see proposals_of).
PROPOSING_RULES = frozenset(
    {
        "apigw-timeout-exceeds-integration",
        "timeouts-observed",
        "default-timeout-and-memory",
        "memory-starved",
        "function-throttled",
        "unbounded-concurrency-hog",
    }
)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def proposals_of(rule_id: str, evidence: Mapping[str, Any], message: str) -> list[Proposal]:
    """What one finding asks of its function's settings, read from its evidence."""

    def make(setting: str, kind: str, key: str, *, binding: bool = False) -> list[Proposal]:
        value = _int(evidence.get(key))
        if value is None:
            return []
        return [Proposal(rule_id, setting, kind, value, message, binding)]

    if rule_id == "apigw-timeout-exceeds-integration":
        # API Gateway ends the request at the integration timeout whatever the function's
        # timeout is: a ceiling no setting of the function moves.
        return make(TIMEOUT, AT_MOST, "suggested_timeout_s", binding=True)
    if rule_id == "timeouts-observed":
        return make(TIMEOUT, AT_LEAST, "suggested_timeout_s")
    if rule_id == "default-timeout-and-memory":
        return make(TIMEOUT, SUGGEST, "suggested_timeout_s") + make(
            MEMORY, SUGGEST, "suggested_memory_mb"
        )
    if rule_id == "memory-starved":
        return make(MEMORY, AT_LEAST, "suggested_memory_mb")
    if rule_id == "function-throttled":
        return make(RESERVED, AT_LEAST, "suggested_reservation")
    if rule_id == "unbounded-concurrency-hog":
        return make(RESERVED, AT_MOST, "suggested_reservation")
    if rule_id == "sqs-concurrency-above-reservation":
        # Too small to give each SQS mapping the least maximum concurrency (2): a floor. Below
        # its mappings' total maximum concurrency: raising it is one of two fixes, a suggestion.
        return make(RESERVED, AT_LEAST, "suggested_reserved_concurrency") + make(
            RESERVED, SUGGEST, "total_maximum_concurrency"
        )
    return []


def settle(
    setting: str, proposals: Iterable[Proposal], current: int | None = None
) -> SettingFix | None:
    """One value for one setting from every proposal about it (see the module's order)."""
    proposals = tuple(sorted(proposals, key=lambda p: (p.rule_id, p.kind, p.value)))
    if not proposals:
        return None
    binding = [p for p in proposals if p.kind == AT_MOST and p.binding]
    floors = [p for p in proposals if p.kind == AT_LEAST]
    caps = [p for p in proposals if p.kind == AT_MOST and not p.binding]
    suggestions = [p for p in proposals if p.kind == SUGGEST]
    ceiling = min(binding, key=lambda p: p.value) if binding else None
    unit = UNITS[setting]
    notes: list[str] = []

    if floors:
        chosen = max(floors, key=lambda p: p.value)
        notes.append(f"{chosen.rule_id} needs at least {chosen.value}{unit}")
        notes += [
            f"{cap.rule_id}'s cap of {cap.value}{unit} would make that worse, so the floor wins "
            "(protect what the cap protects another way)"
            for cap in caps
            if cap.value < chosen.value
        ]
    elif caps:
        chosen = min(caps, key=lambda p: p.value)
        notes.append(f"{chosen.rule_id} caps it at {chosen.value}{unit}")
    elif suggestions:
        chosen = max(suggestions, key=lambda p: p.value)
    else:
        assert ceiling is not None
        chosen = ceiling
    value = chosen.value
    notes += [
        f"{p.rule_id}'s suggestion of {p.value}{unit} gives way"
        for p in suggestions
        if p is not chosen and p.value != value
    ]

    if ceiling is not None and value > ceiling.value:
        unmet = [p for p in (*floors, *caps, *suggestions) if p.value > ceiling.value]
        notes = [
            f"{ceiling.rule_id} is a hard limit: the caller gives up after {ceiling.value}{unit} "
            f"whatever the function's setting, so it becomes {ceiling.value}{unit}"
        ]
        notes += [
            f"{p.rule_id} asks for {'at least ' if p.kind == AT_LEAST else ''}{p.value}{unit}, "
            "longer than the caller waits: make that work faster, or take it off the "
            "synchronous path (invoke it asynchronously or through a queue and answer the "
            "caller at once)"
            if setting == TIMEOUT
            else f"{p.rule_id} asks for {p.value}{unit}, above that limit"
            for p in unmet
        ]
        value = ceiling.value
    elif ceiling is not None and chosen is not ceiling:
        notes.append(f"within {ceiling.rule_id}'s hard limit of {ceiling.value}{unit}")
    explanation = ("; ".join(notes) + ".") if notes else ""
    return SettingFix(setting, value, current, proposals, explanation)


def function_fix(
    *,
    function_name: str,
    region: str,
    findings: Iterable[tuple[str, Mapping[str, Any], str]],
    current: Mapping[str, int | None] | None = None,
) -> FunctionFix:
    """The settled settings of one function from its findings' ``(rule_id, evidence,
    message)``; ``current`` holds its present values where known."""
    current = current or {}
    by_setting: dict[str, list[Proposal]] = {}
    for rule_id, evidence, message in findings:
        for proposal in proposals_of(rule_id, evidence or {}, message):
            by_setting.setdefault(proposal.setting, []).append(proposal)
    settings = []
    for setting in (TIMEOUT, MEMORY, RESERVED):
        fix = settle(setting, by_setting.get(setting, ()), current.get(setting))
        if fix is not None and fix.value != fix.current:
            settings.append(fix)
    return FunctionFix(function_name=function_name, region=region, settings=tuple(settings))

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_FUNCTIONS,
    DATA_METRICS,
    DATA_QUALIFIERS,
    Function,
    FunctionMetrics,
    RegionInventory,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import Served, caller_arns, in_use, not_published, served_evidence
from advisor.rules.support import (
    lambda_cli,
    metrics_or_reason,
    not_evaluated,
    publish_and_move,
    sam_function,
)

POWER_TUNING = "https://github.com/alexcasalboni/aws-lambda-power-tuning"

RULE = Rule(
    id="memory-starved",
    title="Low memory with long durations",
    pillar=Pillar.PERFORMANCE,
    severity=Severity.LOW,
    rationale=(
        "Lambda allocates CPU in proportion to memory: one full vCPU at 1,769 MB, a fraction "
        "of one below. A CPU-bound function at the minimum memory runs many times slower than "
        "it could, and because duration is billed per GB-second, more memory is often faster "
        "and no dearer. AWS Lambda Power Tuning measures the best setting for a function. "
        "The memory judged is that of the configurations in use (the published versions behind "
        "the aliases and versions callers invoke or that had traffic; $LATEST when it is "
        "invoked unqualified or nothing is published); the duration is the function's, over "
        "all of them. Low memory only on an unpublished $LATEST is reported as information."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html",
        "https://docs.aws.amazon.com/lambda/latest/operatorguide/computing-power.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS, DATA_QUALIFIERS),
    options={"max_memory_mb": 256, "min_avg_duration_ms": 1000, "suggested_memory_mb": 1024},
    option_order=(("max_memory_mb", "suggested_memory_mb"),),
    option_help={
        "max_memory_mb": "Memory at or below which a function counts as starved.",
        "min_avg_duration_ms": "Average duration at or above which a starved function is reported.",
        "suggested_memory_mb": "Memory proposed in the remediation, as a starting point to tune.",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        served, unknown = in_use(fn, caller_arns(fn, ctx.relations.callers(fn)))
        starved = [s for s in served if s.memory_mb <= options["max_memory_mb"]]
        latest_only = (
            not starved
            and not unknown
            and fn.memory_mb <= options["max_memory_mb"]
            and not_published(fn, served)
        )
        if not starved and not latest_only:
            if unknown:
                yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
            continue
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        average = metrics.duration_avg_ms
        if average is None or average < options["min_avg_duration_ms"]:
            continue
        if starved:
            yield _finding(inventory, fn, starved, metrics, options)
        else:
            yield _unpublished(inventory, fn, served, average, options)


def _finding(
    inventory: RegionInventory,
    fn: Function,
    starved: list[Served],
    metrics: FunctionMetrics,
    options: Mapping[str, Any],
) -> Result:
    config = min(starved, key=lambda s: s.memory_mb)
    memory = config.memory_mb
    average = metrics.duration_avg_ms
    assert average is not None
    suggested = options["suggested_memory_mb"]
    who = fn.name if config.qualifier is None else f"{fn.name}:{config.label}"
    published = [s for s in starved if s.qualifier is not None and not s.assumed]
    message = (
        f"{who} has {memory} MB of memory (about {memory / 1769:.2f} "
        f"vCPU) and runs {average:.0f} ms on average (threshold "
        f"{options['min_avg_duration_ms']} ms): try {suggested} MB and measure with "
        f"AWS Lambda Power Tuning ({POWER_TUNING})."
    )
    if published and fn.memory_mb != memory:
        message += f" ($LATEST has {fn.memory_mb} MB, but callers invoke {config.label}.)"
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=message,
        evidence={
            "memory_mb": memory,
            "max_memory_mb": options["max_memory_mb"],
            "duration_avg_ms": average,
            "min_avg_duration_ms": options["min_avg_duration_ms"],
            "duration_p99_ms": metrics.duration_p99_ms,
            "invocations": metrics.invocations_total,
            "vcpu_share": round(memory / 1769, 3),
            "suggested_memory_mb": suggested,
            "power_tuning": POWER_TUNING,
            "qualifier": config.qualifier,
            "version": None if config.assumed else config.version,
            "latest_memory_mb": fn.memory_mb,
            "in_use": [
                {**e, "memory_mb": s.memory_mb}
                for s, e in zip(starved, served_evidence(starved), strict=True)
            ],
        },
        remediation=_remediation(inventory, fn, suggested, published),
    )


def _unpublished(
    inventory: RegionInventory,
    fn: Function,
    served: list[Served],
    average: float,
    options: Mapping[str, Any],
) -> Result:
    """Only the unpublished $LATEST is starved: the versions callers run are not."""
    live = ", ".join(f"{s.label} with {s.memory_mb} MB" for s in served)
    suggested = options["suggested_memory_mb"]
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=Severity.INFO,
        message=(
            f"Not live yet: {fn.name}'s unpublished $LATEST has {fn.memory_mb} MB of memory, "
            f"while its callers invoke {live} and run {average:.0f} ms on average. Publishing "
            "$LATEST as it is would starve them of CPU."
        ),
        evidence={
            "memory_mb": fn.memory_mb,
            "max_memory_mb": options["max_memory_mb"],
            "duration_avg_ms": average,
            "min_avg_duration_ms": options["min_avg_duration_ms"],
            "version": "$LATEST",
            "unpublished": True,
            "suggested_memory_mb": suggested,
            "in_use": [
                {**e, "memory_mb": s.memory_mb}
                for s, e in zip(served, served_evidence(served), strict=True)
            ],
        },
        remediation=_remediation(inventory, fn, suggested, []),
    )


def _remediation(
    inventory: RegionInventory, fn: Function, suggested: int, published: list[Served]
) -> Remediation:
    then = publish_and_move(inventory, fn, published)
    return Remediation(
        cli=lambda_cli(inventory, "update-function-configuration", fn, f"--memory-size {suggested}")
        + then,
        iac=sam_function(
            fn, {"MemorySize": suggested, **({"AutoPublishAlias": "live"} if then else {})}
        ),
    )

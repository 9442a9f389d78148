from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_METRICS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import lambda_cli, metrics_or_reason, not_evaluated, sam_function

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
        "and no dearer. AWS Lambda Power Tuning measures the best setting for a function."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html",
        "https://docs.aws.amazon.com/lambda/latest/operatorguide/computing-power.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS),
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
        if fn.memory_mb > options["max_memory_mb"]:
            continue
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        average = metrics.duration_avg_ms
        if average is None or average < options["min_avg_duration_ms"]:
            continue
        suggested = options["suggested_memory_mb"]
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} has {fn.memory_mb} MB of memory (about {fn.memory_mb / 1769:.2f} "
                f"vCPU) and runs {average:.0f} ms on average (threshold "
                f"{options['min_avg_duration_ms']} ms): try {suggested} MB and measure with "
                f"AWS Lambda Power Tuning ({POWER_TUNING})."
            ),
            evidence={
                "memory_mb": fn.memory_mb,
                "max_memory_mb": options["max_memory_mb"],
                "duration_avg_ms": average,
                "min_avg_duration_ms": options["min_avg_duration_ms"],
                "duration_p99_ms": metrics.duration_p99_ms,
                "invocations": metrics.invocations_total,
                "vcpu_share": round(fn.memory_mb / 1769, 3),
                "suggested_memory_mb": suggested,
                "power_tuning": POWER_TUNING,
            },
            remediation=Remediation(
                cli=lambda_cli(
                    inventory, "update-function-configuration", fn, f"--memory-size {suggested}"
                ),
                iac=sam_function(fn, {"MemorySize": suggested}),
            ),
        )

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import lambda_cli, sam_function

DEFAULT_TIMEOUT_S = 3
DEFAULT_MEMORY_MB = 128

RULE = Rule(
    id="default-timeout-and-memory",
    title="Timeout and memory left at the 3 s / 128 MB defaults",
    pillar=Pillar.OPERATIONS,
    severity=Severity.LOW,
    rationale=(
        "A new function gets a 3-second timeout and 128 MB of memory. Both defaults together "
        "usually mean nobody chose them: 3 s is short for anything calling a database or "
        "another service (a slow dependency turns into timeouts), and 128 MB gives the "
        "smallest CPU share. Set both deliberately from measured durations."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    ),
    requires=(DATA_FUNCTIONS,),
    options={"suggested_memory_mb": 256, "timeout_headroom": 3},
    option_bounds={"timeout_headroom": (1, 10)},
    option_help={
        "suggested_memory_mb": "Memory proposed in the remediation, a starting point to tune.",
        "timeout_headroom": (
            "The suggested timeout is the observed maximum duration times this (at least 3 s; "
            "10 s when no duration was observed)."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        if fn.timeout_s != DEFAULT_TIMEOUT_S or fn.memory_mb != DEFAULT_MEMORY_MB:
            continue
        observed = fn.metrics.duration_max_ms if fn.metrics else None
        if observed:
            timeout = min(900, max(3, math.ceil(observed * options["timeout_headroom"] / 1000)))
        else:
            timeout = 10
        memory = options["suggested_memory_mb"]
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} still has the default {fn.timeout_s} s timeout and "
                f"{fn.memory_mb} MB of memory"
                + (f" (observed maximum duration {observed:.0f} ms)" if observed else "")
                + f": set them deliberately, e.g. {timeout} s and {memory} MB."
            ),
            evidence={
                "timeout_s": fn.timeout_s,
                "memory_mb": fn.memory_mb,
                "default_timeout_s": DEFAULT_TIMEOUT_S,
                "default_memory_mb": DEFAULT_MEMORY_MB,
                "observed_max_duration_ms": observed,
                "suggested_timeout_s": timeout,
                "suggested_memory_mb": memory,
            },
            remediation=Remediation(
                cli=lambda_cli(
                    inventory,
                    "update-function-configuration",
                    fn,
                    f"--timeout {timeout} --memory-size {memory}",
                ),
                iac=sam_function(fn, {"Timeout": timeout, "MemorySize": memory}),
            ),
        )

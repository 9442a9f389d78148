from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_METRICS
from advisor.decide import arm64_saving
from advisor.rules.base import NotEvaluated, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.costing import prices_or_reason, profile_or_reason, usd
from advisor.rules.support import lambda_cli, not_evaluated, sam_function

# Runtimes without an arm64 build (all deprecated): lambda/latest/dg/lambda-runtimes.html.
NO_ARM64 = frozenset(
    {
        "go1.x",
        "java8",
        "provided",
        "python2.7",
        "python3.6",
        "python3.7",
        "nodejs10.x",
        "nodejs8.10",
        "dotnetcore2.1",
        "ruby2.5",
    }
)

RULE = Rule(
    id="arm64-candidate",
    title="x86_64 function that could run on arm64 (Graviton) for less",
    pillar=Pillar.COST,
    severity=Severity.LOW,
    rationale=(
        "Lambda bills arm64 (Graviton2) duration about 20 % below x86_64 for the same memory, "
        "and many workloads also run faster on it. Interpreted code (Python, Node.js, Ruby, "
        "Java, .NET) usually moves by changing the architecture and rebuilding; native "
        "dependencies must be rebuilt for arm64, so test before switching. The saving is "
        "computed by the cost model at the observed volume and duration, so it is a floor."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "https://aws.amazon.com/lambda/pricing/",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS),
    options={"min_monthly_saving_usd": 1.0},
    option_help={
        "min_monthly_saving_usd": "Monthly saving, in dollars, below which nothing is reported.",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    candidates = [
        fn
        for fn in inventory.functions
        if fn.arch == "x86_64"
        and fn.package_type == "Zip"
        and fn.runtime is not None
        and fn.runtime not in NO_ARM64
    ]
    if not candidates:
        return
    prices = prices_or_reason(inventory)
    if isinstance(prices, str):
        yield NotEvaluated(RULE.id, inventory.region, prices)
        return
    for fn in candidates:
        profile = profile_or_reason(ctx, fn)
        if isinstance(profile, str):
            yield not_evaluated(RULE, inventory, fn.arn, profile)
            continue
        saving = arm64_saving(profile, prices)
        if saving is None or saving.monthly_saving_usd < options["min_monthly_saving_usd"]:
            continue
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} runs {fn.runtime} on x86_64: at {profile.monthly_requests:,.0f} "
                f"requests a month of {profile.avg_duration_ms:.0f} ms at {fn.memory_mb} MB it "
                f"costs {usd(saving.x86_monthly_usd)} a month, {usd(saving.arm64_monthly_usd)} on "
                f"arm64: {usd(saving.monthly_saving_usd)} a month less."
            ),
            evidence={
                "architecture": fn.arch,
                "runtime": fn.runtime,
                "x86_64_monthly_usd": round(saving.x86_monthly_usd, 2),
                "arm64_monthly_usd": round(saving.arm64_monthly_usd, 2),
                "monthly_saving_usd": round(saving.monthly_saving_usd, 2),
                "monthly_requests": round(profile.monthly_requests),
                "avg_duration_ms": profile.avg_duration_ms,
                "memory_mb": fn.memory_mb,
                "prices_as_of": prices.as_of.isoformat(),
                "min_monthly_saving_usd": options["min_monthly_saving_usd"],
            },
            remediation=Remediation(
                # The architecture is a property of the code: it changes with the package.
                cli=lambda_cli(
                    inventory,
                    "update-function-code",
                    fn,
                    f"--architectures arm64 --zip-file fileb://{fn.name}-arm64.zip",
                ),
                iac=sam_function(fn, {"Architectures": ["arm64"]}),
            ),
        )

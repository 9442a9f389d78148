from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_FUNCTIONS,
    DATA_METRICS,
    DATA_PROVISIONED_CONCURRENCY,
)
from advisor.decide import idle_provisioned_concurrency
from advisor.rules.base import NotEvaluated, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.costing import prices_or_reason, profile_or_reason, usd
from advisor.rules.support import (
    gap_reason,
    lambda_cli,
    not_evaluated,
    resource_gap,
    sam_function,
)

RULE = Rule(
    id="provisioned-concurrency-underused",
    title="Provisioned concurrency mostly idle",
    pillar=Pillar.COST,
    severity=Severity.MEDIUM,
    rationale=(
        "Provisioned concurrency is billed for every configured instance, every second it is "
        "configured, whether it serves requests or not. When the highest "
        "ProvisionedConcurrencyUtilization over the window shows most instances were never "
        "needed (or the function was not invoked at all), the idle ones are pure cost. Lower "
        "the setting to the peak in use, or scale it on a schedule or with Application Auto "
        "Scaling."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        "https://aws.amazon.com/lambda/pricing/",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS, DATA_PROVISIONED_CONCURRENCY),
    options={"min_idle_share": 0.5, "min_monthly_saving_usd": 1.0},
    option_help={
        "min_idle_share": "Share of provisioned instances never in use at which it is reported.",
        "min_monthly_saving_usd": "Monthly waste, in dollars, below which nothing is reported.",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    candidates = []
    for fn in inventory.functions:
        gap = resource_gap(inventory, DATA_PROVISIONED_CONCURRENCY, fn.arn)
        if gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(gap))
        elif fn.provisioned_concurrency:
            candidates.append(fn)
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
        if profile.provisioned_utilization_peak is None and profile.monthly_requests > 0:
            yield not_evaluated(
                RULE, inventory, fn.arn, "invoked, but no ProvisionedConcurrencyUtilization metric"
            )
            continue
        idle = idle_provisioned_concurrency(profile, prices)
        if idle is None:
            continue
        idle_share = idle.idle / idle.configured
        if idle_share < options["min_idle_share"]:
            continue
        if idle.monthly_saving_usd < options["min_monthly_saving_usd"]:
            continue
        config = max(fn.provisioned_concurrency, key=lambda c: c.requested)
        keep = max(0, config.requested - idle.idle)
        used = (
            f"at most {idle.peak_in_use} in use (peak utilization {idle.utilization_peak:.0%})"
            if idle.utilization_peak is not None
            else "no invocations in the window"
        )
        if keep > 0:
            cli = lambda_cli(
                inventory,
                "put-provisioned-concurrency-config",
                fn,
                f"--qualifier {config.qualifier} --provisioned-concurrent-executions {keep}",
            )
        else:
            cli = lambda_cli(
                inventory,
                "delete-provisioned-concurrency-config",
                fn,
                f"--qualifier {config.qualifier}",
            )
        iac_props: dict[str, Any] = {"AutoPublishAlias": config.qualifier}
        if keep > 0:
            iac_props["ProvisionedConcurrencyConfig"] = {"ProvisionedConcurrentExecutions": keep}
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} keeps {idle.configured} provisioned instances with {used}: "
                f"{idle.idle} idle instances cost {usd(idle.monthly_saving_usd)} a month."
            ),
            evidence={
                "configured": idle.configured,
                "peak_in_use": idle.peak_in_use,
                "idle": idle.idle,
                "idle_share": round(idle_share, 4),
                "min_idle_share": options["min_idle_share"],
                "utilization_peak": idle.utilization_peak,
                "monthly_waste_usd": round(idle.monthly_saving_usd, 2),
                "configs": [
                    {"qualifier": c.qualifier, "requested": c.requested, "allocated": c.allocated}
                    for c in fn.provisioned_concurrency
                ],
                "prices_as_of": prices.as_of.isoformat(),
            },
            remediation=Remediation(cli=cli, iac=sam_function(fn, iac_props)),
        )

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from advisor.collect.inventory import (
    DATA_FUNCTIONS,
    DATA_METRICS,
    DATA_PROVISIONED_CONCURRENCY,
    Function,
    ProvisionedConcurrencyConfig,
    RegionInventory,
)
from advisor.decide import WorkloadProfile, idle_provisioned_concurrency
from advisor.decide.opportunities import IdleProvisioned
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
        "Scaling. Each alias's configuration is judged on its own utilisation; an alias no "
        "caller invoked in the window keeps its instances idle, which no metric shows, so the "
        "scan lists the configurations of every alias in use."
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
        judged = [_judge(fn, config, profile, prices) for config in fn.provisioned_concurrency]
        unknown = [j for j in judged if j.idle is None and j.reason]
        wasteful = [
            j
            for j in judged
            if j.idle is not None
            and j.idle.idle / j.idle.configured >= options["min_idle_share"]
            and j.idle.monthly_saving_usd >= options["min_monthly_saving_usd"]
        ]
        if not wasteful:
            if unknown and len(unknown) == len(judged):
                yield not_evaluated(RULE, inventory, fn.arn, unknown[0].reason)
            continue
        yield _finding(
            inventory,
            fn,
            judged,
            max(wasteful, key=lambda j: j.idle.monthly_saving_usd),
            prices,
            options,
        )


@dataclass(frozen=True)
class _Judged:
    config: ProvisionedConcurrencyConfig
    idle: IdleProvisioned | None
    reason: str | None = None  # why its use is not known


def _judge(
    fn: Function,
    config: ProvisionedConcurrencyConfig,
    profile: WorkloadProfile,
    prices: Any,
) -> _Judged:
    """One provisioned configuration, on its own alias's utilisation (never the maximum over
    the function's aliases). An inventory without per-alias series judges the function's."""
    metrics = fn.metrics
    per_alias = metrics.provisioned_utilization_by_qualifier if metrics else {}
    configured = config.allocated if config.allocated is not None else config.requested
    if per_alias or fn.qualifiers:
        series = per_alias.get(config.qualifier)
        entry = fn.qualifier(config.qualifier)
        invoked = entry is None or entry.has_traffic
        utilization = series.peak() if series is not None else None
        profile = replace(
            profile,
            provisioned_concurrency=configured,
            provisioned_utilization_peak=utilization,
            monthly_requests=profile.monthly_requests if invoked else 0,
        )
    elif len(fn.provisioned_concurrency) > 1:
        profile = replace(profile, provisioned_concurrency=configured)
    if profile.provisioned_utilization_peak is None and profile.monthly_requests > 0:
        return _Judged(
            config,
            None,
            f"{config.qualifier}: invoked, but no ProvisionedConcurrencyUtilization metric",
        )
    return _Judged(config, idle_provisioned_concurrency(profile, prices))


def _finding(
    inventory: RegionInventory,
    fn: Function,
    judged: list[_Judged],
    worst: _Judged,
    prices: Any,
    options: Mapping[str, Any],
) -> Result:
    idle, config = worst.idle, worst.config
    assert idle is not None
    idle_share = idle.idle / idle.configured
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
    who = fn.name if len(fn.provisioned_concurrency) == 1 else f"{fn.name}:{config.qualifier}"
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{who} keeps {idle.configured} provisioned instances with {used}: "
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
            "qualifier": config.qualifier,
            "configs": [
                {
                    "qualifier": j.config.qualifier,
                    "requested": j.config.requested,
                    "allocated": j.config.allocated,
                    "idle": j.idle.idle if j.idle else None,
                    "utilization_peak": j.idle.utilization_peak if j.idle else None,
                    "monthly_waste_usd": round(j.idle.monthly_saving_usd, 2) if j.idle else None,
                    "not_evaluated": j.reason,
                }
                for j in judged
            ],
            "prices_as_of": prices.as_of.isoformat(),
        },
        remediation=Remediation(cli=cli, iac=sam_function(fn, iac_props)),
    )

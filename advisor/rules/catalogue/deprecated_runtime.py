from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.runtimes import runtime_table

RULE = Rule(
    id="deprecated-runtime",
    title="Runtime deprecated or near its deprecation date",
    pillar=Pillar.SECURITY,
    severity=Severity.HIGH,
    rationale=(
        "After a runtime's deprecation date AWS stops applying security patches and support; "
        "later it blocks creating and then updating functions on it. A function on a deprecated "
        "runtime runs unpatched code, and a routine deploy may suddenly be refused."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html",
    ),
    requires=(DATA_FUNCTIONS,),
    options={"warn_days": 180, "today": None},
    option_help={
        "warn_days": "Days before the deprecation date at which a medium finding opens.",
        "today": "The date to judge against (ISO); empty means the scan's own date.",
    },
)

# The newest runtime of each family, for the remediation.
_SUCCESSORS = {
    "python": "python3.13",
    "nodejs": "nodejs22.x",
    "java": "java21",
    "dotnet": "dotnet10",
    "ruby": "ruby3.4",
    "provided": "provided.al2023",
    "go": "provided.al2023",
}


def _successor(runtime: str) -> str:
    for prefix, newest in _SUCCESSORS.items():
        if runtime.startswith(prefix):
            return newest
    return "a supported runtime"


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    table = runtime_table()
    today = options["today"] or dt.datetime.now(dt.UTC).date()
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    for fn in inventory.functions:
        if fn.runtime is None or fn.runtime not in table.deprecation:
            continue
        deprecated_on = table.deprecation[fn.runtime]
        days_left = (deprecated_on - today).days
        if days_left > options["warn_days"]:
            continue
        successor = _successor(fn.runtime)
        if days_left <= 0:
            severity = Severity.HIGH
            message = (
                f"{fn.name} runs {fn.runtime}, deprecated on {deprecated_on.isoformat()} "
                f"({-days_left} days ago): it no longer receives security patches."
            )
        else:
            severity = Severity.MEDIUM
            message = (
                f"{fn.name} runs {fn.runtime}, deprecated on {deprecated_on.isoformat()} "
                f"(in {days_left} days, within the {options['warn_days']}-day warning window)."
            )
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            severity=severity,
            message=message,
            evidence={
                "runtime": fn.runtime,
                "deprecation_date": deprecated_on.isoformat(),
                "days_until_deprecation": days_left,
                "warn_days": options["warn_days"],
                "table_checked": table.checked.isoformat(),
                "suggested_runtime": successor,
            },
            remediation=Remediation(
                cli=(
                    f"aws lambda update-function-configuration --region {inventory.region} "
                    f"--function-name {fn.name} --runtime {successor}"
                ),
                iac=(
                    f"{fn.name}:\n  Type: AWS::Serverless::Function\n  Properties:\n"
                    f"    Runtime: {successor}"
                ),
            ),
        )

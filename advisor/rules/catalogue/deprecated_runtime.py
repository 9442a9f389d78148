from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, Function, RegionInventory
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.runtimes import Deprecation, deprecation_of, runtime_table, successor
from advisor.rules.support import lambda_cli, not_evaluated, sam_function

RULE = Rule(
    id="deprecated-runtime",
    title="Runtime deprecated or near its deprecation date",
    pillar=Pillar.SECURITY,
    severity=Severity.HIGH,
    rationale=(
        "After a runtime's deprecation date AWS stops applying security patches and support; "
        "later it blocks creating and then updating functions on it. A function on a deprecated "
        "runtime runs unpatched code, and a routine deploy may suddenly be refused. A runtime "
        "the table does not list is judged by its family and version: one older than a listed "
        "deprecated version of its language (nodejs8.10, dotnetcore2.1, ruby2.5) is deprecated "
        "too. The suggested runtime is the newest of the family that this rule would not warn "
        "about; Go has no managed runtime after go1.x, so its functions move to provided.al2023 "
        "with the handler compiled into a binary named bootstrap."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/golang-package.html",
        "https://aws.amazon.com/blogs/compute/migrating-aws-lambda-functions-from-the-go1-x-runtime-to-the-custom-runtime-on-amazon-linux-2/",
    ),
    requires=(DATA_FUNCTIONS,),
    options={"warn_days": 180, "today": None},
    option_help={
        "warn_days": "Days before the deprecation date at which a medium finding opens.",
        "today": "The date to judge against (ISO); empty means the scan's own date.",
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    table = runtime_table()
    today = options["today"] or dt.datetime.now(dt.UTC).date()
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    warn_days = options["warn_days"]
    for fn in inventory.functions:
        if fn.runtime is None:
            continue  # a container image brings its own runtime
        deprecation = deprecation_of(fn.runtime, today, table)
        if isinstance(deprecation, str):
            yield not_evaluated(RULE, inventory, fn.arn, deprecation)
            continue
        if deprecation is None:
            continue  # newer than every listed version of its family
        days_left = (deprecation.date - today).days
        if days_left > warn_days:
            continue
        yield _finding(inventory, fn, deprecation, days_left, today, warn_days)


def _finding(
    inventory: RegionInventory,
    fn: Function,
    deprecation: Deprecation,
    days_left: int,
    today: dt.date,
    warn_days: int,
) -> Result:
    assert fn.runtime is not None
    table = runtime_table()
    suggested = successor(fn.runtime, today, warn_days, table)
    date = deprecation.date.isoformat()
    if not deprecation.listed:
        severity = Severity.HIGH
        message = (
            f"{fn.name} runs {fn.runtime}, which the runtime table does not list: it is older "
            f"than {deprecation.judged_by}, deprecated on {date}, so it has been deprecated "
            "since then or earlier and receives no security patches."
        )
    elif days_left <= 0:
        severity = Severity.HIGH
        message = (
            f"{fn.name} runs {fn.runtime}, deprecated on {date} "
            f"({-days_left} days ago): it no longer receives security patches."
        )
    else:
        severity = Severity.MEDIUM
        message = (
            f"{fn.name} runs {fn.runtime}, deprecated on {date} "
            f"(in {days_left} days, within the {warn_days}-day warning window)."
        )
    if suggested:
        message += f" Suggested: {suggested}."
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=severity,
        message=message,
        evidence={
            "runtime": fn.runtime,
            "deprecation_date": date if deprecation.listed else None,
            "deprecated_no_later_than": None if deprecation.listed else date,
            "judged_by": deprecation.judged_by,
            "in_table": deprecation.listed,
            "days_until_deprecation": days_left if deprecation.listed else None,
            "warn_days": warn_days,
            "table_checked": table.checked.isoformat(),
            "suggested_runtime": suggested,
        },
        remediation=_remediation(inventory, fn, suggested),
    )


GO_ARCH = {"x86_64": "amd64", "arm64": "arm64"}


def _remediation(inventory: RegionInventory, fn: Function, suggested: str | None) -> Remediation:
    if fn.runtime == "go1.x":
        # No --runtime flag can do it: provided.al2023 runs a binary named bootstrap, so the
        # code is rebuilt and uploaded first, then the runtime and handler change.
        goarch = GO_ARCH.get(fn.arch, "amd64")
        return Remediation(
            cli=(
                lambda_cli(inventory, "update-function-code", fn, "--zip-file fileb://function.zip")
                + " && "
                + lambda_cli(
                    inventory,
                    "update-function-configuration",
                    fn,
                    "--runtime provided.al2023 --handler bootstrap",
                )
                + f"  # build function.zip first: GOOS=linux GOARCH={goarch} go build "
                "-tags lambda.norpc -o bootstrap . && zip function.zip bootstrap"
            ),
            iac=sam_function(
                fn, {"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": "."}
            )
            + "\n  Metadata:\n    BuildMethod: go1.x  # sam build compiles main into bootstrap",
        )
    runtime = suggested or "SUPPORTED_RUNTIME"
    return Remediation(
        cli=lambda_cli(inventory, "update-function-configuration", fn, f"--runtime {runtime}"),
        iac=sam_function(fn, {"Runtime": runtime}),
    )

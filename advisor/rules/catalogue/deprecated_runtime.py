from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_QUALIFIERS, Function, RegionInventory
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import Served, caller_arns, in_use, not_published, served_evidence
from advisor.rules.runtimes import Deprecation, deprecation_of, runtime_table, successor
from advisor.rules.support import lambda_cli, not_evaluated, publish_and_move, sam_function

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
        "with the handler compiled into a binary named bootstrap. The runtime judged is that "
        "of every configuration in use: the published versions behind the aliases and "
        "versions callers invoke or that had traffic, and $LATEST when something invokes the "
        "function unqualified or no alias or version is in use. A deprecated runtime only on "
        "an unpublished $LATEST is not live yet and is reported as information."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/golang-package.html",
        "https://aws.amazon.com/blogs/compute/migrating-aws-lambda-functions-from-the-go1-x-runtime-to-the-custom-runtime-on-amazon-linux-2/",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_QUALIFIERS),
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
        served, unknown = in_use(fn, caller_arns(fn, ctx.relations.callers(fn)))
        offending: list[tuple[Served, Deprecation, int]] = []
        for config in served:
            if config.runtime is None:
                continue  # a container image brings its own runtime
            judged = _judge(config.runtime, today, table, warn_days)
            if isinstance(judged, str):
                unknown.append(judged)
            elif judged is not None:
                offending.append((config, *judged))
        if offending:
            yield _finding(inventory, fn, offending, today, warn_days)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
        elif fn.runtime is not None and not_published(fn, served):
            judged = _judge(fn.runtime, today, table, warn_days)
            if judged is not None and not isinstance(judged, str):
                yield _unpublished(inventory, fn, served, *judged, warn_days)


def _judge(
    runtime: str, today: dt.date, table: Any, warn_days: int
) -> tuple[Deprecation, int] | str | None:
    """(its deprecation, days left) when the rule warns about ``runtime``; why it cannot tell;
    or None."""
    deprecation = deprecation_of(runtime, today, table)
    if deprecation is None or isinstance(deprecation, str):
        return deprecation  # newer than every listed version of its family, or unknown
    days_left = (deprecation.date - today).days
    return None if days_left > warn_days else (deprecation, days_left)


def _finding(
    inventory: RegionInventory,
    fn: Function,
    offending: list[tuple[Served, Deprecation, int]],
    today: dt.date,
    warn_days: int,
) -> Result:
    # the worst first: a runtime the table does not list, then the fewest days left
    config, deprecation, days_left = min(
        offending, key=lambda o: (o[1].listed, o[2] if o[1].listed else -(10**6))
    )
    runtime = config.runtime
    assert runtime is not None
    table = runtime_table()
    suggested = successor(runtime, today, warn_days, table)
    date = deprecation.date.isoformat()
    who = fn.name if config.qualifier is None else f"{fn.name}:{config.label}"
    if not deprecation.listed:
        severity = Severity.HIGH
        message = (
            f"{who} runs {runtime}, which the runtime table does not list: it is older "
            f"than {deprecation.judged_by}, deprecated on {date}, so it has been deprecated "
            "since then or earlier and receives no security patches."
        )
    elif days_left <= 0:
        severity = Severity.HIGH
        message = (
            f"{who} runs {runtime}, deprecated on {date} "
            f"({-days_left} days ago): it no longer receives security patches."
        )
    else:
        severity = Severity.MEDIUM
        message = (
            f"{who} runs {runtime}, deprecated on {date} "
            f"(in {days_left} days, within the {warn_days}-day warning window)."
        )
    published = [c for c, _, _ in offending if c.qualifier is not None and not c.assumed]
    if published and fn.runtime != runtime:
        message += (
            f" $LATEST already runs {fn.runtime or 'a container image'}, but the version "
            "callers invoke does not: publish it and move the alias."
        )
    if suggested:
        message += f" Suggested: {suggested}."
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=severity,
        message=message,
        evidence={
            "runtime": runtime,
            "deprecation_date": date if deprecation.listed else None,
            "deprecated_no_later_than": None if deprecation.listed else date,
            "judged_by": deprecation.judged_by,
            "in_table": deprecation.listed,
            "days_until_deprecation": days_left if deprecation.listed else None,
            "warn_days": warn_days,
            "table_checked": table.checked.isoformat(),
            "suggested_runtime": suggested,
            "qualifier": config.qualifier,
            "version": None if config.assumed else config.version,
            "latest_runtime": fn.runtime,
            # every configuration in use the rule warns about: "live (version 3)", ...
            "in_use": [
                {**evidence, "runtime": c.runtime}
                for (c, _, _), evidence in zip(
                    offending, served_evidence(c for c, _, _ in offending), strict=True
                )
            ],
        },
        remediation=_remediation(inventory, fn, runtime, suggested, published),
    )


def _unpublished(
    inventory: RegionInventory,
    fn: Function,
    served: list[Served],
    deprecation: Deprecation,
    days_left: int,
    warn_days: int,
) -> Result:
    """Only the unpublished $LATEST runs a runtime the rule warns about: not live yet."""
    assert fn.runtime is not None
    live = ", ".join(f"{c.label} on {c.runtime or 'an image'}" for c in served)
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=Severity.INFO,
        message=(
            f"Not live yet: {fn.name}'s unpublished $LATEST runs {fn.runtime} (deprecated "
            f"{'on' if days_left <= 0 else 'from'} {deprecation.date.isoformat()}), while "
            f"its callers invoke {live}. Publishing $LATEST as it is would put it live."
        ),
        evidence={
            "runtime": fn.runtime,
            "deprecation_date": deprecation.date.isoformat() if deprecation.listed else None,
            "days_until_deprecation": days_left if deprecation.listed else None,
            "warn_days": warn_days,
            "version": "$LATEST",
            "unpublished": True,
            "in_use": [
                {**e, "runtime": c.runtime}
                for c, e in zip(served, served_evidence(served), strict=True)
            ],
        },
        remediation=_remediation(inventory, fn, fn.runtime, None, []),
    )


GO_ARCH = {"x86_64": "amd64", "arm64": "arm64"}


def _remediation(
    inventory: RegionInventory,
    fn: Function,
    runtime: str,
    suggested: str | None,
    published: list[Served],
) -> Remediation:
    then = publish_and_move(inventory, fn, published)
    if runtime == "go1.x":
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
                + then
                + f"  # build function.zip first: GOOS=linux GOARCH={goarch} go build "
                "-tags lambda.norpc -o bootstrap . && zip function.zip bootstrap"
            ),
            iac=sam_function(
                fn, {"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": "."}
            )
            + "\n  Metadata:\n    BuildMethod: go1.x  # sam build compiles main into bootstrap",
        )
    target = suggested or "SUPPORTED_RUNTIME"
    return Remediation(
        cli=lambda_cli(inventory, "update-function-configuration", fn, f"--runtime {target}")
        + then,
        iac=sam_function(fn, {"Runtime": target, **({"AutoPublishAlias": "live"} if then else {})}),
    )

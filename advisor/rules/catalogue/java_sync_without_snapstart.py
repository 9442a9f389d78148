from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_QUALIFIERS, Function
from advisor.rules.base import Finding, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import (
    Served,
    not_published,
    served_evidence,
    serving_each,
    sync_caller_arns,
)
from advisor.rules.support import (
    api_gaps_not_evaluated,
    lambda_cli,
    not_evaluated,
    publish_and_move,
    sam_function,
    sync_callers_or_reason,
)

# Java runtimes SnapStart supports (Java 11 and later; not the java8 runtimes).
SNAPSTART_JAVA = ("java11", "java17", "java21", "java25")

RULE = Rule(
    id="java-sync-without-snapstart",
    title="Java function on a synchronous path without SnapStart",
    pillar=Pillar.PERFORMANCE,
    severity=Severity.MEDIUM,
    rationale=(
        "Java functions have the longest cold starts of the managed runtimes (JVM start, class "
        "loading, framework initialisation: often several seconds). On a synchronous path a "
        "caller waits through them. SnapStart restores a snapshot of the initialised "
        "environment instead, typically cutting cold starts to under a second, at no extra "
        "charge for Java. It applies to published versions, so callers must invoke a version "
        "or alias: SnapStart never serves $LATEST, so a caller that invokes the function "
        "unqualified gets full cold starts even with SnapStart on. It cannot be combined with "
        "provisioned concurrency (which already avoids cold starts), Amazon EFS, or ephemeral "
        "storage above 512 MB. Judged on the configuration behind each synchronous caller's "
        "alias or version; SnapStart off only on an unpublished $LATEST is information."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_QUALIFIERS),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    yield from api_gaps_not_evaluated(RULE, inventory)
    for fn in inventory.functions:
        if not _java_anywhere(fn):
            continue
        callers = sync_callers_or_reason(ctx, fn)
        if isinstance(callers, str):
            yield not_evaluated(RULE, inventory, fn.arn, callers)
            continue
        arns = sync_caller_arns(fn, ctx.relations.callers(fn))
        if not callers and not arns:
            continue  # nobody waits for its cold starts
        served, unknown = serving_each(fn, arns)
        cold = [s for s in served if _cold_without_snapstart(fn, s)]
        if cold:
            yield _finding(ctx, fn, cold, callers)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
        elif _latest_would_lose_it(fn, served):
            yield _unpublished(ctx, fn, served, callers)


def _java_anywhere(fn: Function) -> bool:
    runtimes = [fn.runtime, *(v.runtime for v in fn.versions)]
    return any(r is not None and r.startswith(SNAPSTART_JAVA) for r in runtimes)


def _cold_without_snapstart(fn: Function, served: Served) -> bool:
    """Callers of this configuration wait through JVM cold starts SnapStart could remove."""
    if served.runtime is None or not served.runtime.startswith(SNAPSTART_JAVA):
        return False
    if served.ephemeral_storage_mb > 512:
        return False  # SnapStart is not available with larger storage
    if _provisioned(fn, served):
        return False  # provisioned concurrency already avoids cold starts
    if served.qualifier is None:
        return True  # $LATEST: SnapStart never serves it, whatever ApplyOn says
    return served.snap_start != "PublishedVersions"


def _provisioned(fn: Function, served: Served) -> bool:
    if served.assumed:  # no qualifier data: any provisioned configuration, as before
        return bool(fn.provisioned_concurrency)
    names = {served.qualifier, served.version, *served.also}
    return any(c.qualifier in names for c in fn.provisioned_concurrency)


def _latest_would_lose_it(fn: Function, served: list[Served]) -> bool:
    """The published versions callers invoke use SnapStart, but $LATEST has it off: the next
    publish would bring the cold starts back."""
    java = fn.runtime is not None and fn.runtime.startswith(SNAPSTART_JAVA)
    uses_it = any(s.snap_start == "PublishedVersions" for s in served)
    return java and uses_it and fn.snap_start != "PublishedVersions" and not_published(fn, served)


def _finding(ctx: RegionContext, fn: Function, cold: list[Served], callers: list[str]) -> Finding:
    inventory = ctx.inventory
    config = cold[0]
    on_latest = config.qualifier is None
    who = fn.name if on_latest else f"{fn.name}:{config.label}"
    where = ", ".join(callers) or "a function URL"
    if on_latest and fn.snap_start == "PublishedVersions":
        message = (
            f"{fn.name} has SnapStart on, but {where} invoke(s) $LATEST, which SnapStart never "
            f"serves: each cold start of {config.runtime} makes the caller wait for the JVM. "
            "Point the callers at an alias of a published version."
        )
    else:
        message = (
            f"{who} runs {config.runtime} behind {where} without SnapStart: "
            "each cold start makes the caller wait for the JVM to start and initialise."
        )
        if not on_latest and fn.snap_start == "PublishedVersions":
            message += (
                f" $LATEST has SnapStart on, but {config.label} was published before: publish "
                "a new version and move the alias."
            )
    published = [s for s in cold if s.qualifier is not None and not s.assumed]
    cli = lambda_cli(
        inventory,
        "update-function-configuration",
        fn,
        "--snap-start ApplyOn=PublishedVersions",
    )
    then = publish_and_move(inventory, fn, published)
    if then:
        cli += then
    elif on_latest and fn.snap_start == "PublishedVersions":
        cli = (
            lambda_cli(inventory, "publish-version", fn)
            + " && "
            + lambda_cli(
                inventory,
                "create-alias",
                fn,
                "--name live --function-version <the version just published>",
            )
            + f"  # then point the callers at {fn.name}:live"
        )
    else:
        cli += (
            " && "
            + lambda_cli(inventory, "wait function-updated", fn)
            + " && "
            + lambda_cli(inventory, "publish-version", fn)
            + "  # then point the alias your integration invokes at the new version"
        )
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=message,
        evidence={
            "runtime": config.runtime,
            "snap_start": config.snap_start,
            "sync_callers": callers,
            "memory_mb": config.memory_mb,
            "provisioned_concurrency": [],
            "qualifier": config.qualifier,
            "version": None if config.assumed else config.version,
            "latest_snap_start": fn.snap_start,
            # $LATEST is never served by SnapStart: its callers must invoke a published version
            "invokes_latest": on_latest,
            "in_use": served_evidence(cold),
        },
        remediation=Remediation(
            cli=cli,
            iac=sam_function(
                fn,
                {"AutoPublishAlias": "live", "SnapStart": {"ApplyOn": "PublishedVersions"}},
            ),
        ),
    )


def _unpublished(
    ctx: RegionContext, fn: Function, served: list[Served], callers: list[str]
) -> Finding:
    inventory = ctx.inventory
    live = ", ".join(s.label for s in served)
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=Severity.INFO,
        message=(
            f"Not live yet: {fn.name}'s unpublished $LATEST has SnapStart off, while the "
            f"versions its synchronous callers invoke ({live}) use it. The next version "
            "published from it would bring JVM cold starts back to its callers."
        ),
        evidence={
            "runtime": fn.runtime,
            "snap_start": fn.snap_start,
            "sync_callers": callers,
            "version": "$LATEST",
            "unpublished": True,
            "in_use": served_evidence(served),
        },
        remediation=Remediation(
            cli=lambda_cli(
                inventory,
                "update-function-configuration",
                fn,
                "--snap-start ApplyOn=PublishedVersions",
            ),
            iac=sam_function(fn, {"SnapStart": {"ApplyOn": "PublishedVersions"}}),
        ),
    )

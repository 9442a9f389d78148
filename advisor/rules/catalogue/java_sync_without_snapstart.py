from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, Function
from advisor.rules.base import Finding, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    lambda_cli,
    on_sync_path,
    sam_function,
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
        "or alias. It cannot be combined with provisioned concurrency (which already avoids "
        "cold starts), Amazon EFS, or ephemeral storage above 512 MB."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
    ),
    requires=(DATA_FUNCTIONS,),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    candidates = (fn for fn in ctx.inventory.functions if _without_snapstart(fn))
    yield from on_sync_path(RULE, ctx, candidates, lambda fn, callers: _finding(ctx, fn, callers))


def _without_snapstart(fn: Function) -> bool:
    if fn.runtime is None or not fn.runtime.startswith(SNAPSTART_JAVA):
        return False
    if fn.snap_start == "PublishedVersions" or fn.provisioned_concurrency:
        return False
    return fn.ephemeral_storage_mb <= 512  # SnapStart is not available with larger storage


def _finding(ctx: RegionContext, fn: Function, callers: list[str]) -> Finding:
    inventory = ctx.inventory
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{fn.name} runs {fn.runtime} behind {', '.join(callers)} without SnapStart: "
            "each cold start makes the caller wait for the JVM to start and initialise."
        ),
        evidence={
            "runtime": fn.runtime,
            "snap_start": fn.snap_start,
            "sync_callers": callers,
            "memory_mb": fn.memory_mb,
            "provisioned_concurrency": [],
        },
        remediation=Remediation(
            cli=(
                lambda_cli(
                    inventory,
                    "update-function-configuration",
                    fn,
                    "--snap-start ApplyOn=PublishedVersions",
                )
                + " && "
                + lambda_cli(inventory, "wait function-updated", fn)
                + " && "
                + lambda_cli(inventory, "publish-version", fn)
                + "  # then point the alias your integration invokes at the new version"
            ),
            iac=sam_function(
                fn,
                {"AutoPublishAlias": "live", "SnapStart": {"ApplyOn": "PublishedVersions"}},
            ),
        ),
    )

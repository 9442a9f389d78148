from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_QUALIFIERS, Function, RegionInventory
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
    MB,
    api_gaps_not_evaluated,
    layers_size,
    mb,
    not_evaluated,
    sam_function,
    sync_callers_or_reason,
)

RULE = Rule(
    id="large-package-on-sync-path",
    title="Large deployment package on a synchronously invoked function",
    pillar=Pillar.PERFORMANCE,
    severity=Severity.LOW,
    rationale=(
        "On a cold start Lambda downloads and extracts the function's code and layers before "
        "running the init code, so a large package lengthens every cold start. On a "
        "synchronous path (API Gateway, a function URL, an Application Load Balancer) a person "
        "or a service is waiting for that. Trimming dependencies, bundling and tree-shaking, "
        "or SnapStart where the runtime supports it shorten it. The package judged is that of "
        "the published version behind each synchronous caller's alias or version (its code and "
        "the layers it was published with); a large package only on an unpublished $LATEST is "
        "information."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html",
        "https://docs.aws.amazon.com/lambda/latest/operatorguide/static-initialization.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_QUALIFIERS),
    options={"max_package_mb": 10},
    option_bounds={"max_package_mb": (1, 250)},  # 250 MB: the unzipped limit
    option_help={
        "max_package_mb": (
            "Zipped size of code plus layers, in MB, above which a sync function is reported."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    threshold = options["max_package_mb"] * MB
    yield from api_gaps_not_evaluated(RULE, inventory)
    for fn in inventory.functions:
        callers = sync_callers_or_reason(ctx, fn)
        if isinstance(callers, str):
            yield not_evaluated(RULE, inventory, fn.arn, callers)
            continue
        arns = sync_caller_arns(fn, ctx.relations.callers(fn))
        if not callers and not arns:
            continue
        served, unknown = serving_each(fn, arns)
        # .zip packages only: image sizes are not comparable with them
        large = [s for s in served if s.package_type != "Image" and _size(s) > threshold]
        if large:
            yield _finding(ctx, fn, large, callers, options)
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
        elif (
            fn.package_type != "Image"
            and _package_size(fn) > threshold
            and not_published(fn, served)
        ):
            yield _unpublished(ctx, fn, served, callers, options)


def _package_size(fn: Function) -> int:
    """The zipped code and its layers (a layer of unknown size counts as nothing)."""
    return fn.code_size + (layers_size(fn) or 0)


def _size(served: Served) -> int:
    return served.code_size + (served.layers_size or 0)


def _finding(
    ctx: RegionContext,
    fn: Function,
    large: list[Served],
    callers: list[str],
    options: Mapping[str, Any],
) -> Finding:
    inventory = ctx.inventory
    threshold = options["max_package_mb"] * MB
    config = max(large, key=_size)
    size = _size(config)
    who = fn.name if config.qualifier is None else f"{fn.name}:{config.label}"
    message = (
        f"{who} ships {mb(size)} MB of code and layers (zipped; threshold "
        f"{options['max_package_mb']} MB) and is called synchronously by "
        f"{', '.join(callers) or 'a function URL'}: every cold start downloads and unpacks it "
        "while the caller waits."
    )
    if config.qualifier is not None and not config.assumed and _package_size(fn) != size:
        message += (
            f" ($LATEST ships {mb(_package_size(fn))} MB, but callers invoke {config.label}.)"
        )
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=message,
        evidence={
            "package_bytes": size,
            "code_size_bytes": config.code_size,
            "layers_size_bytes": config.layers_size,
            "threshold_bytes": threshold,
            "sync_callers": callers,
            "runtime": config.runtime,
            "qualifier": config.qualifier,
            "version": None if config.assumed else config.version,
            "latest_package_bytes": _package_size(fn),
            "in_use": [
                {**e, "package_bytes": _size(s)}
                for s, e in zip(large, served_evidence(large), strict=True)
            ],
        },
        remediation=_remediation(inventory, fn),
    )


def _unpublished(
    ctx: RegionContext,
    fn: Function,
    served: list[Served],
    callers: list[str],
    options: Mapping[str, Any],
) -> Finding:
    """Only the unpublished $LATEST is large: not on the callers' path yet."""
    inventory = ctx.inventory
    size = _package_size(fn)
    live = ", ".join(f"{s.label} with {mb(_size(s))} MB" for s in served)
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=Severity.INFO,
        message=(
            f"Not live yet: {fn.name}'s unpublished $LATEST ships {mb(size)} MB of code and "
            f"layers (threshold {options['max_package_mb']} MB), while its synchronous callers "
            f"invoke {live}. Publishing it as it is would lengthen their cold starts."
        ),
        evidence={
            "package_bytes": size,
            "threshold_bytes": options["max_package_mb"] * MB,
            "sync_callers": callers,
            "version": "$LATEST",
            "unpublished": True,
            "in_use": [
                {**e, "package_bytes": _size(s)}
                for s, e in zip(served, served_evidence(served), strict=True)
            ],
        },
        remediation=_remediation(inventory, fn),
    )


def _remediation(inventory: RegionInventory, fn: Function) -> Remediation:
    return Remediation(
        cli=(
            f"aws lambda get-function --region {inventory.region} --function-name "
            f"{fn.name} --query Code.Location --output text | xargs curl -s -o "
            f"{fn.name}.zip && unzip -l {fn.name}.zip | sort -k1 -n -r | head -20"
        ),
        iac=_iac(fn),
    )


def _iac(fn: Function) -> str:
    if fn.runtime and fn.runtime.startswith("nodejs"):
        return (
            sam_function(fn, {"CodeUri": "src/", "Handler": fn.handler})
            + "\n  Metadata:\n    BuildMethod: esbuild\n    BuildProperties:\n      Minify: true"
        )
    return sam_function(fn, {"CodeUri": "build/"}) + (
        "\n# build/ holds only runtime dependencies; move rarely used ones out of the bundle."
    )

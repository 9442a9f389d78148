from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, Function
from advisor.rules.base import Finding, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    MB,
    layers_size,
    mb,
    on_sync_path,
    sam_function,
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
        "or SnapStart where the runtime supports it shorten it."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html",
        "https://docs.aws.amazon.com/lambda/latest/operatorguide/static-initialization.html",
    ),
    requires=(DATA_FUNCTIONS,),
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
    threshold = options["max_package_mb"] * MB
    # .zip packages only: image sizes are not comparable with them
    large = (
        fn
        for fn in ctx.inventory.functions
        if fn.package_type != "Image" and _package_size(fn) > threshold
    )
    yield from on_sync_path(
        RULE, ctx, large, lambda fn, callers: _finding(ctx, fn, callers, options)
    )


def _package_size(fn: Function) -> int:
    """The zipped code and its layers (a layer of unknown size counts as nothing)."""
    return fn.code_size + (layers_size(fn) or 0)


def _finding(
    ctx: RegionContext, fn: Function, callers: list[str], options: Mapping[str, Any]
) -> Finding:
    inventory = ctx.inventory
    threshold = options["max_package_mb"] * MB
    layers = layers_size(fn)
    size = _package_size(fn)
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{fn.name} ships {mb(size)} MB of code and layers (zipped; threshold "
            f"{options['max_package_mb']} MB) and is called synchronously by "
            f"{', '.join(callers)}: every cold start downloads and unpacks it while the "
            "caller waits."
        ),
        evidence={
            "package_bytes": size,
            "code_size_bytes": fn.code_size,
            "layers_size_bytes": layers,
            "threshold_bytes": threshold,
            "sync_callers": callers,
            "runtime": fn.runtime,
        },
        remediation=Remediation(
            cli=(
                f"aws lambda get-function --region {inventory.region} --function-name "
                f"{fn.name} --query Code.Location --output text | xargs curl -s -o "
                f"{fn.name}.zip && unzip -l {fn.name}.zip | sort -k1 -n -r | head -20"
            ),
            iac=_iac(fn),
        ),
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

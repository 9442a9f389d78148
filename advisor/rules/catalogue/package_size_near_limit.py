from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.images import parse_image_uri
from advisor.collect.inventory import (
    DATA_FUNCTION_DETAILS,
    DATA_FUNCTIONS,
    DATA_IMAGES,
    DATA_LAYERS,
    Function,
    RegionInventory,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    GB,
    MB,
    gap_reason,
    layers_size,
    mb,
    not_evaluated,
    resource_gap,
    sam_function,
)

DEFAULT_ZIPPED_LIMIT = 50 * MB  # direct upload
DEFAULT_UNZIPPED_LIMIT = 250 * MB  # function and layers, extracted
IMAGE_LIMIT = 10 * GB  # uncompressed container image

RULE = Rule(
    id="package-size-near-limit",
    title="Deployment package near the Lambda size limits",
    pillar=Pillar.PERFORMANCE,
    severity=Severity.MEDIUM,
    rationale=(
        "Lambda refuses a .zip package above 50 MB uploaded directly (larger ones must go "
        "through S3) and any function whose code and layers exceed 250 MB once extracted; a "
        "container image may be at most 10 GB. A package close to these limits fails the next "
        "deploy that adds a dependency, usually at an inconvenient time, and large packages "
        "lengthen cold starts. The unzipped size is not reported by the Lambda API, so the "
        "zipped size of code plus layers is used as its lower bound; an image's compressed "
        "size in ECR (read with one DescribeImages per repository) likewise."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_AccountLimit.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html",
    ),
    requires=(DATA_FUNCTIONS,),
    options={"near_share": 0.8},
    option_help={"near_share": "Share of a limit at or above which a package is reported."},
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    zipped_limit = inventory.account.code_size_zipped_limit or DEFAULT_ZIPPED_LIMIT
    unzipped_limit = inventory.account.code_size_unzipped_limit or DEFAULT_UNZIPPED_LIMIT
    near = options["near_share"]
    for fn in inventory.functions:
        if fn.package_type == "Image":
            if fn.image_size is None:
                yield not_evaluated(RULE, inventory, fn.arn, _why_no_image_size(inventory, fn))
                continue
            if fn.image_size < near * IMAGE_LIMIT:
                continue
            breaches = [("image", fn.image_size, IMAGE_LIMIT)]
        else:
            layers = layers_size(fn)
            breaches = []
            if fn.code_size >= near * zipped_limit:
                breaches.append(("zipped upload", fn.code_size, zipped_limit))
            if layers is not None and fn.code_size + layers >= near * unzipped_limit:
                breaches.append(("unzipped, with layers", fn.code_size + layers, unzipped_limit))
            if not breaches:
                if fn.layers and layers is None:
                    unknown = [layer.arn for layer in fn.layers if layer.code_size is None]
                    gap = resource_gap(inventory, DATA_LAYERS, fn.arn) or resource_gap(
                        inventory, DATA_LAYERS, unknown[0]
                    )
                    reason = gap_reason(gap) if gap else "a layer's size could not be read"
                    yield not_evaluated(RULE, inventory, fn.arn, reason)
                continue
        worst_kind, worst_size, worst_limit = max(breaches, key=lambda b: b[1] / b[2])
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name}'s package is {mb(worst_size)} MB against the {mb(worst_limit)} MB "
                f"{worst_kind} limit ({worst_size / worst_limit:.0%}, reported from "
                f"{near:.0%}): the next dependency may break the deploy."
            ),
            evidence={
                "package_type": fn.package_type,
                "code_size_bytes": fn.code_size,
                "layers_size_bytes": None if fn.package_type == "Image" else layers_size(fn),
                "image_size_bytes": fn.image_size,
                "breaches": [
                    {
                        "limit": kind,
                        "size_bytes": size,
                        "limit_bytes": limit,
                        "share": round(size / limit, 4),
                    }
                    for kind, size, limit in breaches
                ],
                "near_share": near,
            },
            remediation=_remediation(inventory, fn),
        )


def _why_no_image_size(inventory: RegionInventory, fn: Function) -> str:
    details = resource_gap(inventory, DATA_FUNCTION_DETAILS, fn.arn)
    if details is not None:
        return gap_reason(details)
    ref = parse_image_uri(fn.resolved_image_uri)
    if ref is None:
        return "the deployed image is not named by an ECR digest"
    gap = inventory.missing(DATA_IMAGES, ref.repository_arn)  # region-wide or this repository
    if gap is not None:
        return gap_reason(gap)
    if ref.region != inventory.region:
        return f"the image is in {ref.region}'s ECR, not this region's"
    return f"ECR no longer holds the deployed image ({ref.repository}@{ref.digest[:19]}…)"


def _remediation(inventory: RegionInventory, fn: Function) -> Remediation:
    if fn.package_type == "Image":
        return Remediation(
            cli=(
                f"aws lambda get-function --region {inventory.region} --function-name {fn.name} "
                "--query Code.ImageUri --output text  # then inspect layers with docker history"
            ),
            iac=sam_function(
                fn,
                {"PackageType": "Image"},
            )
            + "\n  Metadata:\n    Dockerfile: Dockerfile  # multi-stage build, slim base image",
        )
    return Remediation(
        # Lists the 20 largest files of the deployed package.
        cli=(
            f"aws lambda get-function --region {inventory.region} --function-name {fn.name} "
            f"--query Code.Location --output text | xargs curl -s -o {fn.name}.zip && "
            f"unzip -l {fn.name}.zip | sort -k1 -n -r | head -20"
        ),
        iac=sam_function(
            fn,
            {"PackageType": "Image", "ImageUri": f"{fn.name}:latest"},
        )
        + "\n# A container image allows up to 10 GB once the 250 MB .zip limit is in reach.",
    )

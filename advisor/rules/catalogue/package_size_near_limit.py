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
from advisor.rules.qualified import Served, caller_arns, in_use, served_evidence
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
        "Lambda refuses any function whose code and layers exceed 250 MB once extracted, and a "
        "container image above 10 GB; a package close to these limits fails the next deploy "
        "that adds a dependency, usually at an inconvenient time. The 50 MB limit on a .zip "
        "applies only to a package uploaded directly (ZipFile in CreateFunction or "
        "UpdateFunctionCode); a package Lambda reads from S3, as CloudFormation, SAM and the CDK "
        "deploy it, is held only to the unzipped limit. The Lambda API says neither how a "
        "package was uploaded nor its unzipped size: a package larger than 50 MB, or one a "
        "CloudFormation stack deploys (its aws:cloudformation:stack-name tag), came through "
        "S3; otherwise the direct-upload limit is reported as applying only if the package is "
        "uploaded directly (low). The zipped size of code plus layers is the lower bound of "
        "the unzipped size (medium when that bound is near 250 MB); an image's compressed size "
        "in ECR (one DescribeImages per repository) likewise. The direct-upload limit is judged "
        "on $LATEST only, the code the next deploy uploads. The unzipped limit is judged on "
        "$LATEST and on the published versions that take traffic (behind the aliases and "
        "versions in use): a published version is immutable and was accepted within the "
        "limits, but a served version near the unzipped limit is the code a hotfix of what "
        "runs grows from, and what every cold start extracts; the evidence names the "
        "qualifier and version."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_AccountLimit.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCode.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html",
    ),
    requires=(DATA_FUNCTIONS,),
    options={"near_share": 0.8},
    option_help={"near_share": "Share of a limit at or above which a package is reported."},
)

STACK_TAG = "aws:cloudformation:stack-name"
THROUGH_S3 = "s3"
UNKNOWN = "unknown"


def deployment_path(inventory: RegionInventory, fn: Function, zipped_limit: int) -> tuple[str, str]:
    """How a .zip package reached Lambda, as far as the inventory tells: through S3 (the
    direct-upload limit does not apply) or unknown; with the reason."""
    if fn.code_size > zipped_limit:
        return THROUGH_S3, (
            f"at {mb(fn.code_size)} MB it is larger than a direct upload may be, so it came "
            "through S3"
        )
    stack = fn.tags.get(STACK_TAG)
    if stack:
        return THROUGH_S3, (
            f"CloudFormation stack {stack} deploys it, and CloudFormation hands Lambda packages "
            "in S3 (inline code is at most 4 MB)"
        )
    gap = resource_gap(inventory, DATA_FUNCTION_DETAILS, fn.arn)
    if gap is not None:
        return UNKNOWN, f"its tags could not be read ({gap_reason(gap)})"
    return UNKNOWN, (
        "the Lambda API does not say whether the package was uploaded directly or through S3"
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
            elif fn.image_size >= near * IMAGE_LIMIT:
                yield _image_finding(inventory, fn, near)
            continue
        layers = layers_size(fn)
        unzipped_near = layers is not None and fn.code_size + layers >= near * unzipped_limit
        zipped_near = fn.code_size >= near * zipped_limit
        path, why = deployment_path(inventory, fn, zipped_limit)
        direct_near = zipped_near and path == UNKNOWN
        served_near, unknown = _versions_near(ctx, fn, near * unzipped_limit)
        if unzipped_near or direct_near or served_near:
            yield _zip_finding(
                inventory,
                fn,
                near=near,
                layers=layers,
                limits=(zipped_limit, unzipped_limit),
                unzipped_near=unzipped_near,
                direct_near=direct_near,
                deployment=(path, why),
                served_near=served_near,
            )
        elif unknown:
            yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
        elif fn.layers and layers is None:
            unknown = [layer.arn for layer in fn.layers if layer.code_size is None]
            gap = resource_gap(inventory, DATA_LAYERS, fn.arn) or resource_gap(
                inventory, DATA_LAYERS, unknown[0]
            )
            reason = gap_reason(gap) if gap else "a layer's size could not be read"
            yield not_evaluated(RULE, inventory, fn.arn, reason)


def _versions_near(
    ctx: RegionContext, fn: Function, threshold: float
) -> tuple[list[Served], list[str]]:
    """The published versions in use whose code and layers (zipped) reach ``threshold``, and
    why some versions in use could not be judged. $LATEST is judged by the caller."""
    served, unknown = in_use(fn, caller_arns(fn, ctx.relations.callers(fn)))
    near: list[Served] = []
    for config in served:
        if config.qualifier is None or config.assumed or config.package_type != "Zip":
            continue
        if config.layers_size is None:
            unknown.append(f"a layer's size of {fn.name}:{config.label} could not be read")
        elif config.code_size + config.layers_size >= threshold:
            near.append(config)
    return near, unknown


def _breach(kind: str, size: int, limit: int) -> dict[str, Any]:
    return {
        "limit": kind,
        "size_bytes": size,
        "limit_bytes": limit,
        "share": round(size / limit, 4),
    }


def _zip_finding(
    inventory: RegionInventory,
    fn: Function,
    *,
    near: float,
    layers: int | None,
    limits: tuple[int, int],
    unzipped_near: bool,
    direct_near: bool,
    deployment: tuple[str, str],
    served_near: list[Served],
) -> Result:
    zipped_limit, unzipped_limit = limits
    path, why = deployment
    breaches = []
    parts = []
    if direct_near:
        breaches.append(_breach("zipped upload", fn.code_size, zipped_limit))
        parts.append(
            f"{fn.name}'s package is {mb(fn.code_size)} MB against the {mb(zipped_limit)} MB "
            f"zipped upload limit ({fn.code_size / zipped_limit:.0%}, reported from {near:.0%}), "
            "which holds only if it is uploaded directly: uploads through S3 are not held to it "
            f"({why})"
        )
    if unzipped_near and layers is not None:
        total = fn.code_size + layers
        breaches.append(_breach("unzipped, with layers", total, unzipped_limit))
        parts.append(
            f"{fn.name}'s code and layers are {mb(total)} MB zipped, so at least that much of "
            f"the {mb(unzipped_limit)} MB unzipped limit ({total / unzipped_limit:.0%}, "
            f"reported from {near:.0%})"
        )
    for config in served_near:
        total = config.code_size + (config.layers_size or 0)
        breaches.append(
            {
                **_breach("unzipped, with layers", total, unzipped_limit),
                "qualifier": config.qualifier,
                "version": config.version,
            }
        )
        parts.append(
            f"{fn.name}:{config.label}, which takes traffic, has {mb(total)} MB of code and "
            f"layers zipped, at least {total / unzipped_limit:.0%} of the {mb(unzipped_limit)} "
            "MB unzipped limit: every cold start extracts it, and a hotfix of that code grows "
            "from it"
        )
    not_applying = []
    if path == THROUGH_S3 and fn.code_size >= near * zipped_limit:
        not_applying.append({"limit": "zipped upload", "why": why})
    message = (
        "; ".join(parts) + ". The Lambda API does not report the unzipped size: it may be "
        "larger, and the next dependency may break the deploy."
    )
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        severity=None if unzipped_near or served_near else Severity.LOW,
        message=message,
        evidence={
            "package_type": fn.package_type,
            "code_size_bytes": fn.code_size,
            "layers_size_bytes": layers,
            "image_size_bytes": None,
            "breaches": breaches,
            "deployment": {"path": path, "why": why},
            "limits_not_applying": not_applying,
            "unzipped_size_known": False,
            "near_share": near,
            "in_use": served_evidence(served_near),
        },
        remediation=_remediation(inventory, fn),
    )


def _image_finding(inventory: RegionInventory, fn: Function, near: float) -> Result:
    assert fn.image_size is not None
    size = fn.image_size
    return RULE.finding(
        inventory=inventory,
        resource_arn=fn.arn,
        message=(
            f"{fn.name}'s package is {mb(size)} MB against the {mb(IMAGE_LIMIT)} MB image limit "
            f"({size / IMAGE_LIMIT:.0%}, reported from {near:.0%}; ECR's compressed size, a "
            "lower bound): the next dependency may break the deploy."
        ),
        evidence={
            "package_type": fn.package_type,
            "code_size_bytes": fn.code_size,
            "layers_size_bytes": None,
            "image_size_bytes": size,
            "breaches": [_breach("image", size, IMAGE_LIMIT)],
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

"""Container images: how big each function's deployed image is, from ECR.

Budget (per account and region): one ECR DescribeImages per repository holding a deployed image
(up to 100 image digests a call), nothing for .zip functions. GetFunction's ResolvedImageUri
names the exact image Lambda runs (``registry.dkr.ecr.region.amazonaws.com/repo@sha256:...``);
its size is ECR's ``imageSizeInBytes``, the compressed size, a lower bound of what counts
against Lambda's 10 GB limit.

An image deleted from ECR after its deploy (Lambda keeps its own copy) answers
ImageNotFoundException; that call then goes digest by digest so the others are still read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from advisor.collect.context import ScanContext
from advisor.collect.inventory import DATA_IMAGES, Function

DIGESTS_PER_CALL = 100  # DescribeImages' imageIds limit
ABSENT = ("ImageNotFoundException", "RepositoryNotFoundException")

_IMAGE_URI = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[^@:]+)@(?P<digest>sha256:[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class ImageRef:
    registry: str
    region: str
    repository: str
    digest: str

    @property
    def repository_arn(self) -> str:
        return f"arn:aws:ecr:{self.region}:{self.registry}:repository/{self.repository}"


def parse_image_uri(uri: str | None) -> ImageRef | None:
    """The parts of a resolved ECR image URI; None for anything else (a tag, not a digest)."""
    match = _IMAGE_URI.match(uri or "")
    return ImageRef(**match.groupdict()) if match else None


def read_image_sizes(ctx: ScanContext, functions: list[Function]) -> None:
    """Sets ``image_size`` on every container-image function whose image ECR describes."""
    # repository ARN -> digest -> functions, and one image of each repository to name it by
    wanted: dict[str, dict[str, list[Function]]] = defaultdict(lambda: defaultdict(list))
    repositories: dict[str, ImageRef] = {}
    for fn in functions:
        ref = parse_image_uri(fn.resolved_image_uri) if fn.package_type == "Image" else None
        # Lambda runs images from its own region's ECR; anything else is left unread.
        if ref is not None and ref.region == ctx.region:
            wanted[ref.repository_arn][ref.digest].append(fn)
            repositories.setdefault(ref.repository_arn, ref)
    for arn, by_digest in wanted.items():
        ref = repositories[arn]
        digests = sorted(by_digest)
        for start in range(0, len(digests), DIGESTS_PER_CALL):
            chunk = digests[start : start + DIGESTS_PER_CALL]
            sizes = _describe(ctx, ref, chunk)
            if sizes is None and len(chunk) > 1:
                sizes = {}
                for digest in chunk:  # one of them is gone: read the rest one by one
                    sizes.update(_describe(ctx, ref, [digest]) or {})
            for digest, size in (sizes or {}).items():
                for fn in by_digest.get(digest, []):
                    fn.image_size = size


def _describe(ctx: ScanContext, ref: ImageRef, digests: list[str]) -> dict[str, int] | None:
    """{digest: bytes} for the digests ECR has; None if the call failed or one is absent."""
    response = ctx.attempt(
        lambda: ctx.client("ecr").describe_images(
            registryId=ref.registry,
            repositoryName=ref.repository,
            imageIds=[{"imageDigest": digest} for digest in digests],
        ),
        service="ecr",
        operation="DescribeImages",
        hides=DATA_IMAGES,
        resource_arn=ref.repository_arn,
        absent_codes=ABSENT,
    )
    if response is None:
        return None
    return {
        detail["imageDigest"]: int(detail["imageSizeInBytes"])
        for detail in response.get("imageDetails", [])
        if detail.get("imageSizeInBytes") is not None
    }

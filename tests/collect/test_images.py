"""Container-image functions: their deployed image's size read from ECR in the emulator, one
DescribeImages per repository, and what happens when an image is gone or ECR refuses."""

from __future__ import annotations

import json

import pytest

from advisor.collect.images import parse_image_uri
from advisor.collect.inventory import DATA_IMAGES, RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from advisor.rules.support import MB
from tests.collect.aws_state import ACCOUNT, REGION, Aws
from tests.fixtures.aws_state import refuse

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def scan(state: Aws) -> RegionInventory:
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )


def push(state: Aws, repository: str, tag: str, layer_sizes: list[int]) -> str:
    """An image of the given compressed layer sizes; returns its digest."""
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": f"sha256:{tag.encode().hex():0<64}",
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": size,
                "digest": f"sha256:{(tag + str(i)).encode().hex():0<64}",
            }
            for i, size in enumerate(layer_sizes)
        ],
    }
    image = state.client("ecr").put_image(
        repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag
    )
    return image["image"]["imageId"]["imageDigest"]


def image_function(state: Aws, name: str, repository: str, tag: str) -> None:
    state.function(
        name,
        PackageType="Image",
        Code={"ImageUri": f"{REGISTRY}/{repository}:{tag}"},
        Runtime=None,
        Handler=None,
    )


@pytest.fixture
def state(aws: str) -> Aws:
    state = Aws.connect(aws)
    ecr = state.client("ecr")
    ecr.create_repository(repositoryName="orders")
    ecr.create_repository(repositoryName="reports")
    push(state, "orders", "v1", [300 * MB, 200 * MB])
    push(state, "orders", "v2", [600 * MB])
    push(state, "reports", "big", [5000 * MB, 4000 * MB])
    image_function(state, "orders-api", "orders", "v1")
    image_function(state, "orders-worker", "orders", "v2")
    image_function(state, "reports-job", "reports", "big")
    state.function("zip-fn")
    return state


def sizes(inventory: RegionInventory) -> dict[str, int | None]:
    return {fn.name: fn.image_size for fn in inventory.functions if fn.package_type == "Image"}


def test_each_deployed_image_size_is_read_once_per_repository(state):
    inventory = scan(state)
    assert sizes(inventory) == {
        "orders-api": 500 * MB,
        "orders-worker": 600 * MB,
        "reports-job": 9000 * MB,
    }
    assert inventory.api_calls["ecr.DescribeImages"] == 2  # orders (two digests), reports
    assert inventory.coverage_gaps == []
    api = next(fn for fn in inventory.functions if fn.name == "orders-api")
    ref = parse_image_uri(api.resolved_image_uri)
    assert (ref.registry, ref.repository) == (ACCOUNT, "orders")
    # and the rule sees the 9,000 MB image near the 10 GB limit
    results = list(
        rules_by_id()["package-size-near-limit"].evaluate(RegionContext.build(inventory), {})
    )
    assert [
        (r.resource_arn.rsplit(":", 1)[-1], r.evidence["image_size_bytes"]) for r in results
    ] == [("reports-job", 9000 * MB)]


def test_an_image_gone_from_ecr_leaves_only_its_function_unread(state):
    state.client("ecr").batch_delete_image(repositoryName="orders", imageIds=[{"imageTag": "v2"}])
    inventory = scan(state)
    assert sizes(inventory) == {
        "orders-api": 500 * MB,
        "orders-worker": None,
        "reports-job": 9000 * MB,
    }
    # the orders call failed as a whole, then each of its two digests was read alone
    assert inventory.api_calls["ecr.DescribeImages"] == 1 + 2 + 1
    assert inventory.coverage_gaps == []  # an absent image is not a permission problem
    results = list(
        rules_by_id()["package-size-near-limit"].evaluate(RegionContext.build(inventory), {})
    )
    [unread] = [r for r in results if r.resource_arn.endswith(":orders-worker")]
    assert unread.reason.startswith("ECR no longer holds the deployed image (orders@sha256:")


def test_refused_describe_images_is_a_gap_and_the_rule_says_so(state):
    refuse(state.session, "ecr.DescribeImages", "AccessDeniedException", status=403)
    inventory = scan(state)
    assert set(sizes(inventory).values()) == {None}
    [gap] = inventory.coverage_gaps
    assert (gap.service, gap.operation, gap.hides) == ("ecr", "DescribeImages", DATA_IMAGES)
    assert inventory.api_calls["ecr.DescribeImages"] == 1  # refused region-wide: not retried
    results = list(
        rules_by_id()["package-size-near-limit"].evaluate(RegionContext.build(inventory), {})
    )
    assert len(results) == 3
    assert all("ecr:DescribeImages AccessDeniedException" in r.reason for r in results)


def test_zip_functions_cost_no_ecr_call(aws):
    state = Aws.connect(aws)
    state.function("plain")
    assert "ecr.DescribeImages" not in scan(state).api_calls


@pytest.mark.parametrize(
    "uri",
    [
        None,
        f"{REGISTRY}/orders:v1",  # a tag, not what Lambda resolved
        "public.ecr.aws/x/y@sha256:" + "a" * 64,
        f"{REGISTRY}/orders@sha256:short",
    ],
)
def test_only_resolved_ecr_digests_are_parsed(uri):
    assert parse_image_uri(uri) is None

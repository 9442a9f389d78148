from advisor.collect.inventory import (
    DATA_FUNCTION_DETAILS,
    DATA_IMAGES,
    DATA_LAYERS,
    FunctionVersion,
    Layer,
    Qualifier,
)
from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    MB,
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "package-size-near-limit"
GB = 1024 * MB


def layer(size):
    return Layer(arn="arn:aws:lambda:us-east-1:111122223333:layer:deps:3", code_size=size)


@fails(RULE_ID)
def test_zipped_package_at_forty_mb_fails():
    results = run(RULE_ID, make_inventory(make_function(code_size=40 * MB)))
    finding = only_finding(results)
    assert finding.evidence["breaches"] == [
        {
            "limit": "zipped upload",
            "size_bytes": 40 * MB,
            "limit_bytes": 50 * MB,
            "share": 0.8,
        }
    ]
    assert "40.0 MB against the 50.0 MB" in finding.message
    assert "get-function" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_zipped_package_just_below_eighty_percent_passes():
    return run(RULE_ID, make_inventory(make_function(code_size=40 * MB - 1)))


@fails(RULE_ID)
def test_code_plus_layers_near_unzipped_limit_fails():
    fn = make_function(code_size=30 * MB, layers=[layer(180 * MB)])
    results = run(RULE_ID, make_inventory(fn))
    finding = only_finding(results)
    assert [b["limit"] for b in finding.evidence["breaches"]] == ["unzipped, with layers"]
    assert finding.evidence["layers_size_bytes"] == 180 * MB
    return results


@fails(RULE_ID)
def test_image_near_ten_gb_fails():
    fn = make_function(package_type="Image", runtime=None, code_size=0, image_size=9 * GB)
    results = run(RULE_ID, make_inventory(fn))
    assert only_finding(results).evidence["breaches"][0]["limit"] == "image"
    return results


@passes(RULE_ID)
def test_image_well_below_ten_gb_passes():
    fn = make_function(package_type="Image", runtime=None, code_size=0, image_size=2 * GB)
    return run(RULE_ID, make_inventory(fn))


IMAGE = f"111122223333.dkr.ecr.us-east-1.amazonaws.com/orders@sha256:{'ab' * 32}"
REPOSITORY = "arn:aws:ecr:us-east-1:111122223333:repository/orders"


def image_function(**fields):
    return make_function(package_type="Image", runtime=None, code_size=0, **fields)


def test_image_of_unknown_size_is_not_evaluated_and_says_why():
    # ECR answered, but no longer holds the deployed digest
    [gone] = not_evaluated(run(RULE_ID, make_inventory(image_function(resolved_image_uri=IMAGE))))
    assert gone.reason.startswith("ECR no longer holds the deployed image (orders@sha256:abab")
    # DescribeImages was refused for the repository, or in the whole region
    for scope in (REPOSITORY, None):
        inventory = make_inventory(image_function(resolved_image_uri=IMAGE))
        inventory.coverage_gaps.append(gap(DATA_IMAGES, scope))
        [refused] = not_evaluated(run(RULE_ID, inventory))
        assert refused.reason.endswith(f"AccessDeniedException hides {DATA_IMAGES}")
    # GetFunction failed, so the image is not even named
    fn = image_function()
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_FUNCTION_DETAILS, fn.arn))
    [unnamed] = not_evaluated(run(RULE_ID, inventory))
    assert f"hides {DATA_FUNCTION_DETAILS}" in unnamed.reason
    [tagged] = not_evaluated(run(RULE_ID, make_inventory(image_function())))
    assert tagged.reason == "the deployed image is not named by an ECR digest"


def test_layer_of_unknown_size_is_not_evaluated():
    fn = make_function(code_size=30 * MB, layers=[layer(None)])
    assert len(not_evaluated(run(RULE_ID, make_inventory(fn)))) == 1


def test_unreadable_layer_names_its_gap():
    fn = make_function(code_size=30 * MB, layers=[layer(None)])
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_LAYERS, fn.layers[0].arn))
    [result] = not_evaluated(run(RULE_ID, inventory))
    assert "AccessDeniedException" in result.reason


def test_direct_upload_limit_is_reported_low_and_only_as_a_condition_when_the_path_is_unknown():
    finding = only_finding(run(RULE_ID, make_inventory(make_function(code_size=44 * MB))))
    assert finding.severity is Severity.LOW
    assert "which holds only if it is uploaded directly" in finding.message
    assert "does not report the unzipped size" in finding.message
    assert finding.evidence["deployment"] == {
        "path": "unknown",
        "why": "the Lambda API does not say whether the package was uploaded directly or "
        "through S3",
    }
    assert finding.evidence["unzipped_size_known"] is False


@passes(RULE_ID)
def test_package_a_cloudformation_stack_deploys_is_not_held_to_the_direct_upload_limit():
    fn = make_function(code_size=44 * MB, tags={"aws:cloudformation:stack-name": "orders"})
    return run(RULE_ID, make_inventory(fn))


@passes(RULE_ID)
def test_package_larger_than_a_direct_upload_came_through_s3_and_passes_below_250_mb():
    return run(RULE_ID, make_inventory(make_function(code_size=60 * MB)))


@fails(RULE_ID)
def test_s3_deploy_near_the_unzipped_limit_fails_medium_and_says_the_upload_limit_is_moot():
    fn = make_function(
        code_size=60 * MB, layers=[layer(150 * MB)], tags={"aws:cloudformation:stack-name": "x"}
    )
    results = run(RULE_ID, make_inventory(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    assert [b["limit"] for b in finding.evidence["breaches"]] == ["unzipped, with layers"]
    assert finding.evidence["deployment"]["path"] == "s3"
    [moot] = finding.evidence["limits_not_applying"]
    assert moot["limit"] == "zipped upload"
    assert "larger than a direct upload may be" in moot["why"]
    assert "at least that much of the 250.0 MB unzipped limit" in finding.message
    return results


def test_unreadable_tags_are_named_as_why_the_path_is_unknown():
    fn = make_function(code_size=44 * MB)
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_FUNCTION_DETAILS, fn.arn))
    finding = only_finding(run(RULE_ID, inventory))
    assert finding.evidence["deployment"]["why"].startswith("its tags could not be read (")


# --- the versions in use --------------------------------------------------------------------


def behind_live(version_code: int, version_layers=(), latest_code: int = 2 * MB, **live):
    """orders: $LATEST with ``latest_code``; live -> version 3 with ``version_code``."""
    alias = Qualifier(name="live", kind="alias", exists=True, version="3", named_by=["api"])
    for key, value in live.items():
        setattr(alias, key, value)
    return make_function(
        code_size=latest_code,
        qualifiers=[alias],
        versions=[
            FunctionVersion(version="3", code_size=version_code, layers=list(version_layers))
        ],
    )


@fails(RULE_ID)
def test_a_served_version_near_the_unzipped_limit_fails_though_latest_is_small():
    fn = behind_live(30 * MB, [layer(180 * MB)])
    results = run(RULE_ID, make_inventory(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.MEDIUM
    [breach] = finding.evidence["breaches"]
    assert (breach["limit"], breach["qualifier"], breach["version"]) == (
        "unzipped, with layers",
        "live",
        "3",
    )
    assert breach["size_bytes"] == 210 * MB
    assert [e["label"] for e in finding.evidence["in_use"]] == ["live (version 3)"]
    assert "orders:live (version 3), which takes traffic" in finding.message
    return results


@passes(RULE_ID)
def test_the_direct_upload_limit_does_not_apply_to_a_served_version():
    # 45 MB zipped on version 3: near 50 MB, but a published version is never uploaded again
    return run(RULE_ID, make_inventory(behind_live(45 * MB)))


@fails(RULE_ID)
def test_latest_and_a_served_version_both_near_are_reported_together():
    fn = behind_live(205 * MB, latest_code=210 * MB)
    results = run(RULE_ID, make_inventory(fn))
    finding = only_finding(results)
    # $LATEST's two limits, then the version's unzipped one; the zipped one only for $LATEST
    assert [(b["limit"], b.get("qualifier")) for b in finding.evidence["breaches"]] == [
        ("unzipped, with layers", None),
        ("unzipped, with layers", "live"),
    ]
    assert finding.evidence["limits_not_applying"][0]["limit"] == "zipped upload"
    return results


def test_a_version_in_use_that_could_not_be_read_is_not_evaluated():
    fn = behind_live(2 * MB, exists=None, version=None)
    fn.versions.clear()
    results = run(RULE_ID, make_inventory(fn))
    (reason,) = not_evaluated(results)
    assert "orders:live could not be read" in reason.reason


def test_a_served_version_s_unknown_layer_size_is_not_evaluated():
    fn = behind_live(2 * MB, [layer(None)])
    (reason,) = not_evaluated(run(RULE_ID, make_inventory(fn)))
    assert "layer's size of orders:live (version 3)" in reason.reason

from advisor.collect.inventory import DATA_FUNCTION_DETAILS, DATA_IMAGES, DATA_LAYERS, Layer
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

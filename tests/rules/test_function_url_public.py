from advisor.collect.inventory import DATA_FUNCTION_URLS, DATA_POLICIES, FunctionUrl
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    gap,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "function-url-public"
URL = "https://abc123.lambda-url.us-east-1.on.aws/"


@fails(RULE_ID)
def test_url_with_auth_none_fails():
    fn = make_function(function_url=FunctionUrl(URL, "NONE", cors=True))
    results = run(RULE_ID, make_inventory(fn))
    finding = only_finding(results)
    assert finding.evidence == {"url": URL, "auth_type": "NONE", "cors": True}
    assert "update-function-url-config" in finding.remediation.cli
    assert "--auth-type AWS_IAM" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_url_with_iam_auth_passes():
    return run(RULE_ID, make_inventory(make_function(function_url=FunctionUrl(URL, "AWS_IAM"))))


def test_unreadable_url_config_is_not_evaluated():
    fn = make_function()
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_FUNCTION_URLS, fn.arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1


def test_unreadable_policy_hides_the_url_and_is_not_evaluated():
    fn = make_function()
    inventory = make_inventory(fn)
    inventory.coverage_gaps.append(gap(DATA_POLICIES, fn.arn))
    assert len(not_evaluated(run(RULE_ID, inventory))) == 1

"""How a .zip package was deployed, as far as a scan of the emulator can tell: the tags
GetFunction returns name a CloudFormation stack, which deploys through S3; without them the
package-size rule says it cannot tell, and reports the direct-upload limit only as a condition."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding, Severity
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from advisor.rules.support import MB
from tests.collect.aws_state import ACCOUNT, REGION, Aws

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)


@pytest.fixture
def inventory(aws: str) -> RegionInventory:
    state = Aws.connect(aws)
    state.function("from-stack", Tags={"aws:cloudformation:stack-name": "orders-stack"})
    state.function("by-hand")
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws,
        options=OPTIONS,
    )


def test_the_stack_tag_is_read_and_decides_which_limit_applies(inventory):
    stack = next(fn for fn in inventory.functions if fn.name == "from-stack")
    assert stack.tags["aws:cloudformation:stack-name"] == "orders-stack"

    # At this share the emulator's small package is "near" the 50 MB direct-upload limit and
    # not the 250 MB unzipped one: what is judged is which limit applies.
    near = stack.code_size / (50 * MB)
    rule = rules_by_id()["package-size-near-limit"]
    results = list(rule.evaluate(RegionContext.build(inventory), {"near_share": near}))

    [finding] = [r for r in results if isinstance(r, Finding)]
    assert finding.resource_arn.endswith(":function:by-hand")
    assert finding.severity is Severity.LOW
    assert finding.evidence["deployment"]["path"] == "unknown"
    assert inventory.coverage_gaps == []

"""Callers found through schedules, rule targets and aliases: when the role may not read them,
the scan records a gap (region-wide for a listing, on the function's qualifiers for a
qualified read) and the rules that need them say "not evaluated" instead of
passing. The refusals travel the client's real path (botocore before-call handlers, as in
test_partial_failure); everything else is answered by the emulator over HTTP."""

from __future__ import annotations

import pytest

from advisor.collect.inventory import DATA_QUALIFIERS, DATA_SCHEDULES, RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding, NotEvaluated
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws
from tests.fixtures.aws_state import refuse

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)


@pytest.fixture
def state(aws: str) -> Aws:
    state = Aws.connect(aws)
    lam = state.client("lambda")
    state.function("reports", Runtime="python3.9")
    lam.publish_version(FunctionName="reports")
    lam.create_alias(FunctionName="reports", Name="live", FunctionVersion="1")
    _, queue = state.queue("reports-jobs")
    lam.create_event_source_mapping(EventSourceArn=queue, FunctionName="reports:live")
    return state


def scan(state: Aws) -> RegionInventory:
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )


def results(inventory: RegionInventory, rule_id: str) -> list:
    return list(rules_by_id()[rule_id].evaluate(RegionContext.build(inventory), {}))


def test_schedules_the_role_may_not_list_leave_the_async_rule_not_evaluated(state):
    refuse(state.session, "scheduler.ListSchedules", "AccessDeniedException", status=403)
    inventory = scan(state)
    assert inventory.missing(DATA_SCHEDULES) is not None
    [result] = results(inventory, "async-without-failure-destination")
    assert isinstance(result, NotEvaluated)
    assert "scheduler:ListSchedules AccessDeniedException hides schedules" in result.reason


def test_versions_the_role_may_not_read_leave_the_runtime_rule_not_evaluated(state):
    # given GetFunction refused for qualified reads only (the function itself is readable)
    refuse(
        state.session,
        "lambda.GetFunction",
        "AccessDeniedException",
        status=403,
        when=lambda params: "Qualifier" in params.get("query_string", {}),
    )
    inventory = scan(state)
    # a gap on the function's qualifiers, not on the region (see test_denied_qualifiers)
    assert inventory.missing(DATA_QUALIFIERS) is None
    [gap] = [g for g in inventory.coverage_gaps if g.hides == DATA_QUALIFIERS]
    assert gap.resource_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:reports:live"
    [result] = results(inventory, "deprecated-runtime")
    assert isinstance(result, NotEvaluated)
    assert "the configuration behind reports:live could not be read" in result.reason


def test_with_every_read_allowed_the_version_behind_the_alias_is_judged(state):
    [finding] = [r for r in results(scan(state), "deprecated-runtime") if isinstance(r, Finding)]
    assert finding.evidence["qualifier"] == "live" and finding.evidence["version"] == "1"

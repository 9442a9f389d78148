"""Rules judge what serves each caller: the published version behind the alias or version a
trigger invokes, and that qualifier's own permissions and destinations."""

from __future__ import annotations

from dataclasses import replace

from advisor.collect.inventory import (
    ApiIntegration,
    AsyncInvokeConfig,
    Function,
    FunctionUrl,
    FunctionVersion,
    Layer,
    PolicyCondition,
    PolicyStatement,
    ProvisionedConcurrencyConfig,
    PushSource,
    Qualifier,
)
from advisor.rules.base import Severity
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    MB,
    api_integration,
    gap,
    hourly,
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    run,
    sqs_mapping,
    sqs_queue,
    stream_mapping,
)

API_RULE = "apigw-timeout-exceeds-integration"
ASYNC_RULE = "async-without-failure-destination"
DLQ = "arn:aws:sqs:us-east-1:111122223333:orders-dlq"


def aliased(latest_timeout: int = 10, **alias):
    """orders: $LATEST with ``latest_timeout``; live -> version 2 (60 s), version 1 (10 s)."""
    live = Qualifier(
        name="live",
        kind="alias",
        exists=True,
        version="2",
        policy_read=True,
        async_config_read=True,
        has_traffic=True,
        named_by=["api"],
    )
    live = replace(live, **alias)
    return make_function(
        timeout_s=latest_timeout,
        code_sha256="latest",
        qualifiers=[live],
        versions=[
            FunctionVersion(version="1", timeout_s=10, code_sha256="one"),
            FunctionVersion(version="2", timeout_s=60, code_sha256="two"),
        ],
    )


@fails(API_RULE)
def test_the_version_behind_the_alias_is_judged_not_latest():
    fn = aliased(latest_timeout=10)
    results = run(
        API_RULE, make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])
    )
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "2")
    assert finding.evidence["function_timeout_ms"] == 60_000
    assert finding.evidence["latest_timeout_ms"] == 10_000
    assert "live (version 2)" in finding.message and "$LATEST says 10 s" in finding.message
    assert "publish-version" in finding.remediation.cli
    assert "update-alias" in finding.remediation.cli and "--name live" in finding.remediation.cli
    return results


@passes(API_RULE)
def test_a_short_version_behind_the_alias_passes_whatever_latest_is_like():
    fn = aliased(latest_timeout=10, version="1")
    return run(
        API_RULE, make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])
    )


@fails(API_RULE)
def test_an_unpublished_long_timeout_on_latest_is_only_info():
    fn = aliased(latest_timeout=60, version="1")
    results = run(
        API_RULE, make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])
    )
    finding = only_finding(results)
    assert finding.severity is Severity.INFO
    assert finding.evidence["unpublished"] is True
    assert finding.message.startswith("Not live yet")
    return results


@fails(API_RULE)
def test_the_canary_version_of_a_weighted_alias_is_judged_too():
    fn = aliased(version="1", routing={"2": 0.1}, routing_read=True)
    results = run(
        API_RULE, make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])
    )
    finding = only_finding(results)
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "2")
    return results


def test_an_alias_that_does_not_exist_is_not_evaluated():
    fn = aliased(exists=False, version=None)
    results = run(
        API_RULE, make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])
    )
    (reason,) = not_evaluated(results)
    assert "does not exist" in reason.reason


def test_an_unresolved_stage_variable_is_not_evaluated():
    fn = make_function(timeout_s=60)
    integration = ApiIntegration(
        function_arn=f"{fn.arn}:${{stageVariables.alias}}",
        api_id="a1",
        api_name="shop",
        api_kind="rest",
        route="GET /reviews",
        timeout_ms=29_000,
        stage="dev",
        unresolved="stage dev sets no stage variable alias",
    )
    results = run(API_RULE, make_inventory(fn, api_integrations=[integration]))
    (reason,) = not_evaluated(results)
    assert "stage dev sets no stage variable alias" in reason.reason


def sns_on_alias(fn) -> PushSource:
    return PushSource(
        function_arn=f"{fn.arn}:live",
        principal="sns.amazonaws.com",
        source_arn="arn:aws:sns:us-east-1:111122223333:orders",
        invocation="async",
    )


@passes(ASYNC_RULE)
def test_a_destination_on_the_alias_sns_invokes_passes():
    fn = aliased(async_config=AsyncInvokeConfig(on_failure=DLQ))
    return run(ASYNC_RULE, make_inventory(fn, push_sources=[sns_on_alias(fn)]))


@fails(ASYNC_RULE)
def test_a_destination_on_latest_does_not_cover_the_alias():
    fn = replace(aliased(), async_config=AsyncInvokeConfig(on_failure=DLQ))
    results = run(ASYNC_RULE, make_inventory(fn, push_sources=[sns_on_alias(fn)]))
    finding = only_finding(results)
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "2")
    assert "orders:live (version 2)" in finding.message
    assert "--qualifier live" in finding.remediation.cli
    return results


@passes(ASYNC_RULE)
def test_a_schedule_on_an_alias_whose_version_has_a_dead_letter_queue_passes():
    fn = aliased(async_config=None)
    fn.versions[1] = replace(fn.versions[1], dead_letter_target=DLQ)
    schedule = PushSource(
        function_arn=f"{fn.arn}:live",
        principal="scheduler.amazonaws.com",
        source_arn="arn:aws:scheduler:us-east-1:111122223333:schedule/default/nightly",
        invocation="async",
        via="role",
    )
    return run(ASYNC_RULE, make_inventory(fn, push_sources=[schedule]))


def test_an_unread_event_invoke_config_on_the_alias_is_not_evaluated():
    fn = aliased(async_config_read=False)
    results = run(ASYNC_RULE, make_inventory(fn, push_sources=[sns_on_alias(fn)]))
    (reason,) = not_evaluated(results)
    assert "orders:live" in reason.reason


# --- mappings that invoke nothing ----------------------------------------------------------


@passes("sqs-source-without-dlq")
def test_a_disabled_mapping_is_no_live_risk():
    fn = make_function()
    queue = sqs_queue(redrive_target_arn=None, max_receive_count=None)
    mapping = sqs_mapping(fn, queue, state="Disabled")
    return run(
        "sqs-source-without-dlq",
        make_inventory(fn, queues={queue.arn: queue}, event_source_mappings=[mapping]),
    )


@passes("stream-source-without-failure-destination")
def test_a_mapping_lambda_reports_broken_is_no_live_risk():
    fn = make_function()
    mapping = stream_mapping(
        fn,
        on_failure_destination=None,
        state_transition_reason="PROBLEM: Lambda cannot read the stream",
    )
    assert not mapping.live
    return run(
        "stream-source-without-failure-destination",
        make_inventory(fn, event_source_mappings=[mapping]),
    )


def test_a_mapping_without_a_problem_stays_live():
    fn = make_function()
    mapping = stream_mapping(fn, on_failure_destination=None, last_processing_result="OK")
    assert mapping.live
    results = run(
        "stream-source-without-failure-destination",
        make_inventory(fn, event_source_mappings=[mapping]),
    )
    assert only_finding(results).rule_id == "stream-source-without-failure-destination"


# --- provisioned concurrency, alias by alias ----------------------------------------------

PC_RULE = "provisioned-concurrency-underused"


def two_aliases(live_use: float, canary_traffic: bool):
    """live: 10 instances at ``live_use``; canary: 10 instances, no metric at all."""
    return make_function(
        provisioned_concurrency=[
            ProvisionedConcurrencyConfig("live", 10, 10),
            ProvisionedConcurrencyConfig("canary", 10, 10),
        ],
        qualifiers=[
            Qualifier(name="live", kind="alias", exists=True, version="2", has_traffic=True),
            Qualifier(
                name="canary", kind="alias", exists=True, version="2", has_traffic=canary_traffic
            ),
        ],
        metrics=make_metrics(
            provisioned_utilization_max=hourly(live_use),
            provisioned_utilization_by_qualifier={"live": hourly(live_use)},
        ),
    )


@fails(PC_RULE)
def test_an_idle_alias_is_judged_on_its_own_not_merged_with_a_busy_one():
    results = run(PC_RULE, make_inventory(two_aliases(live_use=0.9, canary_traffic=False)))
    finding = only_finding(results)
    assert finding.evidence["qualifier"] == "canary"
    assert finding.evidence["idle"] == 10
    assert "orders:canary" in finding.message
    by_alias = {c["qualifier"]: c for c in finding.evidence["configs"]}
    assert by_alias["live"]["idle"] == 1
    assert "delete-provisioned-concurrency-config" in finding.remediation.cli
    assert "--qualifier canary" in finding.remediation.cli
    return results


def test_an_invoked_alias_without_its_metric_is_not_evaluated_alone():
    results = run(PC_RULE, make_inventory(two_aliases(live_use=0.9, canary_traffic=True)))
    assert results == []  # live is busy, canary unknown: nothing to report on live


@fails("function-url-public")
def test_a_public_url_on_an_alias_is_found():
    fn = aliased(
        function_url=FunctionUrl(url="https://abc.lambda-url.us-east-1.on.aws/", auth_type="NONE")
    )
    results = run("function-url-public", make_inventory(fn))
    finding = only_finding(results)
    assert finding.evidence["qualifier"] == "live"
    assert "orders:live" in finding.message
    assert "--qualifier live --auth-type AWS_IAM" in finding.remediation.cli
    return results


def test_an_unread_alias_policy_is_not_evaluated_rather_than_passed():
    fn = aliased(policy_read=False)
    inventory = make_inventory(fn, coverage_gaps=[gap("qualifiers", f"{fn.arn}:live")])
    (reason,) = not_evaluated(run(ASYNC_RULE, inventory))
    assert "qualifiers" in reason.reason


# --- runtime, memory, SnapStart and package of the version that takes traffic -------------------

RUNTIME_RULE = "deprecated-runtime"
MEMORY_RULE = "memory-starved"
SNAPSTART_RULE = "java-sync-without-snapstart"
PACKAGE_RULE = "large-package-on-sync-path"
TODAY = {"today": "2026-11-25"}


def behind_live(latest: dict, served: dict, **alias) -> Function:
    """orders: $LATEST as ``latest`` says; an API invokes live -> version 3 (``served``)."""
    live = Qualifier(
        name="live", kind="alias", exists=True, version="3", has_traffic=True, named_by=["api"]
    )
    return make_function(
        code_sha256="latest",
        qualifiers=[replace(live, **alias)],
        versions=[FunctionVersion(version="3", code_sha256="three", **served)],
        **latest,
    )


def via_api(fn, qualifier="live"):
    return make_inventory(fn, api_integrations=[api_integration(fn, qualifier=qualifier)])


@fails(RUNTIME_RULE)
def test_the_deprecated_runtime_of_the_version_behind_the_alias_is_live():
    # given $LATEST moved to python3.13 but live still points at version 3 on python3.9
    fn = behind_live({"runtime": "python3.13"}, {"runtime": "python3.9"})
    results = run(RUNTIME_RULE, via_api(fn), **TODAY)
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.message.startswith("orders:live (version 3) runs python3.9")
    assert "$LATEST already runs python3.13" in finding.message
    assert finding.evidence["qualifier"] == "live" and finding.evidence["version"] == "3"
    assert finding.evidence["in_use"][0]["label"] == "live (version 3)"
    # a version is immutable: the fix publishes and moves the alias
    assert "publish-version" in finding.remediation.cli
    assert "update-alias --function-name orders --name live" not in finding.remediation.cli
    assert "--name live --function-version" in finding.remediation.cli
    return results


@fails(RUNTIME_RULE)
def test_a_deprecated_runtime_only_on_unpublished_latest_is_info():
    fn = behind_live({"runtime": "python3.9"}, {"runtime": "python3.13"})
    results = run(RUNTIME_RULE, via_api(fn), **TODAY)
    finding = only_finding(results)
    assert finding.severity is Severity.INFO
    assert finding.message.startswith("Not live yet: orders's unpublished $LATEST runs python3.9")
    assert finding.evidence["unpublished"] is True
    return results


@passes(RUNTIME_RULE)
def test_a_supported_runtime_behind_the_alias_passes():
    fn = behind_live({"runtime": "python3.13"}, {"runtime": "python3.13"})
    return run(RUNTIME_RULE, via_api(fn), **TODAY)


def test_latest_counts_as_live_when_something_invokes_it_unqualified():
    # given an unqualified caller too, $LATEST's deprecated runtime is live
    fn = behind_live({"runtime": "python3.9"}, {"runtime": "python3.13"})
    inventory = via_api(fn)
    inventory.api_integrations.append(api_integration(fn))
    finding = only_finding(run(RUNTIME_RULE, inventory, **TODAY))
    assert finding.severity is Severity.HIGH
    assert finding.evidence["qualifier"] is None
    assert finding.message.startswith("orders runs python3.9")


def test_two_aliases_on_one_version_are_one_finding_naming_both():
    fn = behind_live({"runtime": "python3.13"}, {"runtime": "python3.9"})
    fn.qualifiers.append(
        Qualifier(name="canary", kind="alias", exists=True, version="3", named_by=["metrics"])
    )
    finding = only_finding(run(RUNTIME_RULE, via_api(fn), **TODAY))
    assert finding.evidence["in_use"][0]["also"] == ["canary"]
    assert "--name canary" in finding.remediation.cli and "--name live" in finding.remediation.cli


def test_an_unread_version_behind_the_alias_is_not_evaluated():
    fn = behind_live({"runtime": "python3.13"}, {"runtime": "python3.13"}, version="4")
    [result] = not_evaluated(run(RUNTIME_RULE, via_api(fn), **TODAY))
    assert "could not be read" in result.reason


SLOW = make_metrics(duration_avg_ms=1_500.0)


@fails(MEMORY_RULE)
def test_the_memory_of_the_version_behind_the_alias_is_judged():
    # given $LATEST raised to 1024 MB, but live still runs version 3 with 128 MB
    fn = behind_live({"memory_mb": 1024, "metrics": SLOW}, {"memory_mb": 128})
    results = run(MEMORY_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.LOW
    assert finding.message.startswith("orders:live (version 3) has 128 MB")
    assert "$LATEST has 1024 MB, but callers invoke live (version 3)" in finding.message
    assert finding.evidence["version"] == "3" and finding.evidence["latest_memory_mb"] == 1024
    assert "--name live --function-version" in finding.remediation.cli
    return results


@fails(MEMORY_RULE)
def test_low_memory_only_on_unpublished_latest_is_info():
    fn = behind_live({"memory_mb": 128, "metrics": SLOW}, {"memory_mb": 1024})
    results = run(MEMORY_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.INFO
    assert finding.evidence["unpublished"] is True
    assert "live (version 3) with 1024 MB" in finding.message
    return results


@passes(MEMORY_RULE)
def test_enough_memory_behind_the_alias_passes_whatever_latest_had_before():
    return run(MEMORY_RULE, via_api(behind_live({"metrics": SLOW}, {"memory_mb": 1024})))


@fails(SNAPSTART_RULE)
def test_a_version_published_before_snapstart_was_turned_on_is_judged():
    # given SnapStart turned on on $LATEST after live's version 3 was published
    fn = behind_live(
        {"runtime": "java21", "snap_start": "PublishedVersions"},
        {"runtime": "java21", "snap_start": "None"},
    )
    results = run(SNAPSTART_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.message.startswith("orders:live (version 3) runs java21 behind rest API")
    assert "$LATEST has SnapStart on, but live (version 3) was published before" in (
        finding.message
    )
    assert finding.evidence["version"] == "3"
    assert "--name live --function-version" in finding.remediation.cli
    return results


@passes(SNAPSTART_RULE)
def test_snapstart_on_the_version_behind_the_alias_passes():
    fn = behind_live(
        {"runtime": "java21", "snap_start": "PublishedVersions"},
        {"runtime": "java21", "snap_start": "PublishedVersions"},
    )
    return run(SNAPSTART_RULE, via_api(fn))


@fails(SNAPSTART_RULE)
def test_snapstart_off_only_on_unpublished_latest_is_info():
    fn = behind_live(
        {"runtime": "java21"}, {"runtime": "java21", "snap_start": "PublishedVersions"}
    )
    results = run(SNAPSTART_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.INFO
    assert finding.evidence["unpublished"] is True
    return results


def test_provisioned_concurrency_on_the_invoked_alias_keeps_its_version_warm():
    fn = behind_live({"runtime": "java21"}, {"runtime": "java21"})
    fn.provisioned_concurrency = [ProvisionedConcurrencyConfig("live", 5)]
    assert run(SNAPSTART_RULE, via_api(fn)) == []


def test_a_function_url_on_the_alias_is_a_synchronous_caller():
    fn = behind_live({"runtime": "java21"}, {"runtime": "java21"})
    fn.qualifiers[0].function_url = FunctionUrl(url="https://x.lambda-url", auth_type="AWS_IAM")
    finding = only_finding(run(SNAPSTART_RULE, make_inventory(fn)))
    assert finding.evidence["qualifier"] == "live"


@fails(PACKAGE_RULE)
def test_the_package_of_the_version_behind_the_alias_is_judged():
    # given $LATEST trimmed to 2 MB, but live still runs version 3 with 30 MB
    fn = behind_live({}, {"code_size": 30 * MB})
    results = run(PACKAGE_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.message.startswith("orders:live (version 3) ships 30.0 MB")
    assert "$LATEST ships 2.0 MB, but callers invoke live (version 3)" in finding.message
    assert finding.evidence["version"] == "3"
    return results


@fails(PACKAGE_RULE)
def test_a_large_package_only_on_unpublished_latest_is_info():
    fn = behind_live({"code_size": 30 * MB}, {"code_size": 2 * MB})
    results = run(PACKAGE_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.INFO
    assert finding.evidence["unpublished"] is True
    return results


@passes(PACKAGE_RULE)
def test_a_small_package_behind_the_alias_passes():
    return run(PACKAGE_RULE, via_api(behind_live({}, {"code_size": 2 * MB})))


def test_the_version_s_own_layers_count_not_latest_s():
    fn = behind_live(
        {"layers": [Layer(arn="arn:layer:big:1", code_size=40 * MB)]},
        {"code_size": 2 * MB, "layers": [Layer(arn="arn:layer:big:0", code_size=1 * MB)]},
    )
    finding = only_finding(run(PACKAGE_RULE, via_api(fn)))
    assert finding.severity is Severity.INFO  # only $LATEST is large


def test_an_unknown_version_behind_the_alias_is_not_evaluated():
    fn = behind_live({}, {"code_size": 2 * MB}, version="9")
    [result] = not_evaluated(run(PACKAGE_RULE, via_api(fn)))
    assert "could not be read" in result.reason


POLICY_RULE = "resource-policy-public"


def open_statement(**overrides) -> PolicyStatement:
    fields = {
        "sid": "anyone",
        "effect": "Allow",
        "principal": "*",
        "action": "lambda:InvokeFunction",
    }
    return PolicyStatement(**{**fields, **overrides})


def with_alias_policy(*statements, **alias):
    fn = make_function()
    fn.qualifiers = [
        Qualifier(
            **{
                "name": "live",
                "kind": "alias",
                "exists": True,
                "version": "3",
                "policy_read": True,
                "policy_statements": list(statements),
                "named_by": ["api"],
                **alias,
            }
        )
    ]
    return make_inventory(fn)


@fails(POLICY_RULE)
def test_a_public_statement_on_the_alias_policy_fails_and_names_the_alias():
    results = run(POLICY_RULE, with_alias_policy(open_statement()))
    finding = only_finding(results)
    assert finding.message.startswith("The resource policy of orders:live allows any principal")
    assert "anyone on live" in finding.message
    assert finding.evidence["qualifiers"] == ["live"]
    assert finding.evidence["statements"][0]["qualifier"] == "live"
    assert "--qualifier live" in finding.remediation.cli
    assert "FunctionName: orders:live" in finding.remediation.iac
    return results


@passes(POLICY_RULE)
def test_an_alias_statement_pinned_to_a_source_account_passes():
    pinned = open_statement(
        has_condition=True,
        source_account="111122223333",
        conditions=[PolicyCondition("StringEquals", "aws:SourceAccount", ["111122223333"])],
    )
    return run(POLICY_RULE, with_alias_policy(pinned))


def test_secure_transport_on_the_alias_does_not_make_it_private():
    # the same Lambda.1 condition logic as for the function's own policy
    transport = open_statement(
        has_condition=True,
        conditions=[PolicyCondition("Bool", "aws:SecureTransport", ["true"])],
    )
    finding = only_finding(run(POLICY_RULE, with_alias_policy(transport)))
    assert "aws:SecureTransport" in finding.message


def test_an_unread_alias_policy_is_not_evaluated():
    inventory = with_alias_policy(policy_read=False)
    inventory.coverage_gaps.append(gap("qualifiers", f"{inventory.functions[0].arn}:live"))
    [result] = not_evaluated(run(POLICY_RULE, inventory))
    assert "orders:live" in result.reason and "hides qualifiers" in result.reason


def test_an_alias_that_does_not_exist_has_no_policy_to_judge():
    assert run(POLICY_RULE, with_alias_policy(exists=False, policy_read=False)) == []


VISIBILITY_RULE = "sqs-visibility-timeout-too-short"


@fails(VISIBILITY_RULE)
def test_the_visibility_timeout_is_judged_against_the_version_the_mapping_invokes():
    # given a 60 s queue: $LATEST's 10 s timeout fits, live's version 3 with 30 s does not
    fn = behind_live({"timeout_s": 10}, {"timeout_s": 30}, named_by=["mapping"])
    queue = sqs_queue(visibility_timeout_s=60)
    inventory = make_inventory(
        fn,
        queues={queue.arn: queue},
        event_source_mappings=[sqs_mapping(fn, queue, function_arn=f"{fn.arn}:live")],
    )
    results = run(VISIBILITY_RULE, inventory)
    finding = only_finding(results)
    assert "orders:live (version 3) may need 180 s (6 x 30 s timeout" in finding.message
    assert finding.evidence["version"] == "3" and finding.evidence["function_timeout_s"] == 30
    return results


def test_an_unread_version_behind_the_mapping_s_alias_is_not_evaluated():
    fn = behind_live({"timeout_s": 10}, {"timeout_s": 5}, version="8", named_by=["mapping"])
    queue = sqs_queue(visibility_timeout_s=60)
    inventory = make_inventory(
        fn,
        queues={queue.arn: queue},
        event_source_mappings=[sqs_mapping(fn, queue, function_arn=f"{fn.arn}:live")],
    )
    [result] = not_evaluated(run(VISIBILITY_RULE, inventory))
    assert "could not be read" in result.reason


TIMEOUTS_RULE = "timeouts-observed"


@fails(TIMEOUTS_RULE)
def test_observed_durations_are_judged_against_the_version_in_use():
    # given $LATEST at 60 s, but live's version 3 (all the traffic) times out at 10 s
    fn = behind_live(
        {"timeout_s": 60, "metrics": make_metrics(duration_max_ms=10_000.0)}, {"timeout_s": 10}
    )
    results = run(TIMEOUTS_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.severity is Severity.HIGH
    assert finding.message.startswith("orders:live (version 3) ran for up to 10000 ms")
    assert finding.evidence["version"] == "3" and finding.evidence["latest_timeout_ms"] == 60_000
    assert "--name live --function-version" in finding.remediation.cli
    return results


@passes(TIMEOUTS_RULE)
def test_a_long_enough_version_in_use_passes_whatever_latest_says():
    fn = behind_live(
        {"timeout_s": 10, "metrics": make_metrics(duration_max_ms=10_000.0)}, {"timeout_s": 60}
    )
    return run(TIMEOUTS_RULE, via_api(fn))


TRACING_RULE = "tracing-disabled"


@fails(TRACING_RULE)
def test_tracing_is_judged_on_the_version_behind_the_alias():
    # given active tracing turned on on $LATEST after live's version 3 was published
    fn = behind_live({"tracing_mode": "Active"}, {"tracing_mode": "PassThrough"})
    results = run(TRACING_RULE, via_api(fn))
    finding = only_finding(results)
    assert finding.message.startswith("orders:live (version 3) is called synchronously")
    assert "was published before" in finding.message
    assert finding.evidence["version"] == "3"
    assert "--name live --function-version" in finding.remediation.cli
    return results


@passes(TRACING_RULE)
def test_active_tracing_on_the_version_behind_the_alias_passes():
    fn = behind_live({"tracing_mode": "PassThrough"}, {"tracing_mode": "Active"})
    return run(TRACING_RULE, via_api(fn))


def test_an_alias_running_other_versions_whose_routing_was_not_read_is_not_evaluated():
    # the metrics show live running versions 1 and 2; GetAlias was refused
    fn = aliased(executed_versions=["1", "2"], routing_read=False)
    results = run(
        API_RULE, make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])
    )
    (reason,) = not_evaluated(results)
    assert "weighted routing of orders:live could not be read" in reason.reason


@passes(API_RULE)
def test_an_alias_that_ran_only_its_own_version_needs_no_routing():
    fn = aliased(version="1", executed_versions=["1"], routing_read=False)
    return run(
        API_RULE, make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])
    )

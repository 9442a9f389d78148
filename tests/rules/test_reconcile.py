"""One coherent fix per function when findings disagree about a setting (pure)."""

from advisor.rules.reconcile import (
    AT_LEAST,
    AT_MOST,
    MEMORY,
    RESERVED,
    SUGGEST,
    TIMEOUT,
    Proposal,
    function_fix,
    settle,
)
from tests.rules.factories import (
    api_integration,
    findings,
    hourly,
    make_function,
    make_inventory,
    make_metrics,
    run,
    sqs_mapping,
    sqs_queue,
)


def proposal(rule_id, setting, kind, value, binding=False):
    return Proposal(rule_id, setting, kind, value, f"{rule_id} says so", binding)


def test_api_gateways_hard_limit_wins_over_a_longer_timeout_and_says_why():
    # given an API-called function whose invocations run close to its 120 s timeout
    fn = make_function(
        "checkout-api",
        timeout_s=120,
        metrics=make_metrics(duration_max=hourly(110_000.0), duration_max_ms=110_000.0),
    )
    inventory = make_inventory(fn, api_integrations=[api_integration(fn, timeout_ms=29_000)])
    results = findings(run("apigw-timeout-exceeds-integration", inventory)) + findings(
        run("timeouts-observed", inventory)
    )
    assert {f.rule_id for f in results} == {
        "apigw-timeout-exceeds-integration",
        "timeouts-observed",
    }
    # when the two are reconciled
    fix = function_fix(
        function_name="checkout-api",
        region="us-east-1",
        findings=[(f.rule_id, f.evidence, f.message) for f in results],
        current={TIMEOUT: 120},
    )
    # then the timeout is the cap, once, with both reasons
    (timeout,) = fix.settings
    assert timeout.setting == TIMEOUT and timeout.value == 28 and timeout.reconciled
    assert {p.rule_id for p in timeout.proposals} == {
        "apigw-timeout-exceeds-integration",
        "timeouts-observed",
    }
    assert "hard limit" in timeout.explanation
    assert "timeouts-observed asks for at least" in timeout.explanation
    assert "asynchronously" in timeout.explanation
    assert fix.cli == (
        "aws lambda update-function-configuration --region us-east-1 "
        "--function-name checkout-api --timeout 28"
    )
    assert "Timeout: 28" in fix.iac


def test_a_floor_wins_over_a_suggestion():
    fix = settle(
        MEMORY,
        [
            proposal("default-timeout-and-memory", MEMORY, SUGGEST, 256),
            proposal("memory-starved", MEMORY, AT_LEAST, 1024),
        ],
        current=128,
    )
    assert fix.value == 1024 and fix.reconciled
    assert "memory-starved needs at least 1024 MB" in fix.explanation
    assert "suggestion of 256 MB gives way" in fix.explanation


def test_a_floor_wins_over_a_soft_cap_and_the_cap_is_explained():
    fix = settle(
        RESERVED,
        [
            proposal("unbounded-concurrency-hog", RESERVED, AT_MOST, 300),
            proposal("function-throttled", RESERVED, AT_LEAST, 600),
        ],
    )
    assert fix.value == 600
    assert "unbounded-concurrency-hog's cap of 300" in fix.explanation


def test_a_suggestion_under_the_hard_limit_stands():
    fix = settle(
        TIMEOUT,
        [
            proposal("apigw-timeout-exceeds-integration", TIMEOUT, AT_MOST, 28, binding=True),
            proposal("default-timeout-and-memory", TIMEOUT, SUGGEST, 10),
        ],
    )
    assert fix.value == 10
    assert "within apigw-timeout-exceeds-integration's hard limit of 28 s" in fix.explanation


def test_one_proposal_is_not_a_reconciliation():
    fix = settle(TIMEOUT, [proposal("timeouts-observed", TIMEOUT, AT_LEAST, 90)])
    assert fix.value == 90 and not fix.reconciled


def test_settings_already_right_and_findings_that_set_nothing_make_no_change():
    fix = function_fix(
        function_name="orders",
        region="eu-west-1",
        findings=[
            ("timeouts-observed", {"suggested_timeout_s": 30}, "m"),
            ("tracing-disabled", {"tracing_mode": "PassThrough"}, "m"),
            ("memory-starved", {"suggested_memory_mb": 1024}, "m"),
            ("function-throttled", {"suggested_reservation": 20}, "m"),
        ],
        current={TIMEOUT: 30, MEMORY: 512},
    )
    assert [(s.setting, s.value) for s in fix.settings] == [(MEMORY, 1024), (RESERVED, 20)]
    assert fix.cli.splitlines() == [
        "aws lambda update-function-configuration --region eu-west-1 --function-name orders "
        "--memory-size 1024",
        "aws lambda put-function-concurrency --region eu-west-1 --function-name orders "
        "--reserved-concurrent-executions 20",
    ]


def test_the_rules_that_change_settings_say_what_they_propose():
    # memory-starved and function-throttled put their suggestion in the evidence
    starved = make_function("slow", memory_mb=128, metrics=make_metrics(duration_avg_ms=3_000.0))
    (finding,) = findings(run("memory-starved", make_inventory(starved)))
    assert finding.evidence["suggested_memory_mb"] > 128
    throttled = make_function(
        "busy",
        reserved_concurrency=5,
        metrics=make_metrics(throttles=hourly(10.0), throttles_total=3360.0),
    )
    (finding,) = findings(run("function-throttled", make_inventory(throttled)))
    assert finding.evidence["suggested_reservation"] >= 10


def test_a_soft_cap_alone_is_the_value():
    fix = settle(RESERVED, [proposal("unbounded-concurrency-hog", RESERVED, AT_MOST, 300)])
    assert fix.value == 300 and fix.explanation == "unbounded-concurrency-hog caps it at 300."


def test_a_reservation_too_small_for_its_sqs_mappings_is_a_floor_for_the_hog_rules_cap():
    # given a function that reserves 3 for three SQS mappings (each needs at least 2)
    fn = make_function("orders-consumer", reserved_concurrency=3)
    queues = [sqs_queue(f"jobs-{i}") for i in range(3)]
    inventory = make_inventory(
        fn,
        queues={q.arn: q for q in queues},
        event_source_mappings=[sqs_mapping(fn, q, uuid=f"u-{i}") for i, q in enumerate(queues)],
    )
    results = findings(run("sqs-concurrency-above-reservation", inventory))
    # when reconciled with a cap another rule proposes
    fix = function_fix(
        function_name="orders-consumer",
        region="us-east-1",
        findings=[(f.rule_id, f.evidence, f.message) for f in results]
        + [("unbounded-concurrency-hog", {"suggested_reservation": 4}, "keep the pool")],
        current={RESERVED: 3},
    )
    # then the reservation is the floor the mappings need, under the cap
    (reserved,) = fix.settings
    assert reserved.setting == RESERVED and reserved.value == 6

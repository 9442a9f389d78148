"""The catalogue as a whole: metadata, cases for every rule, and coverage gaps. That rules stay
pure (no Django, AWS or settings) is guarded with the rest of the core in tests/test_layers.py."""

import importlib
import pkgutil
import re
import time
from pathlib import Path

import pytest

import tests.rules
from advisor.collect.inventory import (
    DATA_EVENT_RULES,
    DATA_METRICS,
    DATA_QUALIFIERS,
    DATA_SCHEDULES,
    DATA_WORKFLOWS,
)
from advisor.rules.base import NotEvaluated, Pillar, Severity
from advisor.rules.context import RegionContext
from advisor.rules.registry import all_rules
from tests.rules.cases import CASES
from tests.rules.factories import (
    api_integration,
    gap,
    make_function,
    make_inventory,
    stream_mapping,
)

RULES = all_rules()
RULE_IDS = [rule.id for rule in RULES]
ROOT = Path(__file__).resolve().parents[2]


def load_all_cases() -> dict[str, dict[str, list[str]]]:
    for module in pkgutil.iter_modules(tests.rules.__path__):
        if module.name.startswith("test_"):
            importlib.import_module(f"tests.rules.{module.name}")
    return CASES


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_metadata_is_complete(rule):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id)
    assert rule.title and not rule.title.endswith(".")
    assert isinstance(rule.pillar, Pillar)
    assert isinstance(rule.severity, Severity)
    assert len(rule.rationale) > 80
    assert rule.sources and all(s.startswith("https://") for s in rule.sources)
    assert rule.requires, "a rule names the data it needs"
    assert set(rule.options) == set(rule.option_help), "every option is documented"
    assert all(text.strip() for text in rule.option_help.values())


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_a_failing_and_a_passing_case(rule_id):
    cases = load_all_cases()[rule_id]
    assert cases["fail"], f"{rule_id} has no @fails case"
    assert cases["pass"], f"{rule_id} has no @passes case"


def test_cases_name_only_known_rules():
    assert set(load_all_cases()) <= set(RULE_IDS)


def test_the_catalogue_holds_the_issue_ids():
    fixed = {
        "apigw-timeout-exceeds-integration",
        "async-without-failure-destination",
        "sqs-source-without-dlq",
        "sqs-visibility-timeout-too-short",
        "stream-source-without-failure-destination",
        "unreserved-concurrency-low",
        "function-throttled",
        "unbounded-concurrency-hog",
        "timeouts-observed",
        "high-error-rate",
        "stream-iterator-age-high",
        "package-size-near-limit",
        "large-package-on-sync-path",
        "account-code-storage-high",
        "java-sync-without-snapstart",
        "memory-starved",
        "function-url-public",
        "resource-policy-public",
        "secrets-in-environment",
        "deprecated-runtime",
        "tracing-disabled",
        "log-retention-unset",
        "default-timeout-and-memory",
        "arm64-candidate",
        "provisioned-concurrency-underused",
        "consider-containers",
    }
    assert fixed <= set(RULE_IDS), sorted(fixed - set(RULE_IDS))


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_healthy_base_inventory_passes(rule):
    ctx = RegionContext.build(make_inventory())
    assert list(rule.evaluate(ctx, {"today": "2026-11-25"})) == []


@pytest.mark.parametrize(
    ("rule", "hides"),
    [(rule, key) for rule in RULES for key in rule.requires],
    ids=[f"{rule.id}:{key}" for rule in RULES for key in rule.requires],
)
def test_region_wide_gap_makes_the_rule_not_evaluated(rule, hides):
    inventory = make_inventory()
    inventory.coverage_gaps.append(gap(hides))
    [result] = list(rule.evaluate(RegionContext.build(inventory)))
    assert isinstance(result, NotEvaluated)
    assert hides in result.reason


def _catalogue_run(size: int) -> tuple[float, list, list]:
    functions = [make_function(f"fn{i}") for i in range(size)]
    inventory = make_inventory(
        *functions,
        api_integrations=[api_integration(fn) for fn in functions],
        event_source_mappings=[stream_mapping(fn) for fn in functions[: size * 3 // 10]],
    )
    inventory.coverage_gaps = [gap(DATA_METRICS, fn.arn) for fn in functions[: size // 5]]
    started = time.perf_counter()
    ctx = RegionContext.build(inventory)
    results = [r for rule in RULES for r in rule.evaluate(ctx, {"today": "2026-11-25"})]
    return time.perf_counter() - started, results, functions


def test_whole_catalogue_grows_linearly_with_the_functions():
    # Accounts hold up to 10,000 functions; a rule that searched every trigger or gap list per
    # function (O(n^2)) would take minutes there. Five times the functions must cost about five
    # times the time (a quadratic rule makes it 25): a ratio, so a loaded machine slows both
    # sides alike. How fast the catalogue is, is the benchmark's to say (make bench).
    small = min(_catalogue_run(1_000)[0] for _ in range(3))
    large, results, functions = _catalogue_run(5_000)
    if large >= 12 * small:  # one second look before blaming the rules for a busy moment
        large = min(large, _catalogue_run(5_000)[0])
    assert large < 12 * small, f"1,000 functions: {small:.2f} s; 5,000: {large:.2f} s"
    skipped = {r.resource_arn for r in results if isinstance(r, NotEvaluated)}
    assert functions[0].arn in skipped and functions[-1].arn not in skipped


# Rules that judge aliases and versions, or callers found through schedules, rule targets and
# workflows, cannot pass a region where that data was not read.
NEEDS = {
    DATA_QUALIFIERS: (
        "apigw-timeout-exceeds-integration",
        "async-without-failure-destination",
        "deprecated-runtime",
        "memory-starved",
        "java-sync-without-snapstart",
        "large-package-on-sync-path",
        "resource-policy-public",
        "function-url-public",
    ),
    DATA_SCHEDULES: ("async-without-failure-destination",),
    DATA_EVENT_RULES: ("async-without-failure-destination",),
    DATA_WORKFLOWS: ("async-without-failure-destination",),
}


@pytest.mark.parametrize(
    ("hides", "rule_id"),
    [(key, rule_id) for key, ids in NEEDS.items() for rule_id in ids],
)
def test_a_region_without_qualifier_or_caller_data_is_not_evaluated(hides, rule_id):
    # given a region whose every function would otherwise pass
    rule = next(r for r in RULES if r.id == rule_id)
    assert hides in rule.requires
    inventory = make_inventory()
    inventory.coverage_gaps.append(gap(hides))
    # then the rule says it could not judge, rather than passing silently
    [result] = list(rule.evaluate(RegionContext.build(inventory), {"today": "2026-11-25"}))
    assert isinstance(result, NotEvaluated)
    assert hides in result.reason


def test_a_region_without_workflows_cannot_tell_a_function_off_the_sync_path():
    # a workflow may invoke it synchronously: the sync-path rules cannot say it has no caller
    inventory = make_inventory(make_function(runtime="java21"))
    inventory.coverage_gaps.append(gap(DATA_WORKFLOWS))
    rule = next(r for r in RULES if r.id == "java-sync-without-snapstart")
    [result] = list(rule.evaluate(RegionContext.build(inventory)))
    assert isinstance(result, NotEvaluated)
    assert "workflows" in result.reason

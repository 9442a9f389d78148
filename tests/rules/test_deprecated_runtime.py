from advisor.collect.inventory import DATA_FUNCTIONS, CoverageGap, Function, RegionInventory
from advisor.rules.base import Finding, NotEvaluated, Severity
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.rules.cases import fails, passes

RULE = rules_by_id()["deprecated-runtime"]
TODAY = "2026-11-25"


def make_inventory(runtime: str | None) -> RegionInventory:
    fn = Function(
        arn="arn:aws:lambda:us-east-1:111122223333:function:orders",
        name="orders",
        region="us-east-1",
        runtime=runtime,
        handler="app.handler",
        memory_mb=512,
        timeout_s=10,
    )
    return RegionInventory(account_id="111122223333", region="us-east-1", functions=[fn])


def run(inventory: RegionInventory, **options):
    return list(RULE.evaluate(RegionContext.build(inventory), {"today": TODAY, **options}))


@fails(RULE.id)
def test_deprecated_runtime_fails_high_with_days_and_successor():
    results = run(make_inventory("python3.9"))
    [finding] = results
    assert isinstance(finding, Finding)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["deprecation_date"] == "2025-12-15"
    assert finding.evidence["days_until_deprecation"] == -345
    assert "--runtime python3.13" in finding.remediation.cli
    return results


def test_runtime_within_warning_window_fails_medium():
    # python3.11 deprecates 2027-06-30: 217 days after TODAY, outside 180 but inside 240
    assert run(make_inventory("python3.11")) == []
    [finding] = run(make_inventory("python3.11"), warn_days=240)
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["days_until_deprecation"] == 217


def test_deprecation_day_itself_counts_as_deprecated():
    ctx = RegionContext.build(make_inventory("dotnet8"))
    [finding] = list(RULE.evaluate(ctx, {"today": "2026-11-10"}))
    assert finding.severity is Severity.HIGH
    assert finding.evidence["days_until_deprecation"] == 0


@passes(RULE.id)
def test_supported_runtime_passes():
    return run(make_inventory("python3.13"))


@passes(RULE.id)
def test_image_function_without_runtime_passes():
    return run(make_inventory(None))


def test_not_evaluated_when_functions_could_not_be_listed():
    inventory = make_inventory("python3.9")
    inventory.coverage_gaps.append(
        CoverageGap(
            "us-east-1",
            "lambda",
            "ListFunctions",
            "AccessDeniedException",
            "denied",
            hides=DATA_FUNCTIONS,
        )
    )
    [result] = run(inventory)
    assert isinstance(result, NotEvaluated)
    assert "AccessDeniedException" in result.reason

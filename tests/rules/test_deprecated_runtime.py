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
    # the newest Python the table lists (python3.13 shares its date; 3.14 is newer)
    assert "--runtime python3.14" in finding.remediation.cli
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


def only(results):
    [finding] = results
    assert isinstance(finding, Finding), finding
    return finding


@fails(RULE.id)
def test_runtimes_the_table_does_not_list_are_judged_by_family_and_version():
    results = []
    for runtime, judged_by, date, successor in [
        ("nodejs8.10", "nodejs10.x", "2021-07-30", "nodejs24.x"),
        ("dotnetcore2.1", "dotnetcore3.1", "2023-04-03", "dotnet10"),
        ("ruby2.5", "ruby2.7", "2023-12-07", "ruby4.0"),
    ]:
        found = run(make_inventory(runtime))
        finding = only(found)
        assert finding.severity is Severity.HIGH
        assert finding.evidence["in_table"] is False
        assert finding.evidence["judged_by"] == judged_by
        assert finding.evidence["deprecated_no_later_than"] == date
        assert finding.evidence["deprecation_date"] is None
        assert finding.evidence["suggested_runtime"] == successor
        assert f"--runtime {successor}" in finding.remediation.cli
        assert "does not list" in finding.message
        results.extend(found)
    return results


def test_the_suggested_runtime_is_never_one_the_rule_warns_about():
    # nodejs22.x deprecates 2027-04-30, 156 days after TODAY: inside the 180-day window
    finding = only(run(make_inventory("nodejs18.x")))
    assert finding.evidence["suggested_runtime"] == "nodejs24.x"
    # with a window that reaches past every Node.js date, there is none to suggest
    wide = only(run(make_inventory("nodejs18.x"), warn_days=3000))
    assert wide.evidence["suggested_runtime"] is None
    assert "--runtime SUPPORTED_RUNTIME" in wide.remediation.cli


def test_go1x_migrates_to_provided_al2023_with_a_bootstrap_binary():
    finding = only(run(make_inventory("go1.x")))
    cli = finding.remediation.cli
    assert cli.startswith("aws lambda update-function-code --region us-east-1 --function-name")
    assert "--runtime provided.al2023 --handler bootstrap" in cli
    assert "GOOS=linux GOARCH=amd64 go build -tags lambda.norpc -o bootstrap" in cli
    assert cli.index("update-function-code") < cli.index("update-function-configuration")
    assert "Handler: bootstrap" in finding.remediation.iac
    assert "BuildMethod: go1.x" in finding.remediation.iac
    assert finding.evidence["suggested_runtime"] == "provided.al2023"


@passes(RULE.id)
def test_a_version_newer_than_the_table_passes():
    return run(make_inventory("python3.15"))


def test_an_unlisted_version_whose_newer_versions_are_all_supported_is_not_evaluated():
    [result] = run(make_inventory("dotnet9"))
    assert isinstance(result, NotEvaluated)
    assert "every newer dotnet version it lists is still supported" in result.reason
    [unknown] = run(make_inventory("cobol1.0"))
    assert isinstance(unknown, NotEvaluated)
    assert "belongs to no family it knows" in unknown.reason

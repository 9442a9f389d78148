from tests.rules.cases import fails, passes
from tests.rules.factories import (
    WINDOW_HOURS,
    hourly,
    make_function,
    make_inventory,
    make_metrics,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "arm64-candidate"


def busy(per_hour=200_000.0, **fn):
    metrics = make_metrics(
        invocations=hourly(per_hour),
        invocations_total=per_hour * WINDOW_HOURS,
        duration_avg=hourly(300.0),
        duration_avg_ms=300.0,
    )
    fields = {"architectures": ["x86_64"], "memory_mb": 1024, "metrics": metrics, **fn}
    return make_inventory(make_function(**fields))


@fails(RULE_ID)
def test_busy_x86_function_fails_with_the_saving_in_dollars():
    # 146 M requests a month x 0.3 s x 1 GB = 43.8 M GB-s: $730.00 on x86_64, $584.00 on arm64,
    # plus $29.20 of requests on both (us-east-1 prices in advisor/decide/prices.toml)
    results = run(RULE_ID, busy())
    finding = only_finding(results)
    assert finding.evidence["x86_64_monthly_usd"] == 759.2
    assert finding.evidence["arm64_monthly_usd"] == 613.2
    assert finding.evidence["monthly_saving_usd"] == 146.0
    assert "$146.00 a month less" in finding.message
    assert "update-function-code" in finding.remediation.cli
    assert "--architectures arm64" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_function_already_on_arm64_passes():
    return run(RULE_ID, busy(architectures=["arm64"]))


@passes(RULE_ID)
def test_saving_below_a_dollar_passes():
    return run(RULE_ID, busy(per_hour=10.0))


@passes(RULE_ID)
def test_runtime_without_arm64_passes():
    return run(RULE_ID, busy(runtime="go1.x"))


def test_x86_function_without_metrics_is_not_evaluated():
    assert len(not_evaluated(run(RULE_ID, busy(metrics=None)))) == 1


def test_region_without_prices_is_not_evaluated():
    inventory = busy()
    inventory.region = "xx-nowhere-1"
    [result] = run(RULE_ID, inventory)
    assert "xx-nowhere-1" in result.reason

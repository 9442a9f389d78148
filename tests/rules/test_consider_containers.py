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

RULE_ID = "consider-containers"


def steady(per_hour, **fn):
    metrics = make_metrics(
        invocations=hourly(per_hour),
        invocations_total=per_hour * WINDOW_HOURS,
        duration_avg=hourly(300.0),
        duration_avg_ms=300.0,
    )
    fields = {"architectures": ["x86_64"], "memory_mb": 1024, "metrics": metrics, **fn}
    return make_inventory(make_function(**fields))


@fails(RULE_ID)
def test_steady_busy_function_fails_with_both_monthly_costs():
    results = run(RULE_ID, steady(200_000.0))
    finding = only_finding(results)
    assert finding.evidence["verdict"] in {"containers", "ec2"}
    assert finding.evidence["lambda_monthly_usd"] == 759.2
    assert finding.evidence["monthly_saving_usd"] == round(
        759.2 - finding.evidence["alternative_monthly_usd"], 2
    )
    assert finding.evidence["monthly_saving_usd"] >= 20
    assert "AWS::ECS::TaskDefinition" in finding.remediation.iac or (
        "AWS::AutoScaling::AutoScalingGroup" in finding.remediation.iac
    )
    return results


@passes(RULE_ID)
def test_light_traffic_stays_on_lambda_and_passes():
    return run(RULE_ID, steady(100.0))


@passes(RULE_ID)
def test_idle_function_passes():
    return run(RULE_ID, steady(0.0))


def test_function_without_metrics_is_not_evaluated():
    assert len(not_evaluated(run(RULE_ID, steady(1.0, metrics=None)))) == 1

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_METRICS, Series
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import logical_id, metrics_or_reason, not_evaluated, yaml

DAY_S = 86_400

RULE = Rule(
    id="high-error-rate",
    title="Error rate above the threshold on at least one recent day",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "AWS Trusted Advisor flags Lambda functions whose errors exceed 10 % of invocations on "
        "any day of the last 7. Errors fail synchronous callers, and for asynchronous, stream "
        "and queue sources they trigger retries that cost money and delay other work. Days "
        "with very few invocations are skipped so that one failure out of two does not count."
    ),
    sources=(
        "https://docs.aws.amazon.com/awssupport/latest/user/cost-optimization-checks.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS),
    options={
        "max_error_rate": 0.10,
        "days": 7,
        "min_daily_invocations": 10,
        "high_error_rate": 0.5,
    },
    option_order=(("max_error_rate", "high_error_rate"),),
    option_bounds={"days": (1, 14)},
    option_help={
        "max_error_rate": (
            "Daily errors / invocations above which a day counts (Trusted Advisor: 10 %)."
        ),
        "days": "How many of the most recent days are examined.",
        "min_daily_invocations": "Days with fewer invocations than this are not judged.",
        "high_error_rate": "A worst day at or above this rate makes the finding high.",
    },
)


def daily_totals(series: Series, since: int) -> dict[int, float]:
    """Sum per UTC day (keyed by day number) of the points at or after ``since``."""
    days: dict[int, float] = defaultdict(float)
    for i, value in enumerate(series.values):
        at = series.start + i * series.period
        if at >= since and value is not None:
            days[at // DAY_S] += value
    return days


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        if metrics.errors_total == 0:
            continue
        if metrics.invocations is None or metrics.errors is None:
            yield not_evaluated(
                RULE, inventory, fn.arn, "no hourly Invocations/Errors series to split by day"
            )
            continue
        end = metrics.invocations.start + len(metrics.invocations.values) * (
            metrics.invocations.period
        )
        since = end - options["days"] * DAY_S
        invocations = daily_totals(metrics.invocations, since)
        errors = daily_totals(metrics.errors, since)
        bad_days = []
        for day in sorted(invocations):
            count = invocations[day]
            if count < options["min_daily_invocations"]:
                continue
            rate = errors.get(day, 0.0) / count
            if rate > options["max_error_rate"]:
                bad_days.append(
                    {
                        "date": dt.date.fromordinal(
                            dt.date(1970, 1, 1).toordinal() + day
                        ).isoformat(),
                        "invocations": count,
                        "errors": errors.get(day, 0.0),
                        "error_rate": round(rate, 4),
                    }
                )
        if not bad_days:
            continue
        worst = max(bad_days, key=lambda d: d["error_rate"])
        threshold = options["max_error_rate"]
        alarm = logical_id(f"{fn.name}-error-rate-alarm")
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            severity=Severity.HIGH if worst["error_rate"] >= options["high_error_rate"] else None,
            message=(
                f"{fn.name} failed on {worst['error_rate']:.1%} of its invocations on "
                f"{worst['date']} ({worst['errors']:.0f} of {worst['invocations']:.0f}), above "
                f"the {threshold:.0%} threshold; {len(bad_days)} of the last {options['days']} "
                "days were over it."
            ),
            evidence={
                "worst_day": worst,
                "days_over_threshold": bad_days,
                "max_error_rate": threshold,
                "days_examined": options["days"],
                "min_daily_invocations": options["min_daily_invocations"],
            },
            remediation=Remediation(
                cli=(
                    f"aws logs tail {fn.log_group or '/aws/lambda/' + fn.name} --region "
                    f"{inventory.region} --since 1d --filter-pattern ERROR"
                ),
                iac=yaml(
                    {
                        alarm: {
                            "Type": "AWS::CloudWatch::Alarm",
                            "Properties": {
                                "AlarmDescription": f"{fn.name} error rate above {threshold:.0%}",
                                "ComparisonOperator": "GreaterThanThreshold",
                                "Threshold": round(threshold * 100, 2),
                                "EvaluationPeriods": 1,
                                "TreatMissingData": "notBreaching",
                                "Metrics": [
                                    {
                                        "Id": "rate",
                                        "Expression": (
                                            "IF(invocations > 0, 100 * errors / invocations, 0)"
                                        ),
                                        "ReturnData": True,
                                    },
                                    _metric("errors", "Errors", fn.name),
                                    _metric("invocations", "Invocations", fn.name),
                                ],
                            },
                        }
                    }
                ),
                iac_format="CloudFormation",
            ),
        )


def _metric(metric_id: str, name: str, function_name: str) -> dict[str, Any]:
    return {
        "Id": metric_id,
        "ReturnData": False,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/Lambda",
                "MetricName": name,
                "Dimensions": [{"Name": "FunctionName", "Value": function_name}],
            },
            "Period": DAY_S,
            "Stat": "Sum",
        },
    }

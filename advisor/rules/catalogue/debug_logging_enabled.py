from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import lambda_cli, sam_function

# The levels that send more than INFO (lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html):
# application logs TRACE < DEBUG < INFO < WARN < ERROR < FATAL, system logs DEBUG < INFO < WARN.
VERBOSE_APPLICATION = frozenset({"TRACE", "DEBUG"})
VERBOSE_SYSTEM = frozenset({"DEBUG"})
DEFAULT_LEVEL = "INFO"  # what Lambda filters at when a JSON-format function names no level

RULE = Rule(
    id="debug-logging-enabled",
    title="JSON logs sent at DEBUG or TRACE level",
    pillar=Pillar.COST,
    severity=Severity.LOW,
    rationale=(
        "With the JSON log format Lambda filters a function's logs by level before they reach "
        "CloudWatch Logs: at the default INFO it drops DEBUG and TRACE lines, which are "
        "usually most of what code writes. Left at DEBUG or TRACE after an investigation, "
        "every invocation ships its debug output, and CloudWatch Logs bills ingestion per GB, "
        "often more than the function's own compute, and stores it as long as the log group "
        "keeps logs. Lambda's own system logs at DEBUG add lines to every invocation too. The "
        "level is read from $LATEST, which the next published version takes with it."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html",
        "https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html",
        "https://aws.amazon.com/cloudwatch/pricing/",
    ),
    requires=(DATA_FUNCTIONS,),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        if fn.log_format != "JSON":
            continue  # plain text is not filtered by level: nothing here says what it sends
        application = (fn.application_log_level or DEFAULT_LEVEL).upper()
        system = (fn.system_log_level or DEFAULT_LEVEL).upper()
        verbose = []
        if application in VERBOSE_APPLICATION:
            verbose.append(f"application logs at {application}")
        if system in VERBOSE_SYSTEM:
            verbose.append(f"system logs at {system}")
        if not verbose:
            continue
        metrics = fn.metrics
        invocations = metrics.invocations_total if metrics else None
        window_hours = metrics.window_hours if metrics else None
        days = (window_hours or 0) / 24 or 14  # the metrics' own window (14 days by default)
        volume = f" on {invocations / days:,.0f} invocations a day" if invocations else ""
        fixed = {
            "LogFormat": "JSON",
            "ApplicationLogLevel": "INFO" if application in VERBOSE_APPLICATION else application,
            "SystemLogLevel": "INFO" if system in VERBOSE_SYSTEM else system,
        }
        if fn.log_group and fn.log_group != f"/aws/lambda/{fn.name}":
            fixed["LogGroup"] = fn.log_group  # kept: the logging config is set as a whole
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} sends {' and '.join(verbose)} to CloudWatch Logs{volume}: every "
                "debug line is ingested and billed per GB. Filter at INFO unless an "
                "investigation needs more."
            ),
            evidence={
                "log_format": fn.log_format,
                "application_log_level": application,
                "system_log_level": system,
                "log_group": fn.log_group,
                "invocations": invocations,
                "window_hours": window_hours,
                "suggested": fixed,
            },
            remediation=Remediation(
                cli=lambda_cli(
                    inventory,
                    "update-function-configuration",
                    fn,
                    "--logging-config " + ",".join(f"{k}={v}" for k, v in fixed.items()),
                ),
                iac=sam_function(fn, {"LoggingConfig": fixed}),
            ),
        )

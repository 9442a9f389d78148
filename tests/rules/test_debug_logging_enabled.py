from tests.rules.cases import fails, passes
from tests.rules.factories import findings, make_function, make_inventory, only_finding, run

RULE_ID = "debug-logging-enabled"


def with_logging(log_format="JSON", application=None, system=None, **overrides):
    fn = make_function(
        "orders-api",
        log_format=log_format,
        application_log_level=application,
        system_log_level=system,
        **overrides,
    )
    return make_inventory(fn)


@fails(RULE_ID)
def test_json_application_logs_at_debug_fail_with_the_daily_volume():
    results = run(RULE_ID, with_logging(application="DEBUG"))
    finding = only_finding(results)
    assert finding.evidence["application_log_level"] == "DEBUG"
    assert finding.evidence["system_log_level"] == "INFO"  # Lambda's default, not set
    assert "sends application logs at DEBUG to CloudWatch Logs on " in finding.message
    assert "on 2,400 invocations a day" in finding.message  # 100 an hour over its window
    assert finding.remediation.cli.endswith(
        "--logging-config LogFormat=JSON,ApplicationLogLevel=INFO,SystemLogLevel=INFO"
    )
    assert "ApplicationLogLevel: INFO" in finding.remediation.iac
    return results


@fails(RULE_ID)
def test_trace_and_system_debug_are_both_named_and_a_custom_log_group_is_kept():
    results = run(
        RULE_ID,
        with_logging(application="TRACE", system="DEBUG", log_group="/custom/orders"),
    )
    finding = only_finding(results)
    assert "application logs at TRACE and system logs at DEBUG" in finding.message
    assert "LogGroup=/custom/orders" in finding.remediation.cli
    return results


@fails(RULE_ID)
def test_a_stricter_level_kept_where_it_is_only_the_verbose_one_changes():
    results = run(RULE_ID, with_logging(application="ERROR", system="DEBUG"))
    assert only_finding(results).evidence["suggested"]["ApplicationLogLevel"] == "ERROR"
    return results


@passes(RULE_ID)
def test_json_logs_at_the_default_level_pass():
    return run(RULE_ID, with_logging())


@passes(RULE_ID)
def test_json_logs_at_warn_pass():
    return run(RULE_ID, with_logging(application="WARN", system="WARN"))


def test_plain_text_logs_are_not_judged_by_level():
    # levels are JSON-format only: a text-format function's stored level means nothing
    assert not findings(run(RULE_ID, with_logging(log_format="Text", application="DEBUG")))


def test_no_metrics_leaves_the_volume_out():
    results = run(RULE_ID, with_logging(application="DEBUG", metrics=None))
    finding = only_finding(results)
    assert "invocations a day" not in finding.message
    assert finding.evidence["invocations"] is None

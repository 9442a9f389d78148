from tests.rules.cases import fails, passes
from tests.rules.factories import make_function, make_inventory, only_finding, run, stream_mapping

RULE_ID = "stream-infinite-retries"


def inventory_with(**mapping):
    fn = make_function()
    return make_inventory(fn, event_source_mappings=[stream_mapping(fn, **mapping)])


@fails(RULE_ID)
def test_default_minus_one_retries_and_age_fail():
    results = run(
        RULE_ID,
        inventory_with(maximum_retry_attempts=-1, maximum_record_age_s=-1, bisect_on_error=False),
    )
    finding = only_finding(results)
    assert finding.evidence["maximum_retry_attempts"] == -1
    assert "does not split failing batches" in finding.message
    assert "--maximum-retry-attempts 10" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_bounded_record_age_passes():
    return run(RULE_ID, inventory_with(maximum_retry_attempts=-1, maximum_record_age_s=3600))


@passes(RULE_ID)
def test_sqs_mapping_passes():
    return run(RULE_ID, inventory_with(kind="sqs", maximum_retry_attempts=None))


def test_unset_limits_read_as_no_limit_never_none():
    # given a mapping whose limits the collector saw unset (the emulator returns none)
    results = run(RULE_ID, inventory_with(maximum_retry_attempts=None, maximum_record_age_s=None))
    message = only_finding(results).message
    # then the message says what that means
    assert "MaximumRetryAttempts not set (no limit)" in message
    assert "None" not in message
    dash = only_finding(
        run(RULE_ID, inventory_with(maximum_retry_attempts=-1, maximum_record_age_s=-1))
    ).message
    assert "MaximumRecordAgeInSeconds -1 (no limit)" in dash

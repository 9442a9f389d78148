from advisor.collect.inventory import EnvVar, FunctionVersion, Qualifier
from tests.rules.cases import fails, passes
from tests.rules.factories import (
    api_integration,
    make_function,
    make_inventory,
    not_evaluated,
    only_finding,
    run,
)

RULE_ID = "secrets-in-environment"


@fails(RULE_ID)
def test_variable_that_looks_secret_fails_and_names_only_the_variable():
    env = [EnvVar("DB_PASSWORD", looks_secret=True), EnvVar("STAGE", looks_secret=False)]
    results = run(RULE_ID, make_inventory(make_function(environment=env)))
    finding = only_finding(results)
    assert finding.evidence["variables"] == ["DB_PASSWORD"] and finding.evidence["count"] == 1
    assert finding.evidence["configurations"] == [
        {"qualifier": None, "version": "$LATEST", "label": "$LATEST", "variables": ["DB_PASSWORD"]}
    ]
    assert "--name orders/DB_PASSWORD" in finding.remediation.cli
    assert "AWSSecretsManagerGetSecretValuePolicy" in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_plain_variables_pass():
    env = [EnvVar("STAGE", looks_secret=False)]
    return run(RULE_ID, make_inventory(make_function(environment=env)))


SECRET = [EnvVar("STRIPE_API_KEY", looks_secret=True), EnvVar("STAGE", looks_secret=False)]
PLAIN = [EnvVar("STAGE", looks_secret=False)]


def behind_live(latest_env, version_env, **live):
    """orders: live -> version 3 with ``version_env``, invoked by an API; $LATEST has
    ``latest_env``."""
    alias = Qualifier(name="live", kind="alias", exists=True, version="3", named_by=["api"])
    for key, value in live.items():
        setattr(alias, key, value)
    fn = make_function(
        environment=latest_env,
        qualifiers=[alias],
        versions=[FunctionVersion(version="3", environment=version_env)],
    )
    return make_inventory(fn, api_integrations=[api_integration(fn, qualifier="live")])


@fails(RULE_ID)
def test_a_secret_removed_from_latest_but_kept_by_the_served_version_fails():
    results = run(RULE_ID, behind_live(PLAIN, SECRET))
    finding = only_finding(results)
    assert (finding.evidence["qualifier"], finding.evidence["version"]) == ("live", "3")
    assert finding.evidence["variables"] == ["STRIPE_API_KEY"]
    assert "in live (version 3)" in finding.message
    assert "--qualifier 3" in finding.message  # delete the version that holds it
    assert "--function-name orders --qualifier 3 --query" in finding.remediation.cli
    return results


@passes(RULE_ID)
def test_plain_latest_and_plain_served_version_pass():
    return run(RULE_ID, behind_live(PLAIN, PLAIN))


@fails(RULE_ID)
def test_a_secret_in_both_is_one_finding_naming_both():
    results = run(RULE_ID, behind_live(SECRET, SECRET))
    finding = only_finding(results)
    assert [c["label"] for c in finding.evidence["configurations"]] == [
        "$LATEST",
        "live (version 3)",
    ]
    assert finding.evidence["variables"] == ["STRIPE_API_KEY"]
    assert "--function-name orders --query" in finding.remediation.cli  # copied from $LATEST
    return results


@passes(RULE_ID)
def test_a_version_read_before_environments_were_kept_is_judged_by_latest():
    return run(RULE_ID, behind_live(PLAIN, None))


def test_a_served_version_that_could_not_be_read_is_not_evaluated():
    inventory = behind_live(PLAIN, PLAIN, exists=None, version=None)
    inventory.functions[0].versions.clear()
    (reason,) = not_evaluated(run(RULE_ID, inventory))
    assert "orders:live could not be read" in reason.reason

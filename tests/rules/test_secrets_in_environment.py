from advisor.collect.inventory import EnvVar
from tests.rules.cases import fails, passes
from tests.rules.factories import make_function, make_inventory, only_finding, run

RULE_ID = "secrets-in-environment"


@fails(RULE_ID)
def test_variable_that_looks_secret_fails_and_names_only_the_variable():
    env = [EnvVar("DB_PASSWORD", looks_secret=True), EnvVar("STAGE", looks_secret=False)]
    results = run(RULE_ID, make_inventory(make_function(environment=env)))
    finding = only_finding(results)
    assert finding.evidence == {"variables": ["DB_PASSWORD"], "count": 1}
    assert "--name orders/DB_PASSWORD" in finding.remediation.cli
    assert "AWSSecretsManagerGetSecretValuePolicy" in finding.remediation.iac
    return results


@passes(RULE_ID)
def test_plain_variables_pass():
    env = [EnvVar("STAGE", looks_secret=False)]
    return run(RULE_ID, make_inventory(make_function(environment=env)))

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import logical_id, sam_function, yaml

RULE = Rule(
    id="secrets-in-environment",
    title="Environment variables that look like secrets",
    pillar=Pillar.SECURITY,
    severity=Severity.HIGH,
    rationale=(
        "Environment variables are encrypted at rest, but anyone allowed "
        "lambda:GetFunctionConfiguration reads them in plain text, they are copied into every "
        "version, deployment template and CI log that touches them, and rotating them means "
        "redeploying. AWS recommends keeping secrets in Secrets Manager (or Parameter Store "
        "SecureString) and reading them at run time, for example with the Parameters and "
        "Secrets Lambda extension. Values are judged at collection time and never stored."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-secrets-manager.html",
    ),
    requires=(DATA_FUNCTIONS,),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        names = [var.name for var in fn.environment if var.looks_secret]
        if not names:
            continue
        first = names[0]
        secret_name = f"{fn.name}/{first}"
        secret_id = logical_id(f"{fn.name}-{first}-secret")
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} keeps {len(names)} environment variable(s) that look like secrets "
                f"({', '.join(names)}): anyone who can read the function's configuration can "
                "read them."
            ),
            evidence={"variables": names, "count": len(names)},
            remediation=Remediation(
                # Copies the value straight from the function into Secrets Manager.
                cli=(
                    f"aws secretsmanager create-secret --region {inventory.region} --name "
                    f'{secret_name} --secret-string "$(aws lambda get-function-configuration '
                    f"--region {inventory.region} --function-name {fn.name} --query "
                    f'Environment.Variables.{first} --output text)"  # then remove {first} '
                    "from the function's environment and read the secret at run time"
                ),
                iac=yaml({secret_id: {"Type": "AWS::SecretsManager::Secret"}})
                + "\n"
                + sam_function(
                    fn,
                    {
                        "Environment": {"Variables": {f"{first}_SECRET_ARN": f"!Ref {secret_id}"}},
                        "Policies": [
                            {
                                "AWSSecretsManagerGetSecretValuePolicy": {
                                    "SecretArn": f"!Ref {secret_id}"
                                }
                            }
                        ],
                    },
                ),
            ),
        )

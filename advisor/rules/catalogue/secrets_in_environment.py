from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, Function
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.qualified import caller_arns, in_use
from advisor.rules.support import logical_id, not_evaluated, sam_function, yaml

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
        "Secrets Lambda extension. Values are judged at collection time and never stored. "
        "$LATEST is judged, and so is every published version that takes traffic (behind "
        "the aliases and versions in use): a version keeps the environment it was published "
        "with, readable with --qualifier, so removing a secret from $LATEST does not remove "
        "it from the versions callers run, nor from any older version until it is deleted."
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
        configurations, unknown = _secret_configurations(ctx, fn)
        names = list(dict.fromkeys(n for c in configurations for n in c["variables"]))
        if not names:
            if unknown:
                yield not_evaluated(RULE, inventory, fn.arn, "; ".join(unknown))
            continue
        published = [c for c in configurations if c["version"] != "$LATEST"]
        where = ", ".join(c["label"] for c in configurations)
        versions_note = (
            " A published version keeps its environment: publish one without them, move the "
            "alias to it, then delete the versions that hold them "
            f"(aws lambda delete-function --function-name {fn.name} --qualifier "
            f"{published[0]['version']})."
            if published
            else ""
        )
        first = names[0]
        # copy the value from a configuration that has it
        holder = next(c for c in configurations if first in c["variables"])
        qualifier = "" if holder["qualifier"] is None else f" --qualifier {holder['version']}"
        secret_name = f"{fn.name}/{first}"
        secret_id = logical_id(f"{fn.name}-{first}-secret")
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} keeps {len(names)} environment variable(s) that look like secrets "
                f"({', '.join(names)}) in {where}: anyone who can read the function's "
                f"configuration can read them.{versions_note}"
            ),
            evidence={
                "variables": names,
                "count": len(names),
                "configurations": configurations,
                "qualifier": published[0]["qualifier"] if published else None,
                "version": published[0]["version"] if published else None,
            },
            remediation=Remediation(
                # Copies the value straight from the function into Secrets Manager.
                cli=(
                    f"aws secretsmanager create-secret --region {inventory.region} --name "
                    f'{secret_name} --secret-string "$(aws lambda get-function-configuration '
                    f"--region {inventory.region} --function-name {fn.name}{qualifier} --query "
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


def _secret_configurations(
    ctx: RegionContext, fn: Function
) -> tuple[list[dict[str, Any]], list[str]]:
    """$LATEST's and each published version in use's secret-looking variable names (only the
    configurations that have some), and why some versions in use could not be judged."""
    served, unknown = in_use(fn, caller_arns(fn, ctx.relations.callers(fn)))
    found: list[dict[str, Any]] = []
    latest = [var.name for var in fn.environment if var.looks_secret]
    if latest:
        found.append(
            {"qualifier": None, "version": "$LATEST", "label": "$LATEST", "variables": latest}
        )
    for config in served:
        if config.qualifier is None or config.assumed:
            continue
        version = fn.version(config.version)
        if version is None or version.environment is None:
            continue  # stored before versions' environments were kept: $LATEST's was judged
        names = [var.name for var in version.environment if var.looks_secret]
        if names:
            found.append(
                {
                    "qualifier": config.qualifier,
                    "version": config.version,
                    "label": config.label,
                    "variables": names,
                }
            )
    return found, unknown

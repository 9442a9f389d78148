"""Lambda itself: the function listing, the per-function detail calls, account settings, layers.

Budget (per account and region, see DESIGN.md):
- ListFunctions, paginated (50 per page): the configuration of every function;
- per function one GetFunction (own 100/s bucket: reserved concurrency, tags) and one GetPolicy
  (own 15/s bucket: push sources, function URLs, public access);
- from the shared 15/s bucket, only where the data above shows a need: the async invoke config for
  asynchronously invoked functions without a dead-letter queue, the URL config where the policy
  grants InvokeFunctionUrl, provisioned concurrency where CloudWatch lists the metric, a layer
  version only when ListFunctions did not report its size; GetAccountSettings once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from advisor.collect.context import ScanContext
from advisor.collect.inventory import (
    DATA_ACCOUNT_SETTINGS,
    DATA_ASYNC_CONFIG,
    DATA_FUNCTION_DETAILS,
    DATA_FUNCTION_URLS,
    DATA_LAYERS,
    DATA_POLICIES,
    DATA_PROVISIONED_CONCURRENCY,
    AccountSettings,
    AsyncInvokeConfig,
    EnvVar,
    Function,
    FunctionUrl,
    Layer,
    PolicyCondition,
    PolicyStatement,
    ProvisionedConcurrencyConfig,
)
from advisor.collect.secrets import looks_secret

NOT_FOUND = ("ResourceNotFoundException",)

# Service principals that invoke Lambda asynchronously (lambda/latest/dg/lambda-services.html).
ASYNC_PRINCIPALS = frozenset(
    {
        "s3.amazonaws.com",
        "sns.amazonaws.com",
        "ses.amazonaws.com",
        "logs.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "iot.amazonaws.com",
        "config.amazonaws.com",
        "codecommit.amazonaws.com",
        "cloudformation.amazonaws.com",
        "s3-object-lambda.amazonaws.com",
    }
)


def is_async_principal(principal: str) -> bool:
    # CloudWatch Logs may also be named per region: logs.eu-west-1.amazonaws.com.
    if principal.startswith("logs.") and principal.endswith(".amazonaws.com"):
        return True
    return principal in ASYNC_PRINCIPALS


# ---------------------------------------------------------------- listing


def list_functions(ctx: ScanContext) -> list[Function]:
    """Every function ($LATEST) in the region, in ListFunctions order."""
    functions: list[Function] = []
    paginator = ctx.client("lambda").get_paginator("list_functions")
    for page in paginator.paginate():
        functions.extend(
            function_from_configuration(item, ctx.region) for item in page["Functions"]
        )
        ctx.progress("functions", len(functions), len(functions))
    return functions


def environment_of(item: dict[str, Any]) -> list[EnvVar]:
    """The variable names of a FunctionConfiguration, each judged secret-looking or not; the
    values are read here only for that and are not kept."""
    variables = (item.get("Environment") or {}).get("Variables") or {}
    return [
        EnvVar(name=name, looks_secret=looks_secret(name, variables[name]))
        for name in sorted(variables)
    ]


def function_from_configuration(item: dict[str, Any], region: str) -> Function:
    """A Function from a FunctionConfiguration (ListFunctions / GetFunction shape).

    Environment values are read here only to decide ``looks_secret`` and are not kept."""
    environment = environment_of(item)
    vpc = item.get("VpcConfig") or {}
    logging_config = item.get("LoggingConfig") or {}
    name = item["FunctionName"]
    return Function(
        arn=item["FunctionArn"],
        name=name,
        region=region,
        runtime=item.get("Runtime"),
        handler=item.get("Handler"),
        memory_mb=item.get("MemorySize", 128),
        timeout_s=item.get("Timeout", 3),
        package_type=item.get("PackageType") or "Zip",
        architectures=list(item.get("Architectures") or ["x86_64"]),
        code_size=item.get("CodeSize", 0),
        ephemeral_storage_mb=(item.get("EphemeralStorage") or {}).get("Size", 512),
        description=item.get("Description") or "",
        layers=[
            Layer(arn=layer["Arn"], code_size=layer.get("CodeSize"))
            for layer in item.get("Layers") or []
        ],
        tracing_mode=(item.get("TracingConfig") or {}).get("Mode", "PassThrough"),
        dead_letter_target=(item.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        vpc_subnet_ids=list(vpc.get("SubnetIds") or []),
        vpc_security_group_ids=list(vpc.get("SecurityGroupIds") or []),
        snap_start=(item.get("SnapStart") or {}).get("ApplyOn", "None"),
        log_group=logging_config.get("LogGroup") or f"/aws/lambda/{name}",
        log_format=logging_config.get("LogFormat"),
        application_log_level=logging_config.get("ApplicationLogLevel"),
        system_log_level=logging_config.get("SystemLogLevel"),
        environment=environment,
        last_modified=item.get("LastModified"),
        code_sha256=item.get("CodeSha256"),
    )


# ---------------------------------------------------------------- account


def read_account_settings(ctx: ScanContext) -> AccountSettings | None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_account_settings(),
        service="lambda",
        operation="GetAccountSettings",
        hides=DATA_ACCOUNT_SETTINGS,
    )
    if response is None:
        return None
    limit = response.get("AccountLimit") or {}
    usage = response.get("AccountUsage") or {}
    return AccountSettings(
        concurrency_limit=limit.get("ConcurrentExecutions"),
        unreserved_concurrency=limit.get("UnreservedConcurrentExecutions"),
        total_code_size=usage.get("TotalCodeSize"),
        code_size_limit=limit.get("TotalCodeSize"),
        code_size_zipped_limit=limit.get("CodeSizeZipped"),
        code_size_unzipped_limit=limit.get("CodeSizeUnzipped"),
    )


# ---------------------------------------------------------------- per function


def read_details(
    ctx: ScanContext, fn: Function, *, provisioned: bool, url_requests: bool = False
) -> None:
    """GetFunction and GetPolicy for one function, then the calls their answers call for.

    ``provisioned``: CloudWatch lists provisioned-concurrency metrics for this function;
    ``url_requests``: CloudWatch lists UrlRequestCount for its unqualified function URL (one an
    AWS_IAM URL may have without any policy statement)."""
    read_function(ctx, fn)
    read_policy(ctx, fn)
    invoked_async = any(
        is_async_principal(s.principal) and s.effect == "Allow" for s in fn.policy_statements
    )
    # With a dead-letter queue the failure path is known without the call; on the demo account
    # this keeps the shared 15/s bucket under 0.5 calls per function (async_config stays None).
    if invoked_async and (not fn.dead_letter_target or ctx.options.async_config_with_dead_letter):
        read_async_config(ctx, fn)
    if url_requests or any(grants_function_url(s) for s in fn.policy_statements):
        read_function_url(ctx, fn)
    if provisioned:
        read_provisioned_concurrency(ctx, fn)


def read_function(ctx: ScanContext, fn: Function) -> None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_function(FunctionName=fn.arn),
        service="lambda",
        operation="GetFunction",
        hides=DATA_FUNCTION_DETAILS,
        resource_arn=fn.arn,
    )
    if response is None:
        return
    fn.reserved_concurrency = (response.get("Concurrency") or {}).get(
        "ReservedConcurrentExecutions"
    )
    fn.tags = dict(response.get("Tags") or {})
    if fn.package_type == "Image":
        fn.resolved_image_uri = (response.get("Code") or {}).get("ResolvedImageUri")


def read_policy(ctx: ScanContext, fn: Function) -> None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_policy(FunctionName=fn.arn),
        service="lambda",
        operation="GetPolicy",
        hides=DATA_POLICIES,
        resource_arn=fn.arn,
        absent_codes=NOT_FOUND,  # no resource policy: nobody is granted anything
    )
    if response is None:
        return
    fn.policy_statements = list(policy_statements(json.loads(response["Policy"])))


def read_async_config(ctx: ScanContext, fn: Function) -> None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_function_event_invoke_config(FunctionName=fn.arn),
        service="lambda",
        operation="GetFunctionEventInvokeConfig",
        hides=DATA_ASYNC_CONFIG,
        resource_arn=fn.arn,
        absent_codes=NOT_FOUND,  # none configured: AWS defaults (2 retries, 6 h), no destination
    )
    if response is None:
        return
    destinations = response.get("DestinationConfig") or {}
    fn.async_config = AsyncInvokeConfig(
        maximum_retry_attempts=response.get("MaximumRetryAttempts"),
        maximum_event_age_seconds=response.get("MaximumEventAgeInSeconds"),
        on_success=(destinations.get("OnSuccess") or {}).get("Destination") or None,
        on_failure=(destinations.get("OnFailure") or {}).get("Destination") or None,
    )


def read_function_url(ctx: ScanContext, fn: Function) -> None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_function_url_config(FunctionName=fn.arn),
        service="lambda",
        operation="GetFunctionUrlConfig",
        hides=DATA_FUNCTION_URLS,
        resource_arn=fn.arn,
        absent_codes=NOT_FOUND,  # a stale permission without a URL
    )
    if response is None:
        return
    fn.function_url = FunctionUrl(
        url=response["FunctionUrl"],
        auth_type=response.get("AuthType", "AWS_IAM"),
        cors=bool(response.get("Cors")),
    )


def read_provisioned_concurrency(ctx: ScanContext, fn: Function) -> None:
    def call() -> list[ProvisionedConcurrencyConfig]:
        paginator = ctx.client("lambda").get_paginator("list_provisioned_concurrency_configs")
        configs = []
        for page in paginator.paginate(FunctionName=fn.arn):
            configs.extend(
                ProvisionedConcurrencyConfig(
                    qualifier=item["FunctionArn"].rsplit(":", 1)[-1],
                    requested=item.get("RequestedProvisionedConcurrentExecutions", 0),
                    allocated=item.get("AllocatedProvisionedConcurrentExecutions"),
                    status=item.get("Status"),
                )
                for item in page.get("ProvisionedConcurrencyConfigs") or []
            )
        return configs

    configs = ctx.attempt(
        call,
        service="lambda",
        operation="ListProvisionedConcurrencyConfigs",
        hides=DATA_PROVISIONED_CONCURRENCY,
        resource_arn=fn.arn,
    )
    if configs is not None:
        fn.provisioned_concurrency = configs
        fn.provisioned_concurrency_read = True


def grants_function_url(statement: PolicyStatement) -> bool:
    return (
        statement.action in ("lambda:InvokeFunctionUrl", "lambda:*", "*")
        and statement.effect == "Allow"
    ) or statement.function_url_auth_type is not None


# ---------------------------------------------------------------- layers


def fill_layer_sizes(ctx: ScanContext, functions: Iterable[Function]) -> None:
    """ListFunctions reports each layer's size; look up (once per distinct layer version) only
    the layers it did not size."""
    unsized: dict[str, list[Layer]] = {}
    for fn in functions:
        for layer in fn.layers:
            if layer.code_size is None:
                unsized.setdefault(layer.arn, []).append(layer)
    for arn, layers in unsized.items():
        response = ctx.attempt(
            lambda arn=arn: ctx.client("lambda").get_layer_version_by_arn(Arn=arn),
            service="lambda",
            operation="GetLayerVersionByArn",
            hides=DATA_LAYERS,
            resource_arn=arn,
        )
        if response is None:
            continue
        size = (response.get("Content") or {}).get("CodeSize")
        for layer in layers:
            layer.code_size = size


# ---------------------------------------------------------------- resource policy


def policy_statements(policy: dict[str, Any]) -> Iterator[PolicyStatement]:
    """A resource policy reduced to one statement per (principal, action)."""
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        condition = statement.get("Condition") or {}
        source_arn = _condition_value(condition, "aws:SourceArn")
        source_account = _condition_value(condition, "aws:SourceAccount")
        url_auth = _condition_value(condition, "lambda:FunctionUrlAuthType")
        conditions = list(_conditions(condition))
        for principal in _principals(statement.get("Principal")):
            for action in _as_list(statement.get("Action")):
                yield PolicyStatement(
                    sid=statement.get("Sid"),
                    effect=statement.get("Effect", "Allow"),
                    principal=principal,
                    action=action,
                    source_arn=source_arn,
                    source_account=source_account,
                    has_condition=bool(condition),
                    function_url_auth_type=url_auth,
                    conditions=conditions,
                )


def _principals(principal: Any) -> list[str]:
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    names: list[str] = []
    for kind, value in principal.items():
        for item in _as_list(value):
            if kind == "AWS" and item.startswith("arn:") and item.endswith(":root"):
                names.append(item.split(":")[4])  # the account id
            else:
                names.append(item)
    return names


def _conditions(condition: Any) -> Iterator[PolicyCondition]:
    if not isinstance(condition, dict):
        return
    for operator, operands in condition.items():
        if not isinstance(operands, dict):
            continue
        for key, value in operands.items():
            yield PolicyCondition(
                operator=str(operator), key=str(key), values=[str(v) for v in _as_list(value)]
            )


def _condition_value(condition: dict[str, Any], key: str) -> str | None:
    wanted = key.lower()
    for operands in condition.values():
        if not isinstance(operands, dict):
            continue
        for name, value in operands.items():
            if name.lower() == wanted:
                values = _as_list(value)
                return values[0] if values else None
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]

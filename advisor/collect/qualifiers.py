"""Aliases and versions in use: which qualifiers callers invoke, and what serves each of them.

Production triggers invoke an alias (``fn:live`` -> a published version) or a version, rarely
``$LATEST``. Each alias and version has its own resource policy, event invoke config, function
URL and provisioned concurrency, and a version has its own configuration (timeout, memory,
runtime, ...). This module finds the qualifiers in use and reads them, within the call budget.

Finding them costs no Lambda call:
- triggers already read account-wide name them: API Gateway integration URIs, event source
  mappings' FunctionArn, EventBridge Scheduler targets (``scheduler:ListSchedules``) and
  EventBridge rule targets (``events:ListRules`` per bus, ``events:ListTargetsByRule`` per rule);
- CloudWatch lists per-qualifier metrics: Lambda publishes Invocations with the ``Resource``
  dimension (``fn:live``) for every invoked alias or version, and with ``ExecutedVersion`` too
  for an alias's invocations, so one paginated ``ListMetrics`` finds every qualifier that had
  traffic in the last two weeks and the versions each alias ran;
- function URLs: Lambda publishes UrlRequestCount with the ``Resource`` dimension (``fn:live``,
  ``fn:$LATEST``) for every URL that served requests (lambda/latest/dg/urls-monitoring.html),
  so a second ``ListMetrics`` finds the URLs in use, an alias's included, whatever their auth
  type. An ``AWS_IAM`` URL needs no resource-policy statement (the caller's IAM policy grants
  lambda:InvokeFunctionUrl), so the policy alone misses it; ``ListFunctionUrlConfigs`` would
  list every URL but costs one call from the shared 15/s bucket per function, twice the whole
  budget. A URL that served no request in the window is found only through its policy (every
  ``NONE`` URL has a public statement, or it answers 403): an idle ``AWS_IAM`` URL is not seen.

Reading them, per qualifier in use (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html:
GetFunction 100/s, GetPolicy 15/s, every other control-plane call 15/s together):
- GetFunction with the Qualifier (own bucket): the version's configuration; for an alias, the
  version it points at (``Configuration.Version``). A version already read is not read again.
- GetPolicy with the Qualifier (own bucket): the qualifier's own resource policy.
- From the shared bucket, only where the data says it is needed:
  GetAlias where the metrics show an alias running more than one version (weighted routing);
  GetFunctionEventInvokeConfig where the qualifier is invoked asynchronously (its policy allows
  an async service, or a schedule or rule targets it) and its version has no dead-letter queue;
  GetFunctionUrlConfig where the alias's URL served requests or its policy grants
  InvokeFunctionUrl;
  ListProvisionedConcurrencyConfigs where an alias in use had no traffic in the window (an idle
  provisioned configuration emits no metric, so only the listing shows it; an alias with
  traffic and provisioned concurrency shows in the ProvisionedConcurrencyUtilization listing
  the scanner already reads).
What could not be read is a coverage gap (``DATA_QUALIFIERS``) on the qualified ARN.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

from advisor.collect import lambda_
from advisor.collect.context import ScanContext
from advisor.collect.inventory import (
    DATA_EVENT_RULES,
    DATA_METRICS,
    DATA_QUALIFIERS,
    DATA_SCHEDULES,
    AsyncInvokeConfig,
    Function,
    FunctionUrl,
    FunctionVersion,
    Layer,
    PushSource,
    Qualifier,
    RegionInventory,
    Schedule,
)
from advisor.collect.relations import function_arn, qualifier

NAMESPACE = "AWS/Lambda"
NOT_FOUND = ("ResourceNotFoundException",)
# Schedules and EventBridge rules invoke Lambda asynchronously
# (lambda/latest/dg/invocation-async.html; scheduler/latest/UserGuide/managing-targets.html);
# Step Functions and Pipes as their definition says (collect/workflows.py).
ASYNC_NAMERS = frozenset({"schedule", "rule", "workflow-async"})


# ---------------------------------------------------------------- qualifiers with traffic


def qualifier_metrics(ctx: ScanContext) -> dict[str, dict[str, set[str]]]:
    """Function name -> qualifier -> the versions CloudWatch lists for it as ExecutedVersion,
    from one paginated ListMetrics of Invocations with a ``Resource`` dimension."""
    found: dict[str, dict[str, set[str]]] = {}

    def take(name: str, qualifier_name: str, dims: dict[str, str]) -> None:
        if not qualifier_name or qualifier_name == "$LATEST":
            return  # the unqualified function: not a qualifier
        versions = found.setdefault(name, {}).setdefault(qualifier_name, set())
        if dims.get("ExecutedVersion"):
            versions.add(dims["ExecutedVersion"])

    _resource_metrics(ctx, "Invocations", take)
    return found


def url_metrics(ctx: ScanContext) -> dict[str, set[str]]:
    """Function name -> the qualifiers whose function URL served requests in the window
    (``$LATEST`` for the unqualified function's URL), from one paginated ListMetrics of
    UrlRequestCount with a ``Resource`` dimension."""
    found: dict[str, set[str]] = {}
    _resource_metrics(
        ctx,
        "UrlRequestCount",
        lambda name, qualifier_name, dims: found.setdefault(name, set()).add(
            qualifier_name or "$LATEST"
        ),
    )
    return found


def _resource_metrics(
    ctx: ScanContext, metric_name: str, take: Callable[[str, str, dict[str, str]], None]
) -> None:
    """``take(function name, qualifier or "", dimensions)`` for each ``metric_name`` metric
    whose ``Resource`` dimension is its function's (``name`` or ``name:qualifier``), from one
    paginated ListMetrics; a refusal is recorded as the metrics' gap."""

    def call() -> None:
        paginator = ctx.client("cloudwatch").get_paginator("list_metrics")
        pages = paginator.paginate(
            Namespace=NAMESPACE, MetricName=metric_name, Dimensions=[{"Name": "Resource"}]
        )
        for page in pages:
            for metric in page.get("Metrics") or []:
                dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
                name, resource = dims.get("FunctionName"), dims.get("Resource") or ""
                name_part, _, qualifier_name = resource.partition(":")
                if name and name_part == name:
                    take(name, qualifier_name, dims)

    ctx.attempt(call, service="cloudwatch", operation="ListMetrics", hides=DATA_METRICS)


# ---------------------------------------------------------------- callers that name qualifiers


def list_schedules(ctx: ScanContext) -> None:
    """Every schedule of every group whose target is a Lambda function (ListSchedules answers
    the target's ARN in its summaries: no GetSchedule is needed to know what it invokes)."""

    def call() -> list[Schedule]:
        schedules: list[Schedule] = []
        paginator = ctx.client("scheduler").get_paginator("list_schedules")
        for page in paginator.paginate():
            for item in page.get("Schedules") or []:
                target = (item.get("Target") or {}).get("Arn") or ""
                if ":lambda:" not in target or ":function:" not in target:
                    continue
                schedules.append(
                    Schedule(
                        arn=item.get("Arn", ""),
                        name=item.get("Name", ""),
                        group=item.get("GroupName") or "default",
                        target_arn=target,
                        state=item.get("State") or "ENABLED",
                    )
                )
        return schedules

    found = ctx.attempt(call, service="scheduler", operation="ListSchedules", hides=DATA_SCHEDULES)
    if found is not None:
        ctx.inventory.schedules = found


def list_event_rule_targets(ctx: ScanContext) -> None:
    """(rule ARN, function ARN) for every EventBridge rule target that is a Lambda function:
    ListEventBuses, ListRules per bus, ListTargetsByRule per rule (EventBridge's own quotas,
    not Lambda's)."""
    events = ctx.client("events")

    def buses() -> list[str]:
        names: list[str] = []
        token = None
        while True:
            page = events.list_event_buses(**({"NextToken": token} if token else {}))
            names.extend(bus["Name"] for bus in page.get("EventBuses") or [])
            token = page.get("NextToken")
            if not token:
                return names or ["default"]

    bus_names = ctx.attempt(
        buses, service="events", operation="ListEventBuses", hides=DATA_EVENT_RULES
    )
    for bus in bus_names or []:

        def rules(bus: str = bus) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            for page in events.get_paginator("list_rules").paginate(EventBusName=bus):
                found.extend(page.get("Rules") or [])
            return found

        for rule in (
            ctx.attempt(rules, service="events", operation="ListRules", hides=DATA_EVENT_RULES)
            or []
        ):

            def targets(rule: dict[str, Any] = rule, bus: str = bus) -> list[str]:
                found: list[str] = []
                paginator = events.get_paginator("list_targets_by_rule")
                for page in paginator.paginate(Rule=rule["Name"], EventBusName=bus):
                    found.extend(t.get("Arn", "") for t in page.get("Targets") or [])
                return found

            arns = ctx.attempt(
                targets,
                service="events",
                operation="ListTargetsByRule",
                hides=DATA_EVENT_RULES,
                resource_arn=rule.get("Arn"),
            )
            for arn in arns or []:
                if ":lambda:" in arn and ":function:" in arn:
                    ctx.inventory.event_rule_targets.append([rule.get("Arn", ""), arn])


# ---------------------------------------------------------------- which qualifiers are in use


def discover(
    inventory: RegionInventory,
    metrics: dict[str, dict[str, set[str]]],
    urls: dict[str, set[str]] | None = None,
) -> dict[str, dict[str, Qualifier]]:
    """Unqualified function ARN -> qualifier name -> a Qualifier saying how it was found.
    ``urls``: the aliases whose function URL served requests (``url_metrics``)."""
    functions = {function_arn(fn.arn): fn for fn in inventory.functions}
    found: dict[str, dict[str, Qualifier]] = {}

    def name(arn: str, by: str) -> Qualifier | None:
        key = function_arn(arn)
        qualifier_name = qualifier(arn)
        if key not in functions or not qualifier_name or qualifier_name == "$LATEST":
            return None
        if "${" in qualifier_name:
            return None  # an unresolved stage variable names nothing
        entry = found.setdefault(key, {}).get(qualifier_name)
        if entry is None:
            kind = "version" if qualifier_name.isdigit() else "alias"
            entry = Qualifier(name=qualifier_name, kind=kind)
            found[key][qualifier_name] = entry
        if by not in entry.named_by:
            entry.named_by.append(by)
        return entry

    for integration in inventory.api_integrations:
        name(integration.function_arn, "api")
    for mapping in inventory.event_source_mappings:
        name(mapping.function_arn, "mapping")
    for schedule in inventory.schedules:
        name(schedule.target_arn, "schedule")
    for _, target in inventory.event_rule_targets:
        name(target, "rule")
    for caller in inventory.role_callers:
        name(caller.function_arn, "workflow-async" if caller.invocation == "async" else "workflow")
    by_name = {fn.name: fn for fn in inventory.functions}
    for fn_name, names in (urls or {}).items():
        fn = by_name.get(fn_name)
        for qualifier_name in sorted(names) if fn is not None else ():
            name(f"{function_arn(fn.arn)}:{qualifier_name}", "url")
    for fn_name, qualifiers in metrics.items():
        fn = by_name.get(fn_name)
        if fn is None:
            continue
        for qualifier_name, versions in qualifiers.items():
            entry = name(f"{function_arn(fn.arn)}:{qualifier_name}", "metrics")
            if entry is not None:
                entry.has_traffic = True
                entry.executed_versions = sorted(versions, key=_version_order)
    for qualifiers in found.values():
        for entry in qualifiers.values():
            entry.named_by.sort()
    return found


def _version_order(version: str) -> tuple[int, str]:
    return (int(version), version) if version.isdigit() else (1 << 30, version)


# ---------------------------------------------------------------- reading them


def read_qualifiers(
    ctx: ScanContext,
    found: dict[str, dict[str, Qualifier]],
    submit: Callable[..., Any] | Executor | None = None,
) -> list[Any]:
    """Read every qualifier in ``found`` onto its function; one task per function (its
    qualifiers in order: aliases first, so that a version an alias resolved to is not read
    twice). ``submit`` runs a task (a pool's ``submit``); the futures are returned."""
    functions = {function_arn(fn.arn): fn for fn in ctx.inventory.functions}
    run = submit.submit if isinstance(submit, Executor) else submit
    futures = []
    for key, qualifiers in found.items():
        fn = functions[key]
        ordered = sorted(qualifiers.values(), key=lambda q: (q.kind != "alias", q.name))
        if run is None:
            read_function_qualifiers(ctx, fn, ordered)
        else:
            futures.append(run(read_function_qualifiers, ctx, fn, ordered))
    return futures


def read_function_qualifiers(ctx: ScanContext, fn: Function, qualifiers: list[Qualifier]) -> None:
    for entry in qualifiers:
        if ctx.stopped.is_set():
            return
        fn.qualifiers.append(entry)
        read_configuration(ctx, fn, entry)
        if entry.exists is False:
            continue
        if entry.kind == "alias" and len(set(entry.executed_versions) - {entry.version}) > 0:
            read_alias(ctx, fn, entry)
        for version in entry.routing:
            if fn.version(version) is None:
                read_version(ctx, fn, version)
        read_policy(ctx, fn, entry)
        if _invoked_async(entry) and not _has_dead_letter_queue(fn, entry):
            read_async_config(ctx, fn, entry)
        if entry.kind == "alias" and (
            "url" in entry.named_by
            or any(lambda_.grants_function_url(s) for s in entry.policy_statements)
        ):
            read_function_url(ctx, fn, entry)
    idle_alias = any(q.kind == "alias" and q.exists and not q.has_traffic for q in fn.qualifiers)
    if idle_alias and not fn.provisioned_concurrency_read:
        lambda_.read_provisioned_concurrency(ctx, fn)


def _qualified(fn: Function, entry: Qualifier | str) -> str:
    name = entry.name if isinstance(entry, Qualifier) else entry
    return f"{function_arn(fn.arn)}:{name}"


def _invoked_async(entry: Qualifier) -> bool:
    if ASYNC_NAMERS & set(entry.named_by):
        return True
    return any(
        lambda_.is_async_principal(s.principal) and s.effect == "Allow"
        for s in entry.policy_statements
    )


def _has_dead_letter_queue(fn: Function, entry: Qualifier) -> bool:
    versions = fn.serving(entry.name)
    return bool(versions) and all(v.dead_letter_target for v in versions)


def version_from_configuration(config: dict[str, Any]) -> FunctionVersion:
    snap_start = config.get("SnapStart") or {}
    vpc = config.get("VpcConfig") or {}
    return FunctionVersion(
        version=str(config.get("Version") or ""),
        runtime=config.get("Runtime"),
        memory_mb=config.get("MemorySize", 128),
        timeout_s=config.get("Timeout", 3),
        package_type=config.get("PackageType") or "Zip",
        architectures=list(config.get("Architectures") or ["x86_64"]),
        code_size=config.get("CodeSize", 0),
        code_sha256=config.get("CodeSha256"),
        snap_start=snap_start.get("ApplyOn", "None"),
        snap_start_optimized=snap_start.get("OptimizationStatus") == "On",
        dead_letter_target=(config.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        ephemeral_storage_mb=(config.get("EphemeralStorage") or {}).get("Size", 512),
        tracing_mode=(config.get("TracingConfig") or {}).get("Mode", "PassThrough"),
        last_modified=config.get("LastModified"),
        layers=[
            Layer(arn=layer["Arn"], code_size=layer.get("CodeSize"))
            for layer in config.get("Layers") or []
        ],
        environment=lambda_.environment_of(config),
        vpc_subnet_ids=list(vpc.get("SubnetIds") or []),
        vpc_security_group_ids=list(vpc.get("SecurityGroupIds") or []),
    )


def _get_function(ctx: ScanContext, fn: Function, name: str) -> dict[str, Any] | None:
    """GetFunction with a Qualifier; {} when the qualifier does not exist."""
    missing: list[bool] = []

    def call() -> dict[str, Any] | None:
        client = ctx.client("lambda")
        try:
            return client.get_function(FunctionName=fn.arn, Qualifier=name)
        except client.exceptions.ResourceNotFoundException:
            missing.append(True)
            return None

    response = ctx.attempt(
        call,
        service="lambda",
        operation="GetFunction",
        hides=DATA_QUALIFIERS,
        resource_arn=_qualified(fn, name),
    )
    return {} if missing else response


def read_configuration(ctx: ScanContext, fn: Function, entry: Qualifier) -> None:
    """The version behind ``entry``: one GetFunction, unless that version was read already."""
    if entry.kind == "version" and fn.version(entry.name) is not None:
        entry.exists, entry.version = True, entry.name
        return
    response = _get_function(ctx, fn, entry.name)
    if response is None:
        return  # a gap was recorded
    if not response:
        entry.exists = False
        return
    config = response.get("Configuration") or {}
    version = version_from_configuration(config)
    entry.exists = True
    entry.version = version.version or (entry.name if entry.kind == "version" else None)
    if version.version and fn.version(version.version) is None:
        fn.versions.append(version)


def read_version(ctx: ScanContext, fn: Function, number: str) -> None:
    response = _get_function(ctx, fn, number)
    if response:
        version = version_from_configuration(response.get("Configuration") or {})
        if version.version and fn.version(version.version) is None:
            fn.versions.append(version)


def read_alias(ctx: ScanContext, fn: Function, entry: Qualifier) -> None:
    """GetAlias (shared bucket): the alias's weighted routing."""
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_alias(FunctionName=fn.arn, Name=entry.name),
        service="lambda",
        operation="GetAlias",
        hides=DATA_QUALIFIERS,
        resource_arn=_qualified(fn, entry),
    )
    if response is None:
        return
    entry.version = response.get("FunctionVersion") or entry.version
    weights = (response.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    entry.routing = {str(v): float(w) for v, w in weights.items()}
    entry.routing_read = True


def read_policy(ctx: ScanContext, fn: Function, entry: Qualifier) -> None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_policy(FunctionName=fn.arn, Qualifier=entry.name),
        service="lambda",
        operation="GetPolicy",
        hides=DATA_QUALIFIERS,
        resource_arn=_qualified(fn, entry),
        absent_codes=NOT_FOUND,
    )
    entry.policy_read = not _gap_recorded(ctx, fn, entry, "GetPolicy")
    if response is not None:
        entry.policy_statements = list(lambda_.policy_statements(json.loads(response["Policy"])))


def read_async_config(ctx: ScanContext, fn: Function, entry: Qualifier) -> None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_function_event_invoke_config(
            FunctionName=fn.arn, Qualifier=entry.name
        ),
        service="lambda",
        operation="GetFunctionEventInvokeConfig",
        hides=DATA_QUALIFIERS,
        resource_arn=_qualified(fn, entry),
        absent_codes=NOT_FOUND,  # none: AWS's defaults, no destination
    )
    entry.async_config_read = not _gap_recorded(ctx, fn, entry, "GetFunctionEventInvokeConfig")
    if response is None:
        return
    destinations = response.get("DestinationConfig") or {}
    entry.async_config = AsyncInvokeConfig(
        maximum_retry_attempts=response.get("MaximumRetryAttempts"),
        maximum_event_age_seconds=response.get("MaximumEventAgeInSeconds"),
        on_success=(destinations.get("OnSuccess") or {}).get("Destination") or None,
        on_failure=(destinations.get("OnFailure") or {}).get("Destination") or None,
    )


def read_function_url(ctx: ScanContext, fn: Function, entry: Qualifier) -> None:
    response = ctx.attempt(
        lambda: ctx.client("lambda").get_function_url_config(
            FunctionName=fn.arn, Qualifier=entry.name
        ),
        service="lambda",
        operation="GetFunctionUrlConfig",
        hides=DATA_QUALIFIERS,
        resource_arn=_qualified(fn, entry),
        absent_codes=NOT_FOUND,
    )
    entry.function_url_read = not _gap_recorded(ctx, fn, entry, "GetFunctionUrlConfig")
    if response is not None:
        entry.function_url = FunctionUrl(
            url=response["FunctionUrl"],
            auth_type=response.get("AuthType", "AWS_IAM"),
            cors=bool(response.get("Cors")),
        )


def _gap_recorded(ctx: ScanContext, fn: Function, entry: Qualifier, operation: str) -> bool:
    arn = _qualified(fn, entry)
    if ctx.blocked("lambda", operation, arn) is not None or ctx.stopped.is_set():
        return True
    return any(
        gap.operation == operation and gap.resource_arn == arn
        for gap in ctx.inventory.coverage_gaps
    )


# ---------------------------------------------------------------- callers from qualifiers


def push_sources(
    functions: Iterable[Function],
    schedules: Iterable[Schedule],
    role_callers: Iterable[PushSource] = (),
) -> list[PushSource]:
    """Services the qualifiers' own policies allow, on the qualified ARN they may invoke; the
    enabled schedules, and the workflows, which invoke with an IAM role and need no statement."""
    sources: list[PushSource] = []
    for fn in functions:
        for entry in fn.qualifiers:
            seen: set[tuple[str, str | None]] = set()
            for statement in entry.policy_statements:
                principal = statement.principal
                if statement.effect != "Allow" or not principal.endswith(".amazonaws.com"):
                    continue
                if (principal, statement.source_arn) in seen:
                    continue
                seen.add((principal, statement.source_arn))
                sources.append(
                    PushSource(
                        function_arn=_qualified(fn, entry),
                        principal=principal,
                        source_arn=statement.source_arn,
                        invocation="async" if lambda_.is_async_principal(principal) else "sync",
                    )
                )
    for schedule in schedules:
        if schedule.state != "ENABLED":
            continue
        sources.append(
            PushSource(
                function_arn=schedule.target_arn,
                principal="scheduler.amazonaws.com",
                source_arn=schedule.arn,
                invocation="async",
                via="role",
            )
        )
    sources.extend(role_callers)
    return sources

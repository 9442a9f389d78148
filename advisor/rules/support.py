"""Small helpers the catalogue shares: per-resource gaps, sizes, and remediation snippets.

Pure, like the rules: no Django, no boto3, no settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from advisor.collect.inventory import (
    DATA_APIS,
    DATA_FUNCTION_URLS,
    DATA_METRICS,
    DATA_POLICIES,
    DATA_WORKFLOWS,
    CoverageGap,
    EventSourceMapping,
    Function,
    FunctionMetrics,
    RegionInventory,
)
from advisor.collect.relations import Callers, RelationIndex, function_arn
from advisor.rules.base import Finding, NotEvaluated, Remediation, Result
from advisor.rules.context import RegionContext

if TYPE_CHECKING:
    from advisor.rules.base import Rule
    from advisor.rules.qualified import Served

MB = 1024 * 1024  # AWS quotes Lambda sizes in MB of 2**20 bytes (50 MB = 52,428,800 bytes)
GB = 1024 * MB


def mb(size: float) -> float:
    return round(size / MB, 1)


def gap_reason(gap: CoverageGap) -> str:
    return f"{gap.service}:{gap.operation} {gap.error_code} hides {gap.hides}"


def resource_gap(inventory: RegionInventory, hides: str, arn: str) -> CoverageGap | None:
    """A gap that hides ``hides`` for this one resource (region-wide gaps are the rule's
    ``requires``, handled before the check runs). Constant time: see ``_resource_gaps``."""
    return _resource_gaps(inventory).get((hides, function_arn(arn)))


# The per-resource gap index of the inventory seen last. Rules ask once per function, and a
# scan may carry thousands of per-resource gaps: a linear search each time would make a rule
# O(functions x gaps). The entry holds the gap list itself (so its id cannot be reused) and its
# length: the collector only ever appends gaps, which a length change reveals.
_last_index: tuple[list[CoverageGap], int, dict[tuple[str, str], CoverageGap]] | None = None


def _resource_gaps(inventory: RegionInventory) -> dict[tuple[str, str], CoverageGap]:
    global _last_index  # a one-entry cache, see above
    gaps = inventory.coverage_gaps
    if _last_index is not None and _last_index[0] is gaps and _last_index[1] == len(gaps):
        return _last_index[2]
    index: dict[tuple[str, str], CoverageGap] = {}
    for gap in gaps:
        if gap.resource_arn is not None:
            index.setdefault((gap.hides, function_arn(gap.resource_arn)), gap)
    _last_index = (gaps, len(gaps), index)
    return index


def unattributed_gaps(inventory: RegionInventory, hides: str) -> list[CoverageGap]:
    """Gaps on a resource outside Lambda (an API, a log group): which functions they concern
    is unknown."""
    return [
        gap
        for gap in inventory.coverage_gaps
        if gap.hides == hides
        and gap.resource_arn is not None
        and ":lambda:" not in gap.resource_arn.split("/", 1)[0]
    ]


def api_gaps_not_evaluated(rule: Rule, inventory: RegionInventory) -> list[NotEvaluated]:
    """One "not evaluated" per API whose integrations could not be read: the functions behind
    it were judged without those integrations."""
    return [
        NotEvaluated(
            rule_id=rule.id,
            region=inventory.region,
            reason=f"{gap_reason(gap)}: the functions this API invokes are not known",
            resource_arn=gap.resource_arn,
        )
        for gap in unattributed_gaps(inventory, DATA_APIS)
    ]


def not_evaluated(
    rule: Rule, inventory: RegionInventory, resource_arn: str, reason: str
) -> NotEvaluated:
    return NotEvaluated(
        rule_id=rule.id, region=inventory.region, reason=reason, resource_arn=resource_arn
    )


def metrics_or_reason(inventory: RegionInventory, fn: Function) -> FunctionMetrics | str:
    """The function's metrics, or why they are missing although metrics were collected."""
    gap = resource_gap(inventory, DATA_METRICS, fn.arn)
    if gap is not None:
        return gap_reason(gap)
    if fn.metrics is None:
        return "no CloudWatch metrics were collected for this function"
    return fn.metrics


# What can make a function synchronous: API integrations, its function URL, sync push sources
# (ALB, Cognito, ...) from its resource policy, and workflows that invoke it synchronously.
SYNC_DATA = (DATA_APIS, DATA_FUNCTION_URLS, DATA_POLICIES, DATA_WORKFLOWS)


def sync_status(ctx: RegionContext, fn: Function) -> bool | str:
    """True or False when known; otherwise why the scan cannot tell (a gap hides a caller)."""
    if ctx.relations.is_synchronous(fn):
        return True
    for key in SYNC_DATA:
        gap = ctx.inventory.missing(key) or resource_gap(ctx.inventory, key, fn.arn)
        if gap is not None:
            return gap_reason(gap)
    return False


def sync_callers_or_reason(ctx: RegionContext, fn: Function) -> list[str] | str:
    """The function's synchronous callers (empty when it has none), or why the scan cannot
    tell (a gap hides a caller)."""
    status = sync_status(ctx, fn)
    if isinstance(status, str):
        return status
    return sync_callers(ctx.relations, fn) if status else []


def sync_callers(index: RelationIndex, fn: Function) -> list[str]:
    """Human-readable synchronous callers, for evidence."""
    found = index.callers(fn)
    return [*api_and_url_callers(found), *(s.principal for s in found.sync_sources)]


def on_sync_path(
    rule: Rule,
    ctx: RegionContext,
    functions: Iterable[Function],
    finding: Callable[[Function, list[str]], Finding],
) -> Iterator[Result]:
    """The walk every sync-path rule makes: one "not evaluated" per API whose integrations could
    not be read, then, for each of ``functions`` in turn, "not evaluated" when a gap hides its
    callers, nothing when it has no synchronous caller, and otherwise ``finding(fn, callers)``
    (the callers human-readable, for the message and evidence)."""
    yield from api_gaps_not_evaluated(rule, ctx.inventory)
    for fn in functions:
        callers = sync_callers_or_reason(ctx, fn)
        if isinstance(callers, str):
            yield not_evaluated(rule, ctx.inventory, fn.arn, callers)
        elif callers:
            yield finding(fn, callers)


def api_and_url_callers(found: Callers) -> list[str]:
    """The function's APIs (kind, name, route) and function URL, human-readable."""
    callers = [f"{i.api_kind} API {i.api_name} ({i.route})" for i in found.api_integrations]
    if found.function_url is not None:
        callers.append(f"function URL ({found.function_url.auth_type})")
    return callers


def is_infinite(value: int | None) -> bool:
    """A stream mapping's retry or record-age limit is unbounded: -1, Lambda's default for
    streams, or None when the collector saw no value."""
    return value is None or value == -1


# Kinesis and DynamoDB stream mappings: retried until the records expire unless bounded.
RETRYING_STREAM_KINDS = ("kinesis", "dynamodb")
# Kafka mappings (Amazon MSK and self-managed) too: "Lambda retries the whole batch of messages
# until processing succeeds or the messages expire" (lambda/latest/dg/with-kafka-configure.html);
# their retries can be bounded only in provisioned mode (kafka-retry-configurations.html).
KAFKA = "kafka"
INFINITE_RETRY_KINDS = (*RETRYING_STREAM_KINDS, KAFKA)
# What a Kafka mapping needs before its retries can be bounded: provisioned mode (billed per
# event poller unit; 1 and 200 are Lambda's defaults for the minimum and maximum pollers).
KAFKA_PROVISIONED_POLLERS = {"MinimumPollers": 1, "MaximumPollers": 200}


def mapping_arn(inventory: RegionInventory, mapping: EventSourceMapping) -> str:
    """The event source mapping's ARN, under which findings about the mapping are filed."""
    return (
        f"arn:aws:lambda:{inventory.region}:{inventory.account_id}:"
        f"event-source-mapping:{mapping.uuid}"
    )


def mapping_function_name(mapping: EventSourceMapping) -> str:
    """The name of the function a mapping invokes (its FunctionArn may name an alias)."""
    return resource_name(function_arn(mapping.function_arn))


def retry_bounds_need_pollers(mapping: EventSourceMapping) -> bool:
    """A Kafka mapping not yet in provisioned mode: bounding its retries switches it there."""
    return mapping.kind == KAFKA and not mapping.provisioned_pollers


def provisioned_poller_cli(mapping: EventSourceMapping) -> str:
    """The ``update-event-source-mapping`` argument that puts a Kafka mapping in provisioned
    mode, when bounding its retries needs it (empty otherwise)."""
    if not retry_bounds_need_pollers(mapping):
        return ""
    pollers = ",".join(f"{k}={v}" for k, v in KAFKA_PROVISIONED_POLLERS.items())
    return f" --provisioned-poller-config {pollers}"


def provisioned_poller_iac(mapping: EventSourceMapping) -> dict[str, Any]:
    """The template property that goes with ``provisioned_poller_cli``."""
    if not retry_bounds_need_pollers(mapping):
        return {}
    return {"ProvisionedPollerConfig": dict(KAFKA_PROVISIONED_POLLERS)}


def stream_retry_options() -> dict[str, Any]:
    """The ``Rule`` options of a stream rule whose remediation bounds the mapping's retries:
    ``Rule(..., **stream_retry_options())``."""
    return {
        "options": {"suggested_retry_attempts": 10, "suggested_record_age_s": 3600},
        "option_bounds": {
            "suggested_retry_attempts": (0, 10_000),
            "suggested_record_age_s": (60, 604_800),
        },
        "option_help": {
            "suggested_retry_attempts": "MaximumRetryAttempts proposed in the remediation.",
            "suggested_record_age_s": "MaximumRecordAgeInSeconds proposed in the remediation.",
        },
    }


def limit_text(value: int | None, unit: str = "") -> str:
    """A stream mapping's limit as a message says it: ``-1 (no limit)``, ``not set (no
    limit)``, or the number with its unit."""
    if value is None:
        return "not set (no limit)"
    if value == -1:
        return "-1 (no limit)"
    return f"{value}{unit}"


def source_properties(mapping: EventSourceMapping) -> dict[str, Any]:
    """What names the source in the mapping's template: the stream or MSK cluster ARN, and for
    Kafka its topics and, self-managed, the brokers (the scan reads neither: placeholders)."""
    if mapping.kind != "kafka":
        return {"EventSourceArn": mapping.source_arn}
    if mapping.source_arn:
        return {"EventSourceArn": mapping.source_arn, "Topics": ["TOPIC"]}
    return {
        "SelfManagedEventSource": {"Endpoints": {"KafkaBootstrapServers": ["BROKER:9092"]}},
        "Topics": ["TOPIC"],
    }


def layers_size(fn: Function) -> int | None:
    """Zipped size of the function's layers in bytes; None when any layer's size is unknown."""
    sizes = [layer.code_size for layer in fn.layers]
    if any(size is None for size in sizes):
        return None
    return sum(size for size in sizes if size is not None)


# Remediation snippets -------------------------------------------------------------------------


def logical_id(name: str) -> str:
    """A CloudFormation logical id (alphanumeric) from a resource name: ``orders-api`` ->
    ``OrdersApi``."""
    words = re.split(r"[^A-Za-z0-9]+", name)
    joined = "".join(word[:1].upper() + word[1:] for word in words if word)
    return joined or "Resource"


def resource_name(arn: str) -> str:
    """The last segment of an ARN: a queue's or function's name."""
    return arn.rsplit(":", 1)[-1]


def yaml(data: Mapping[str, Any], indent: int = 0) -> str:
    """A small YAML renderer for remediation snippets. Strings are emitted as they are, so
    intrinsic functions (``!GetAtt Queue.Arn``) stay readable."""
    lines: list[str] = []
    pad = "  " * indent
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"{pad}{key}:")
            lines.append(yaml(value, indent + 1))
        elif isinstance(value, list | tuple):
            lines.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, Mapping):
                    block = yaml(item, indent + 2).lstrip()
                    lines.append(f"{pad}  - {block}")
                else:
                    lines.append(f"{pad}  - {_scalar(item)}")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return "\n".join(lines)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.isdigit():
        return f"'{value}'"  # an account id stays a string (and keeps its leading zeros)
    return str(value)


def sam_function(fn: Function, properties: Mapping[str, Any]) -> str:
    """The function's SAM resource with the properties that fix it."""
    return yaml(
        {
            logical_id(fn.name): {
                "Type": "AWS::Serverless::Function",
                "Properties": {"FunctionName": fn.name, **properties},
            }
        }
    )


def lambda_cli(inventory: RegionInventory, command: str, fn: Function, *args: str) -> str:
    """``aws lambda <command> --region … --function-name … <args>``, on one line."""
    parts = [
        "aws lambda",
        command,
        f"--region {inventory.region}",
        f"--function-name {fn.name}",
        *args,
    ]
    return " ".join(parts)


def failure_queue_remediation(
    inventory: RegionInventory, fn: Function, qualifier: str | None = None
) -> Remediation:
    """A new SQS queue as the on-failure destination of the function's asynchronous invokes
    (of ``qualifier`` when given)."""
    failures_name = f"{fn.name}-failures"
    failures_arn = f"arn:aws:sqs:{inventory.region}:{inventory.account_id}:{failures_name}"
    queue_id = logical_id(failures_name)
    return Remediation(
        cli=(
            f"aws sqs create-queue --region {inventory.region} --queue-name {failures_name} && "
            + lambda_cli(
                inventory,
                "put-function-event-invoke-config",
                fn,
                *([f"--qualifier {qualifier}"] if qualifier else []),
                f'--destination-config \'{{"OnFailure":{{"Destination":"{failures_arn}"}}}}\'',
            )
        ),
        iac=yaml({queue_id: {"Type": "AWS::SQS::Queue"}})
        + "\n"
        + sam_function(
            fn,
            {
                "EventInvokeConfig": {
                    "DestinationConfig": {
                        "OnFailure": {"Type": "SQS", "Destination": f"!GetAtt {queue_id}.Arn"}
                    }
                }
            },
        ),
    )


def publish_and_move(inventory: RegionInventory, fn: Function, served: Iterable[Served]) -> str:
    """What follows a configuration change when callers invoke published versions: publish
    ``$LATEST`` and move each alias to the new version (a version is immutable). Empty when
    only ``$LATEST`` serves them."""
    aliases = sorted(
        {s.qualifier for s in served if s.qualifier is not None and not s.assumed}
        | {q for s in served for q in s.also if q != "$LATEST"}
    )
    if not aliases:
        return ""
    steps = [lambda_cli(inventory, "wait function-updated", fn)]
    steps.append(lambda_cli(inventory, "publish-version", fn))
    for name in aliases:
        if name.isdigit():
            continue  # callers of a version number move by changing what they invoke
        steps.append(
            lambda_cli(
                inventory,
                "update-alias",
                fn,
                f"--name {name} --function-version <the version just published>",
            )
        )
    note = ""
    if any(name.isdigit() for name in aliases):
        note = "  # callers that invoke a version number: point them at the new one"
    return " && " + " && ".join(steps) + note

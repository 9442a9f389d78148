"""What a scan sees: plain, JSON-serialisable dataclasses. No Django, no boto3.

The collector fills them from AWS; the rules and the decision framework read them. Every field
that AWS may not have answered is Optional, and what the scan could not see is listed in
``RegionInventory.coverage_gaps`` (rules then report "not evaluated" rather than "all clear").
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

# Keys naming a kind of data a gap may hide; rules declare which ones they need.
DATA_FUNCTIONS = "functions"
DATA_FUNCTION_DETAILS = "function_details"  # GetFunction: reserved concurrency, tags
DATA_POLICIES = "policies"  # GetPolicy: push sources, URLs, public access
DATA_ACCOUNT_SETTINGS = "account_settings"
DATA_EVENT_SOURCE_MAPPINGS = "event_source_mappings"
DATA_QUEUES = "queues"
DATA_APIS = "apis"
DATA_LOG_GROUPS = "log_groups"
DATA_METRICS = "metrics"
DATA_ASYNC_CONFIG = "async_config"
DATA_FUNCTION_URLS = "function_urls"
DATA_PROVISIONED_CONCURRENCY = "provisioned_concurrency"
DATA_LAYERS = "layers"
DATA_IMAGES = "images"  # ECR DescribeImages: a container image's size
DATA_SUBNETS = "subnets"  # EC2 DescribeSubnets: the Availability Zone of each VPC subnet
# Aliases and versions callers invoke: their configuration (GetFunction with a Qualifier), policy,
# event invoke config, URL and routing (see collect/qualifiers.py)
DATA_QUALIFIERS = "qualifiers"
DATA_SCHEDULES = "schedules"  # EventBridge Scheduler: callers that invoke through an IAM role
DATA_EVENT_RULES = "event_rules"  # EventBridge rule targets: which qualifier each rule invokes
DATA_WORKFLOWS = "workflows"  # Step Functions and Pipes: callers that invoke with an IAM role


# The IAM actions that read each kind of data (the read-only policy grants all of them; Test
# connection tries each). docs/RULES.md lists them beside the rules that need the data.
DATA_READS: dict[str, tuple[str, ...]] = {
    DATA_FUNCTIONS: ("lambda:ListFunctions",),
    DATA_FUNCTION_DETAILS: ("lambda:GetFunction",),
    DATA_POLICIES: ("lambda:GetPolicy",),
    DATA_ACCOUNT_SETTINGS: ("lambda:GetAccountSettings",),
    DATA_EVENT_SOURCE_MAPPINGS: ("lambda:ListEventSourceMappings",),
    DATA_QUEUES: ("sqs:GetQueueAttributes", "sqs:ListQueues"),
    DATA_APIS: ("apigateway:GET",),
    DATA_LOG_GROUPS: ("logs:DescribeLogGroups",),
    DATA_METRICS: ("cloudwatch:GetMetricData", "cloudwatch:ListMetrics"),
    DATA_ASYNC_CONFIG: ("lambda:GetFunctionEventInvokeConfig",),
    DATA_FUNCTION_URLS: ("lambda:GetFunctionUrlConfig",),
    DATA_PROVISIONED_CONCURRENCY: ("lambda:ListProvisionedConcurrencyConfigs",),
    DATA_LAYERS: ("lambda:GetLayerVersion",),
    DATA_IMAGES: ("ecr:DescribeImages",),
    DATA_SUBNETS: ("ec2:DescribeSubnets",),
    DATA_QUALIFIERS: (
        "lambda:GetFunction",
        "lambda:GetPolicy",
        "lambda:GetAlias",
        "lambda:GetFunctionEventInvokeConfig",
        "lambda:GetFunctionUrlConfig",
    ),
    DATA_SCHEDULES: ("scheduler:ListSchedules",),
    DATA_EVENT_RULES: ("events:ListEventBuses", "events:ListRules", "events:ListTargetsByRule"),
    DATA_WORKFLOWS: (
        "states:ListStateMachines",
        "states:DescribeStateMachine",
        "pipes:ListPipes",
        "pipes:DescribePipe",
    ),
}


@dataclass
class CoverageGap:
    """Something the scan could not see, and why."""

    region: str
    service: str
    operation: str
    error_code: str
    message: str
    hides: str  # one of the DATA_* keys
    resource_arn: str | None = None  # None: the whole region lacks this data


@dataclass
class Series:
    """An evenly spaced metric series: ``values[i]`` covers ``start + i * period`` seconds.

    ``None`` marks a period with no data point (for Sum metrics that means zero activity)."""

    start: int  # epoch seconds
    period: int
    values: list[float | None]

    def total(self) -> float:
        return sum(v for v in self.values if v is not None)

    def peak(self) -> float | None:
        present = [v for v in self.values if v is not None]
        return max(present) if present else None


@dataclass
class QualifierAsyncMetrics:
    """The asynchronous-invocation series of one alias or version (``Resource`` dimension
    ``fn:live``), read for the qualifiers asynchronous callers invoke. Each is absent (None)
    when it was not read."""

    async_events_dropped: Series | None = None  # Sum
    dead_letter_errors: Series | None = None  # Sum
    destination_delivery_failures: Series | None = None  # Sum
    async_event_age_max: Series | None = None  # ms, Maximum


@dataclass
class FunctionMetrics:
    """14 days of hourly CloudWatch metrics for one function (absent series stay None)."""

    invocations: Series | None = None  # Sum
    errors: Series | None = None  # Sum
    throttles: Series | None = None  # Sum
    duration_avg: Series | None = None  # ms
    duration_max: Series | None = None  # ms
    duration_p99: Series | None = None  # ms
    concurrent_max: Series | None = None
    iterator_age_max: Series | None = None  # ms
    dead_letter_errors: Series | None = None  # Sum
    destination_delivery_failures: Series | None = None  # Sum
    # Asynchronously invoked functions only (an async caller of the unqualified function)
    async_events_dropped: Series | None = None  # Sum
    async_event_age_max: Series | None = None  # ms, Maximum
    provisioned_utilization_max: Series | None = None  # 0..1
    provisioned_spillover: Series | None = None  # Sum
    # The same two per alias or version (the fields above merge them: max, sum), so that each
    # provisioned configuration is judged on its own
    provisioned_utilization_by_qualifier: dict[str, Series] = field(default_factory=dict)
    provisioned_spillover_by_qualifier: dict[str, Series] = field(default_factory=dict)
    # The async series of each alias or version an asynchronous caller invokes, kept apart:
    # the unqualified series above are CloudWatch's aggregate over every version and alias
    async_by_qualifier: dict[str, QualifierAsyncMetrics] = field(default_factory=dict)

    # Summary figures for rules, computed by the collector from the series above.
    invocations_total: float = 0.0
    errors_total: float = 0.0
    throttles_total: float = 0.0
    duration_avg_ms: float | None = None  # invocation-weighted
    duration_max_ms: float | None = None
    duration_p99_ms: float | None = None  # the highest hourly p99
    concurrency_peak: float | None = None
    iterator_age_max_ms: float | None = None
    window_hours: int = 0


@dataclass
class Layer:
    arn: str  # layer version ARN
    code_size: int | None = None  # bytes, zipped; None when GetLayerVersion was not allowed


@dataclass
class EnvVar:
    name: str
    looks_secret: bool  # decided at collection time; the value itself is never kept


@dataclass
class PolicyCondition:
    """One condition of a policy statement: ``{"StringEquals": {"aws:SourceAccount": [...]}}``
    is operator StringEquals, key aws:SourceAccount, its values (as written)."""

    operator: str
    key: str
    values: list[str] = field(default_factory=list)


@dataclass
class PolicyStatement:
    sid: str | None
    effect: str
    principal: str  # "*", an account id, or a service principal such as "s3.amazonaws.com"
    action: str
    source_arn: str | None = None
    source_account: str | None = None
    has_condition: bool = False
    function_url_auth_type: str | None = None  # lambda:FunctionUrlAuthType condition, if any
    # Every condition of the statement (empty in inventories stored before they were kept)
    conditions: list[PolicyCondition] = field(default_factory=list)


@dataclass
class AsyncInvokeConfig:
    maximum_retry_attempts: int | None = None
    maximum_event_age_seconds: int | None = None
    on_success: str | None = None
    on_failure: str | None = None


@dataclass
class FunctionUrl:
    url: str
    auth_type: str  # "NONE" or "AWS_IAM"
    cors: bool = False


@dataclass
class ProvisionedConcurrencyConfig:
    qualifier: str
    requested: int
    allocated: int | None = None
    status: str | None = None


@dataclass
class FunctionVersion:
    """The configuration of one published version, as GetFunction with a Qualifier answers it.

    A version is immutable: what it says is what serves every caller of the version, and of
    every alias that points at it."""

    version: str  # "7"
    runtime: str | None = None
    memory_mb: int = 128
    timeout_s: int = 3
    package_type: str = "Zip"
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    code_size: int = 0
    code_sha256: str | None = None
    snap_start: str = "None"
    snap_start_optimized: bool = False  # SnapStart.OptimizationStatus == "On"
    dead_letter_target: str | None = None
    ephemeral_storage_mb: int = 512
    tracing_mode: str = "PassThrough"
    last_modified: str | None = None
    # The version's own layers (None: read before they were kept; a version keeps the layer
    # versions it was published with)
    layers: list[Layer] | None = None
    # The version's own environment variable names and VPC subnets (None: read before they
    # were kept); a version keeps those it was published with
    environment: list[EnvVar] | None = None
    vpc_subnet_ids: list[str] | None = None
    vpc_security_group_ids: list[str] = field(default_factory=list)


@dataclass
class Qualifier:
    """An alias or version a caller invokes (``fn:live``, ``fn:7``), and what is attached to it.

    On AWS each alias and version has its own resource policy, event invoke config, function URL
    and provisioned concurrency; none of them is inherited from the unqualified function. The
    ``*_read`` flags say whether the scan read that part (see ``coverage_gaps`` when a read
    failed, and collect/qualifiers.py for when a read is not needed)."""

    name: str  # "live" or "7"
    kind: str  # "alias" or "version"
    # How the scan found it: "api", "mapping", "schedule", "rule", "workflow", "metrics", "url"
    # (its function URL served requests)
    named_by: list[str] = field(default_factory=list)
    exists: bool | None = None  # False: a trigger names an alias or version that is not there
    version: str | None = None  # the version it serves (an alias's primary version)
    # An alias's weighted routing: extra version -> share of traffic (0..1). Read (GetAlias) only
    # when the metrics show the alias running more than one version.
    routing: dict[str, float] = field(default_factory=dict)
    routing_read: bool = False
    executed_versions: list[str] = field(default_factory=list)  # metrics' ExecutedVersion
    has_traffic: bool = False  # CloudWatch lists metrics for it (invocations in the window)
    policy_statements: list[PolicyStatement] = field(default_factory=list)
    policy_read: bool = False
    async_config: AsyncInvokeConfig | None = None
    async_config_read: bool = False
    function_url: FunctionUrl | None = None
    function_url_read: bool = False

    @property
    def versions(self) -> list[str]:
        """Every version that serves this qualifier's callers (primary first)."""
        found = [self.version] if self.version else []
        return found + [v for v in self.routing if v not in found]


@dataclass
class Function:
    arn: str
    name: str
    region: str
    runtime: str | None  # None for container images
    handler: str | None
    memory_mb: int
    timeout_s: int
    package_type: str = "Zip"  # "Zip" or "Image"
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    code_size: int = 0  # bytes, zipped package (Zip) or 0 for images
    image_size: int | None = None  # bytes, Image only: ECR imageSizeInBytes (compressed), if read
    # Image only, from GetFunction: registry/repository@sha256:digest of the deployed image
    resolved_image_uri: str | None = None
    ephemeral_storage_mb: int = 512
    description: str = ""
    layers: list[Layer] = field(default_factory=list)
    tracing_mode: str = "PassThrough"
    dead_letter_target: str | None = None
    vpc_subnet_ids: list[str] = field(default_factory=list)
    vpc_security_group_ids: list[str] = field(default_factory=list)
    snap_start: str = "None"  # ApplyOn: "None" or "PublishedVersions"
    log_group: str | None = None
    log_format: str | None = None
    # JSON logs only: the levels Lambda filters at (TRACE, DEBUG, INFO, WARN, ERROR, FATAL;
    # None: not set, Lambda's INFO) (lambda/latest/api/API_LoggingConfig.html)
    application_log_level: str | None = None
    system_log_level: str | None = None
    environment: list[EnvVar] = field(default_factory=list)
    last_modified: str | None = None
    code_sha256: str | None = None
    # From GetFunction (None when it could not be read: see coverage gaps)
    reserved_concurrency: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # From GetPolicy and the calls it points to
    policy_statements: list[PolicyStatement] = field(default_factory=list)
    function_url: FunctionUrl | None = None
    async_config: AsyncInvokeConfig | None = None
    provisioned_concurrency: list[ProvisionedConcurrencyConfig] = field(default_factory=list)
    provisioned_concurrency_read: bool = False
    metrics: FunctionMetrics | None = None
    # Aliases and versions callers invoke, and the published versions they serve
    qualifiers: list[Qualifier] = field(default_factory=list)
    versions: list[FunctionVersion] = field(default_factory=list)

    def qualifier(self, name: str | None) -> Qualifier | None:
        """The alias or version ``name`` (None and "$LATEST": the unqualified function)."""
        if not name or name == "$LATEST":
            return None
        return next((q for q in self.qualifiers if q.name == name), None)

    def version(self, number: str | None) -> FunctionVersion | None:
        return next((v for v in self.versions if v.version == number), None)

    def serving(self, qualifier: str | None) -> list[FunctionVersion]:
        """The published versions that serve callers of ``qualifier`` (empty for the
        unqualified function, which is $LATEST, or when the versions could not be read)."""
        found = self.qualifier(qualifier)
        if found is None:
            return []
        return [v for v in (self.version(n) for n in found.versions) if v is not None]

    @property
    def arch(self) -> str:
        return self.architectures[0] if self.architectures else "x86_64"


# StateTransitionReason codes with which Lambda stops an event source mapping's consumer
# (Amazon MQ, Amazon MSK and self-managed Kafka): lambda/latest/dg/services-mq-errors.html.
STOPPED_CONSUMER_CODES = frozenset(
    {
        "ESM_CONFIG_NOT_VALID",
        "EVENT_SOURCE_AUTHN_ERROR",
        "EVENT_SOURCE_AUTHZ_ERROR",
        "FUNCTION_CONFIG_NOT_VALID",
    }
)


@dataclass
class EventSourceMapping:
    uuid: str
    function_arn: str
    source_arn: str | None
    kind: str  # "sqs", "kinesis", "dynamodb", "kafka", "mq", "documentdb" or "other"
    state: str
    batch_size: int | None = None
    batching_window_s: int = 0
    maximum_retry_attempts: int | None = None  # -1: infinite (stream default)
    maximum_record_age_s: int | None = None  # -1: infinite (stream default)
    bisect_on_error: bool = False
    on_failure_destination: str | None = None
    report_batch_item_failures: bool = False
    parallelization_factor: int | None = None  # Kinesis/DynamoDB: batches per shard, 1-10
    # Kafka: the mapping runs in provisioned mode (a ProvisionedPollerConfig), the only mode in
    # which its retries can be bounded (lambda/latest/dg/kafka-retry-configurations.html)
    provisioned_pollers: bool = False
    # SQS: ScalingConfig.MaximumConcurrency, the most concurrent invocations this mapping may
    # make (2-1,000; None: unset, Lambda's pollers scale up to 1,000 batches at once)
    # (lambda/latest/dg/services-sqs-scaling.html, api/API_ScalingConfig.html)
    maximum_concurrency: int | None = None
    # What Lambda reports: who made the last state change and why ("USER_INITIATED", or
    # "PROBLEM: ..." when Lambda disabled it), and the last poll's outcome ("OK",
    # "No records processed", "PROBLEM: Function call failed", ...)
    state_transition_reason: str | None = None
    last_processing_result: str | None = None

    @property
    def enabled(self) -> bool:
        """Polling or about to: Disabled and Disabling mappings invoke nothing."""
        return self.state not in ("Disabled", "Disabling", "Deleting")

    @property
    def live(self) -> bool:
        """Invoking the function as configured: enabled, and nothing Lambda reports broken.
        Queue and stream rules judge live mappings only; the others are shown as they are."""
        return self.enabled and self.problem is None

    @property
    def problem(self) -> str | None:
        """What Lambda reports as broken about this mapping, if anything: a "PROBLEM: ..."
        processing result or state reason, or one of the codes with which Lambda stops an
        Amazon MQ or Kafka consumer (lambda/latest/dg/services-mq-errors.html)."""
        for text in (self.last_processing_result, self.state_transition_reason):
            if text and text.upper().startswith("PROBLEM"):
                return text
        reason = (self.state_transition_reason or "").strip()
        if reason.upper() in STOPPED_CONSUMER_CODES:
            return reason
        return None

    @property
    def disabled_by_lambda(self) -> bool:
        """Lambda itself disabled it (a problem), rather than a user."""
        return not self.enabled and self.problem is not None


@dataclass
class SqsQueue:
    arn: str
    url: str
    visibility_timeout_s: int
    message_retention_s: int
    redrive_target_arn: str | None = None
    max_receive_count: int | None = None
    is_dead_letter_queue: bool = False  # another queue's redrive policy points here


@dataclass
class PushSource:
    """A service allowed to invoke the function by its resource policy."""

    function_arn: str
    principal: str  # "s3.amazonaws.com", "sns.amazonaws.com", ...
    source_arn: str | None
    invocation: str  # "async" or "sync"
    # "policy": a statement of the function's (or the qualifier's) resource policy allows it;
    # "role": it invokes with an IAM role and holds no statement (EventBridge Scheduler)
    via: str = "policy"


@dataclass
class Schedule:
    """An EventBridge Scheduler schedule whose target is a Lambda function (ListSchedules)."""

    arn: str
    name: str
    group: str
    target_arn: str  # the function ARN, maybe qualified
    state: str  # "ENABLED" or "DISABLED"


@dataclass
class ApiIntegration:
    function_arn: str
    api_id: str
    api_name: str
    api_kind: str  # "rest" or "http"
    route: str  # "GET /orders/{id}"
    timeout_ms: int  # REST: 29,000 when unset; HTTP API: 30,000 when unset
    # The stage whose variables resolved ``${stageVariables.x}`` in the URI (None: no variable)
    stage: str | None = None
    # Why the URI names no function the scan could resolve (a stage variable no stage sets)
    unresolved: str | None = None


@dataclass
class AccountSettings:
    concurrency_limit: int | None = None
    unreserved_concurrency: int | None = None
    total_code_size: int | None = None  # bytes used
    code_size_limit: int | None = None  # bytes allowed
    code_size_zipped_limit: int | None = None
    code_size_unzipped_limit: int | None = None


@dataclass
class RegionInventory:
    account_id: str
    region: str
    functions: list[Function] = field(default_factory=list)
    account: AccountSettings = field(default_factory=AccountSettings)
    event_source_mappings: list[EventSourceMapping] = field(default_factory=list)
    queues: dict[str, SqsQueue] = field(default_factory=dict)  # by queue ARN
    push_sources: list[PushSource] = field(default_factory=list)
    api_integrations: list[ApiIntegration] = field(default_factory=list)
    log_group_retention: dict[str, int | None] = field(default_factory=dict)  # None: forever
    # Availability Zone of each subnet a function is attached to (EC2 DescribeSubnets), by id;
    # a subnet DescribeSubnets did not return is absent.
    subnet_zones: dict[str, str] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    # EventBridge rule targets that invoke a function: (rule ARN, target function ARN)
    event_rule_targets: list[list[str]] = field(default_factory=list)
    # Step Functions and Pipes invoking functions with their role (see collect/workflows.py);
    # state machines with a Lambda task whose function is chosen at run time
    role_callers: list[PushSource] = field(default_factory=list)
    unresolved_workflow_targets: list[str] = field(default_factory=list)
    account_concurrency_max: Series | None = None
    account_unreserved_concurrency_min: Series | None = None
    account_unreserved_concurrency_max: Series | None = None
    coverage_gaps: list[CoverageGap] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)  # "lambda.ListFunctions": n
    # Retries botocore made inside those calls (throttles, 5xx), by the same keys.
    api_retries: dict[str, int] = field(default_factory=dict)

    def missing(self, hides: str, resource_arn: str | None = None) -> CoverageGap | None:
        """The gap that hides ``hides`` for the whole region, or for this resource."""
        for gap in self.coverage_gaps:
            if gap.hides == hides and (
                gap.resource_arn is None or gap.resource_arn == resource_arn
            ):
                return gap
        return None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegionInventory:
        return from_plain(cls, data)


# What relates functions to their callers in a region: small next to the functions themselves,
# and stored apart from them so that one function's page need not read them all.
RELATION_KEYS = ("event_source_mappings", "api_integrations", "push_sources", "queues")


def relations_part(region: dict[str, Any]) -> dict[str, Any]:
    """The trigger lists of a region's ``to_dict()``."""
    return {key: region.get(key) for key in RELATION_KEYS}


@dataclass
class Inventory:
    account_id: str
    regions: list[RegionInventory] = field(default_factory=list)

    @property
    def functions(self) -> list[Function]:
        return [fn for region in self.regions for fn in region.functions]

    @property
    def coverage_gaps(self) -> list[CoverageGap]:
        return [gap for region in self.regions for gap in region.coverage_gaps]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inventory:
        return from_plain(cls, data)


def from_plain(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass (and the dataclasses inside it) from ``dataclasses.asdict`` output."""
    return _convert(cls, data)


@cache
def _type_hints(cls: type) -> dict[str, Any]:
    # Resolving hints costs milliseconds per class; a stored inventory has thousands of objects.
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_convert(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(tp)
        return {k: _convert(item, v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        hints = _type_hints(tp)
        return tp(
            **{
                f.name: _convert(hints[f.name], value[f.name])
                for f in dataclasses.fields(tp)
                if f.name in value
            }
        )
    return value

"""Who invokes a function, and how: pure helpers over a ``RegionInventory``.

Triggers are collected account-wide (event source mappings, API integrations, push sources from
resource policies), so each one names its function by ARN, sometimes qualified with an alias or
version (``…:function:orders:live``, ``…:function:orders:$LATEST``). Everything here is keyed by
the unqualified function ARN.

Build a ``RelationIndex`` once per inventory and look functions up in it: a rule that scanned
every trigger list for every function would be O(functions x triggers), and an account may hold
10,000 functions. The index is not cached on the inventory on purpose: inventories are mutable
dataclasses, and a stale cache is worse than an O(n) rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from advisor.collect.inventory import (
    ApiIntegration,
    EventSourceMapping,
    Function,
    FunctionUrl,
    PushSource,
    RegionInventory,
)

# How a function is invoked.
SYNC = "sync"  # the caller waits: API Gateway, function URL, ALB, Cognito, Lex, ...
ASYNC = "async"  # Lambda queues the event internally: S3, SNS, EventBridge, ...
STREAM = "stream"  # a poller reads ordered shards: Kinesis, DynamoDB Streams, Kafka, DocumentDB
QUEUE = "queue"  # a poller reads a queue: SQS, Amazon MQ

STREAM_KINDS = frozenset({"kinesis", "dynamodb", "kafka", "documentdb"})
QUEUE_KINDS = frozenset({"sqs", "mq"})

_T = TypeVar("_T", ApiIntegration, PushSource, EventSourceMapping)

_APIGW_PATH_MARKER = "/functions/"
_APIGW_PATH_END = "/invocations"


def function_arn(arn: str) -> str:
    """The unqualified function ARN.

    Accepts a function ARN with or without a qualifier (alias, version, ``$LATEST``) and an API
    Gateway integration URI (``arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/
    {functionArn}/invocations``)."""
    parts = _arn_parts(arn)
    # arn : partition : lambda : region : account : function : name [: qualifier]
    if len(parts) > 7 and parts[2] == "lambda" and parts[5] == "function":
        return ":".join(parts[:7])
    return ":".join(parts)


def qualifier(arn: str) -> str | None:
    """The alias or version a function ARN is qualified with, if any."""
    parts = _arn_parts(arn)
    if len(parts) > 7 and parts[2] == "lambda" and parts[5] == "function":
        return ":".join(parts[7:])
    return None


def _arn_parts(arn: str) -> list[str]:
    if ":apigateway:" in arn and _APIGW_PATH_MARKER in arn:
        arn = arn.split(_APIGW_PATH_MARKER, 1)[1].removesuffix(_APIGW_PATH_END)
    return arn.split(":")


def mapping_invocation_type(mapping: EventSourceMapping) -> str | None:
    """``stream`` or ``queue`` for an event source mapping; None for a kind we do not know."""
    if mapping.kind in STREAM_KINDS:
        return STREAM
    if mapping.kind in QUEUE_KINDS:
        return QUEUE
    return None


@dataclass(frozen=True)
class Callers:
    """Everything that invokes one function."""

    api_integrations: tuple[ApiIntegration, ...] = ()
    push_sources: tuple[PushSource, ...] = ()
    event_source_mappings: tuple[EventSourceMapping, ...] = ()
    function_url: FunctionUrl | None = None
    # Mappings that invoke nothing (disabled, or broken as Lambda reports): shown, not judged
    inactive_mappings: tuple[EventSourceMapping, ...] = ()

    @property
    def async_sources(self) -> tuple[PushSource, ...]:
        return tuple(s for s in self.push_sources if s.invocation == ASYNC)

    @property
    def sync_sources(self) -> tuple[PushSource, ...]:
        return tuple(s for s in self.push_sources if s.invocation == SYNC)

    @property
    def stream_mappings(self) -> tuple[EventSourceMapping, ...]:
        return tuple(m for m in self.event_source_mappings if m.kind in STREAM_KINDS)

    @property
    def queue_mappings(self) -> tuple[EventSourceMapping, ...]:
        return tuple(m for m in self.event_source_mappings if m.kind in QUEUE_KINDS)

    @property
    def invocation_types(self) -> set[str]:
        types: set[str] = set()
        if self.api_integrations or self.function_url is not None or self.sync_sources:
            types.add(SYNC)
        if self.async_sources:
            types.add(ASYNC)
        for mapping in self.event_source_mappings:
            kind = mapping_invocation_type(mapping)
            if kind is not None:
                types.add(kind)
        return types

    @property
    def is_synchronous(self) -> bool:
        return SYNC in self.invocation_types


@dataclass
class RelationIndex:
    """Triggers grouped by unqualified function ARN, built in one pass over the inventory."""

    api_integrations: dict[str, list[ApiIntegration]] = field(default_factory=dict)
    push_sources: dict[str, list[PushSource]] = field(default_factory=dict)
    event_source_mappings: dict[str, list[EventSourceMapping]] = field(default_factory=dict)
    mappings_by_source: dict[str, list[EventSourceMapping]] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    inactive_mappings: dict[str, list[EventSourceMapping]] = field(default_factory=dict)

    # Indexes built in this process so far: how often the O(n) pass really runs (a rule
    # evaluation builds one per region, see ``advisor/rules/context.py``).
    builds: ClassVar[int] = 0

    @classmethod
    def build(cls, inventory: RegionInventory) -> RelationIndex:
        RelationIndex.builds += 1
        # A disabled mapping, or one Lambda reports broken, invokes nothing: not a caller.
        live = [m for m in inventory.event_source_mappings if m.live]
        return cls(
            api_integrations=_group(inventory.api_integrations),
            push_sources=_group(inventory.push_sources),
            event_source_mappings=_group(live),
            mappings_by_source=_group_by_source(live),
            functions={function_arn(fn.arn): fn for fn in inventory.functions},
            inactive_mappings=_group([m for m in inventory.event_source_mappings if not m.live]),
        )

    def callers(self, fn: Function) -> Callers:
        key = function_arn(fn.arn)
        return Callers(
            api_integrations=tuple(self.api_integrations.get(key, ())),
            push_sources=tuple(self.push_sources.get(key, ())),
            event_source_mappings=tuple(self.event_source_mappings.get(key, ())),
            function_url=fn.function_url,
            inactive_mappings=tuple(self.inactive_mappings.get(key, ())),
        )

    def function(self, arn: str) -> Function | None:
        """The function an ARN (qualified or not) names, if it is in this inventory."""
        return self.functions.get(function_arn(arn))

    def invocation_types(self, fn: Function) -> set[str]:
        return self.callers(fn).invocation_types

    def is_synchronous(self, fn: Function) -> bool:
        return self.callers(fn).is_synchronous


def _group(items: list[_T]) -> dict[str, list[_T]]:
    grouped: dict[str, list[_T]] = defaultdict(list)
    for item in items:
        grouped[function_arn(item.function_arn)].append(item)
    return dict(grouped)


def _group_by_source(mappings: list[EventSourceMapping]) -> dict[str, list[EventSourceMapping]]:
    grouped: dict[str, list[EventSourceMapping]] = defaultdict(list)
    for mapping in mappings:
        if mapping.source_arn:
            grouped[mapping.source_arn].append(mapping)
    return dict(grouped)


# One-off conveniences. Over many functions, build a RelationIndex once instead.


def callers(inventory: RegionInventory, fn: Function) -> Callers:
    return RelationIndex.build(inventory).callers(fn)


def invocation_types(inventory: RegionInventory, fn: Function) -> set[str]:
    return callers(inventory, fn).invocation_types


def is_synchronous(inventory: RegionInventory, fn: Function) -> bool:
    return SYNC in invocation_types(inventory, fn)

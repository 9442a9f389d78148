"""What a finding's resource is: the name a person reads, and the functions it concerns.

A finding names one resource by ARN (its identity across scans): a function, an event source
mapping (``…:event-source-mapping:{uuid}``), an SQS queue, an API, or the account in a region
(``…:account``). People read none of those well, and a function's page must show every finding
about the function, not only those filed under its own ARN. Pure: no Django, no I/O; the pages,
the email and the CSV exports all name resources with :func:`resource_label`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.collect.relations import RelationIndex, function_arn

# Event source kinds as AWS's own pages write them, by the service of the source ARN.
SOURCE_KINDS = {
    "sqs": "SQS",
    "kinesis": "Kinesis",
    "dynamodb": "DynamoDB",
    "kafka": "Kafka",
    "mq": "Amazon MQ",
    "rds": "DocumentDB",  # DocumentDB change streams: arn:aws:rds:…:cluster:name
    "docdb": "DocumentDB",
}


def _parts(arn: str) -> list[str]:
    return arn.split(":", 5) if arn.startswith("arn:") else []


def is_function_arn(arn: str) -> bool:
    parts = arn.split(":")
    return len(parts) >= 7 and parts[0] == "arn" and parts[2] == "lambda" and parts[5] == "function"


def function_name(arn: str) -> str:
    """``orders`` of ``arn:aws:lambda:…:function:orders`` (``orders:live`` when qualified)."""
    return ":".join(arn.split(":")[6:])


def source_name(arn: str | None) -> str:
    """The readable name of an event source: a queue's name, a stream's or table's name."""
    if not arn:
        return "an unknown source"
    parts = _parts(arn)
    if len(parts) < 6:
        return arn
    service, rest = parts[2], parts[5]
    if service == "dynamodb":  # table/{name}/stream/{label}
        pieces = rest.split("/")
        return pieces[1] if len(pieces) > 1 else rest
    if service == "kinesis":  # stream/{name}
        return rest.split("/", 1)[-1]
    if service == "kafka":  # cluster/{name}/{uuid}
        pieces = rest.split("/")
        return pieces[1] if len(pieces) > 1 else rest
    return rest.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def source_kind(arn: str | None, kind: str | None = None) -> str:
    """``SQS``, ``Kinesis``, ``DynamoDB``… from the mapping's kind or its source ARN."""
    if kind and kind in SOURCE_KINDS:
        return SOURCE_KINDS[kind]
    parts = _parts(arn or "")
    service = parts[2] if len(parts) > 2 else ""
    return SOURCE_KINDS.get(service, service.upper() or "Event source")


def resource_label(resource_arn: str, evidence: Mapping[str, Any] | None = None) -> str:
    """The name a person reads for a finding's resource.

    A function by its name; a queue by its name; an event source mapping as its source and
    function (``SQS orders-jobs → orders-consumer``); an API by name and stage; the account as
    ``account-level, us-east-1``. ``evidence`` (the finding's) supplies what the ARN does not
    say, such as the two ends of a mapping; a mapping without them is still named, never left a
    bare UUID."""
    evidence = evidence or {}
    parts = resource_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return resource_arn
    service, region, kind = parts[2], parts[3], parts[5]
    if service == "lambda":
        if kind == "function":
            return function_name(resource_arn)
        if kind == "account":
            return f"account-level, {region}"
        if kind == "event-source-mapping":
            fn = evidence.get("function_arn")
            source = evidence.get("source_arn")
            kind_label = source_kind(source, evidence.get("kind"))
            if fn and source:
                return f"{kind_label} {source_name(source)} → {function_name(fn)}"
            if fn:
                return f"event source mapping of {function_name(fn)}"
            uuid = parts[6] if len(parts) > 6 else ""
            return f"event source mapping {uuid[:8]}…" if uuid else "event source mapping"
    if service == "sqs":
        return f"queue {parts[-1]}"
    if service == "apigateway":
        name = evidence.get("api_name")
        stage = evidence.get("stage")
        if name:
            return f"API {name}" + (f" ({stage})" if stage else "")
        # arn:aws:apigateway:{region}::/restapis/{id}[/stages/{stage}]
        path = resource_arn.split("::", 1)[-1].strip("/").split("/")
        api = path[1] if len(path) > 1 else path[0]
        stage = path[3] if len(path) > 3 and path[2] == "stages" else stage
        return f"API {api}" + (f" ({stage})" if stage else "")
    if service == "sns":
        return f"topic {parts[-1]}"
    if service == "s3":
        return f"bucket {parts[-1]}"
    return resource_arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1] or resource_arn


def named_function_arns(evidence: Any) -> Iterator[str]:
    """Every Lambda function ARN a finding's evidence names, at any depth (unqualified)."""
    if isinstance(evidence, str):
        if is_function_arn(evidence):
            yield function_arn(evidence)
    elif isinstance(evidence, Mapping):
        for value in evidence.values():
            yield from named_function_arns(value)
    elif isinstance(evidence, list | tuple):
        for value in evidence:
            yield from named_function_arns(value)


@dataclass
class FunctionConcerns:
    """Which functions a finding concerns, worked out once per region from its relations.

    A finding concerns its own function; a mapping's finding, the mapping's function; a queue's,
    every function reading the queue; an API's, every function it integrates; and any finding
    (an account-level one listing the largest reservations, say), every function its evidence
    names."""

    mapping_functions: dict[str, str] = field(default_factory=dict)  # uuid -> function ARN
    source_functions: dict[str, set[str]] = field(default_factory=dict)  # source ARN -> ARNs
    api_functions: dict[str, set[str]] = field(default_factory=dict)  # API id -> ARNs

    @classmethod
    def build(cls, index: RelationIndex | None) -> FunctionConcerns:
        concerns = cls()
        if index is None:
            return concerns
        for arn, mappings in index.event_source_mappings.items():
            for mapping in mappings:
                concerns.mapping_functions[mapping.uuid] = arn
                if mapping.source_arn:
                    concerns.source_functions.setdefault(mapping.source_arn, set()).add(arn)
        for arn, integrations in index.api_integrations.items():
            for api in integrations:
                concerns.api_functions.setdefault(api.api_id, set()).add(arn)
        return concerns

    def of(self, resource_arn: str, evidence: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The unqualified ARNs of the functions a finding concerns, sorted."""
        arns = set(named_function_arns(evidence or {}))
        parts = resource_arn.split(":")
        if is_function_arn(resource_arn):
            arns.add(function_arn(resource_arn))
        elif len(parts) > 6 and parts[2] == "lambda" and parts[5] == "event-source-mapping":
            fn = self.mapping_functions.get(parts[6])
            if fn:
                arns.add(fn)
        elif len(parts) > 2 and parts[2] == "apigateway":
            path = resource_arn.split("::", 1)[-1].strip("/").split("/")
            if len(path) > 1:
                arns.update(self.api_functions.get(path[1], ()))
        arns.update(self.source_functions.get(resource_arn, ()))
        return tuple(sorted(arns))

"""Kafka event source mappings in the emulator.

moto creates a mapping only for an SQS queue, a DynamoDB stream or a Kinesis stream it holds,
and answers "Invalid EventSourceArn" for anything else. AWS also maps Amazon MSK clusters
(``EventSourceArn`` = the cluster's ARN) and self-managed Apache Kafka (no ``EventSourceArn``;
``SelfManagedEventSource`` names the brokers), with the same retry and destination settings as
the other streams, and requires a ``StartingPosition`` for both
(lambda/latest/api/API_CreateEventSourceMapping.html). This extension creates those mappings as
AWS would; ListEventSourceMappings then returns them like any other (without an
``EventSourceArn`` for self-managed Kafka, as AWS does).
"""

from __future__ import annotations

from typing import Any

from moto.awslambda.exceptions import InvalidParameterValueException
from moto.awslambda.models import EventSourceMapping, LambdaBackend

KAFKA_BATCH_SIZE = (100, 10_000)  # default and maximum for MSK and self-managed Kafka


class KafkaEventSourceMapping(EventSourceMapping):
    """moto's mapping without its check that the source is SQS, DynamoDB or Kinesis."""

    @property
    def event_source_arn(self) -> str | None:  # type: ignore[override]
        return self._kafka_source_arn

    @event_source_arn.setter
    def event_source_arn(self, value: str | None) -> None:
        self._kafka_source_arn = value

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self._kafka_batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        default, maximum = KAFKA_BATCH_SIZE
        if value is not None and not 1 <= int(value) <= maximum:
            raise InvalidParameterValueException(f"BatchSize {value} exceeds the max of {maximum}")
        self._kafka_batch_size = default if value is None else int(value)


def is_kafka(spec: dict[str, Any]) -> bool:
    return bool(spec.get("SelfManagedEventSource")) or ":kafka:" in (
        spec.get("EventSourceArn") or ""
    )


def install() -> None:
    original = LambdaBackend.create_event_source_mapping

    def create_event_source_mapping(
        self: LambdaBackend, spec: dict[str, Any]
    ) -> EventSourceMapping:
        if not is_kafka(spec):
            return original(self, spec)
        if not spec.get("FunctionName"):
            raise InvalidParameterValueException("Missing FunctionName")
        if not spec.get("StartingPosition"):
            raise InvalidParameterValueException(
                "StartingPosition is required for Kafka event sources"
            )
        fn = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
        spec = {
            **spec,
            "EventSourceArn": spec.get("EventSourceArn"),
            "FunctionArn": fn.function_arn,
            "RegionName": self.region_name,
            "AccountId": self.account_id,
        }
        mapping = KafkaEventSourceMapping(spec)
        self._event_source_mappings[mapping.uuid] = mapping
        return mapping

    LambdaBackend.create_event_source_mapping = create_event_source_mapping

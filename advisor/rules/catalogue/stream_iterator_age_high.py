from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_FUNCTIONS,
    DATA_METRICS,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import logical_id, metrics_or_reason, not_evaluated, yaml

# IteratorAge is emitted for Kinesis and DynamoDB stream sources.
ITERATOR_AGE_KINDS = ("kinesis", "dynamodb")
MAX_PARALLELIZATION_FACTOR = 10

RULE = Rule(
    id="stream-iterator-age-high",
    title="Stream consumer falling behind (iterator age high)",
    pillar=Pillar.RELIABILITY,
    severity=Severity.MEDIUM,
    rationale=(
        "IteratorAge is the age of the last record in each batch when Lambda read it: how far "
        "behind the stream the function runs. A growing age delays every downstream effect, "
        "and once it approaches the stream's retention (24 hours for DynamoDB Streams and by "
        "default for Kinesis) records expire before they are processed. More batches per shard "
        "(ParallelizationFactor, up to 10), larger batches, or a faster function catch up."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parallelization.html",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_EVENT_SOURCE_MAPPINGS, DATA_METRICS),
    options={"max_iterator_age_s": 600, "high_iterator_age_s": 21_600},
    option_order=(("max_iterator_age_s", "high_iterator_age_s"),),
    option_help={
        "max_iterator_age_s": "Maximum iterator age in the window above which a finding opens.",
        "high_iterator_age_s": (
            "Iterator age at or above which the finding is high (default 6 h: a quarter of the "
            "24 h retention of DynamoDB Streams and of Kinesis by default)."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    index = ctx.relations
    for fn in inventory.functions:
        mappings = [
            m for m in index.callers(fn).event_source_mappings if m.kind in ITERATOR_AGE_KINDS
        ]
        if not mappings:
            continue
        metrics = metrics_or_reason(inventory, fn)
        if isinstance(metrics, str):
            yield not_evaluated(RULE, inventory, fn.arn, metrics)
            continue
        age_ms = metrics.iterator_age_max_ms
        if age_ms is None:
            yield not_evaluated(RULE, inventory, fn.arn, "no IteratorAge metric collected")
            continue
        age_s = age_ms / 1000
        if age_s <= options["max_iterator_age_s"]:
            continue
        latest = None
        if metrics.iterator_age_max is not None:
            present = [v for v in metrics.iterator_age_max.values if v is not None]
            latest = present[-1] if present else None
        mapping = mappings[0]
        current = mapping.parallelization_factor
        suggested = min(MAX_PARALLELIZATION_FACTOR, (current or 1) * 2)
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            severity=Severity.HIGH if age_s >= options["high_iterator_age_s"] else None,
            message=(
                f"{fn.name} fell up to {age_s:,.0f} s behind its {mapping.kind} stream "
                f"(threshold {options['max_iterator_age_s']} s); records wait that long before "
                "they are processed, and expire unprocessed if the age reaches the retention."
            ),
            evidence={
                "iterator_age_max_ms": age_ms,
                "iterator_age_latest_ms": latest,
                "max_iterator_age_s": options["max_iterator_age_s"],
                "high_iterator_age_s": options["high_iterator_age_s"],
                "mappings": [
                    {
                        "uuid": m.uuid,
                        "source_arn": m.source_arn,
                        "batch_size": m.batch_size,
                        "parallelization_factor": m.parallelization_factor,
                    }
                    for m in mappings
                ],
                "duration_avg_ms": metrics.duration_avg_ms,
                "errors": metrics.errors_total,
                "suggested_parallelization_factor": suggested,
            },
            remediation=Remediation(
                cli=(
                    f"aws lambda update-event-source-mapping --region {inventory.region} "
                    f"--uuid {mapping.uuid} --parallelization-factor {suggested}"
                ),
                iac=yaml(
                    {
                        logical_id(f"{fn.name}-{mapping.kind}-mapping"): {
                            "Type": "AWS::Lambda::EventSourceMapping",
                            "Properties": {
                                "FunctionName": fn.name,
                                "EventSourceArn": mapping.source_arn,
                                "StartingPosition": "LATEST",
                                "ParallelizationFactor": suggested,
                            },
                        }
                    }
                ),
                iac_format="CloudFormation",
            ),
        )

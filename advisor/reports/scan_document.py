"""The JSON document a scan produces for terminals and CI pipelines (a stable contract, see
README "The scan command"). Pure: inventory + rule results in, plain dict out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from advisor.collect.inventory import Function, Inventory, RegionInventory
from advisor.collect.relations import RelationIndex
from advisor.decide import (
    UnknownRegionError,
    load_prices,
    profile_from_function,
    recommend,
    recommendation_json,
)
from advisor.rules.base import Finding, NotEvaluated, Result
from advisor.rules.registry import rules_by_id

SCHEMA_VERSION = 1


def scan_document(
    *,
    inventory: Inventory,
    results: Iterable[Result],
    status: str,
    regions: list[str],
    started_at: dt.datetime,
    finished_at: dt.datetime,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    results = list(results)
    rules = rules_by_id()
    api_calls: Counter[str] = Counter()
    for region in inventory.regions:
        api_calls.update(region.api_calls)
    return {
        "schema_version": SCHEMA_VERSION,
        "scan": {
            "status": status,
            "account_id": inventory.account_id,
            "regions": regions,
            "started_at": started_at.isoformat(),
            "finished_at": finished_at.isoformat(),
            "api_calls": dict(sorted(api_calls.items())),
            "coverage_gaps": [dataclasses.asdict(gap) for gap in inventory.coverage_gaps],
            "not_evaluated": [
                dataclasses.asdict(r) for r in results if isinstance(r, NotEvaluated)
            ],
            "errors": errors or [],
        },
        "functions": [
            function_entry(region, fn, index)
            for region, index in ((r, RelationIndex.build(r)) for r in inventory.regions)
            for fn in region.functions
        ],
        "findings": [
            {
                "rule_id": f.rule_id,
                "resource_arn": f.resource_arn,
                "region": f.region,
                "severity": str(f.severity),
                "pillar": str(rules[f.rule_id].pillar),
                "title": rules[f.rule_id].title,
                "message": f.message,
                "evidence": dict(f.evidence),
                "remediation": f.remediation.as_text(),
            }
            for f in sorted(
                (r for r in results if isinstance(r, Finding)),
                key=lambda f: (-f.severity.rank, f.rule_id, f.resource_arn),
            )
        ],
    }


def function_entry(region: RegionInventory, fn: Function, index: RelationIndex) -> dict[str, Any]:
    metrics = fn.metrics
    return {
        "arn": fn.arn,
        "name": fn.name,
        "region": fn.region,
        "runtime": fn.runtime,
        "architecture": fn.arch,
        "memory_mb": fn.memory_mb,
        "timeout_s": fn.timeout_s,
        "package_type": fn.package_type,
        "code_size": fn.code_size,
        "invocations_14d": metrics.invocations_total if metrics else None,
        "errors_14d": metrics.errors_total if metrics else None,
        "throttles_14d": metrics.throttles_total if metrics else None,
        "duration_p99_ms": metrics.duration_p99_ms if metrics else None,
        "recommendation": function_recommendation(region, fn, index),
    }


def function_recommendation(
    region: RegionInventory, fn: Function, index: RelationIndex
) -> dict[str, Any] | None:
    """The decision framework's verdict for a scanned function: None without metrics, or in a
    region the price table does not cover (another region's prices would mislead)."""
    if fn.metrics is None:
        return None
    try:
        prices = load_prices(region.region)
    except UnknownRegionError:
        return None
    profile = profile_from_function(fn, callers=index.callers(fn))
    return recommendation_json(recommend(profile, prices))

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_APIS,
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_FUNCTION_DETAILS,
    DATA_FUNCTIONS,
    DATA_POLICIES,
    Function,
    RegionInventory,
)
from advisor.collect.relations import Callers
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import (
    api_and_url_callers,
    gap_reason,
    lambda_cli,
    not_evaluated,
    resource_gap,
    resource_name,
    sam_function,
)

# Event source mapping states in which Lambda polls (or is about to): a mapping that is
# Disabled or being deleted delivers nothing.
POLLING_STATES = frozenset({"Enabled", "Enabling", "Creating", "Updating"})
# What names a function's callers: a gap in any of these may hide one.
CALLER_DATA = (DATA_EVENT_SOURCE_MAPPINGS, DATA_APIS, DATA_POLICIES)

RULE = Rule(
    id="reserved-concurrency-zero",
    title="Function throttled to zero while something still invokes it",
    pillar=Pillar.RELIABILITY,
    severity=Severity.HIGH,
    rationale=(
        "Reserved concurrency 0 is Lambda's off switch: every invocation is throttled until the "
        "reservation is removed. It is the documented way to stop a function in an incident, and "
        "easy to forget afterwards. While a trigger still points at the function, queue messages "
        "wait and then expire or go to the dead-letter queue, asynchronous events are retried for "
        "up to six hours and then dropped, stream records pile up, and API callers get 429 "
        "errors. Throttles of polled sources do not even show in the function's metrics: the "
        "configuration is the only sign."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_FUNCTION_DETAILS),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    index = ctx.relations
    for fn in inventory.functions:
        details_gap = resource_gap(inventory, DATA_FUNCTION_DETAILS, fn.arn)
        if details_gap is not None:
            yield not_evaluated(RULE, inventory, fn.arn, gap_reason(details_gap))
            continue
        if fn.reserved_concurrency != 0:
            continue
        callers = _callers(index.callers(fn))
        if not callers:
            for key in CALLER_DATA:
                gap = inventory.missing(key) or resource_gap(inventory, key, fn.arn)
                if gap is not None:
                    yield not_evaluated(RULE, inventory, fn.arn, gap_reason(gap))
                    break
            continue  # switched off, and nothing calls it: nothing is lost
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} has reserved concurrency 0, so Lambda runs none of its invocations, "
                f"yet {_listing(callers)} still invoke{'s' if len(callers) == 1 else ''} it: "
                "their events are throttled, retried and eventually lost."
            ),
            evidence={"reserved_concurrency": 0, "callers": callers},
            remediation=_remediation(inventory, fn),
        )


def _callers(found: Callers) -> list[str]:
    callers = [
        f"{m.kind} {resource_name(m.source_arn or m.uuid)} (event source mapping)"
        for m in found.event_source_mappings
        if m.state in POLLING_STATES
    ]
    callers += api_and_url_callers(found)
    callers += [
        f"{s.principal.split('.')[0]} {resource_name(s.source_arn)} ({s.invocation})"
        if s.source_arn
        else f"{s.principal} ({s.invocation})"
        for s in found.push_sources
    ]
    return callers


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _remediation(inventory: RegionInventory, fn: Function) -> Remediation:
    return Remediation(
        # Back to the unreserved pool; or put-function-concurrency with the number it needs.
        cli=lambda_cli(inventory, "delete-function-concurrency", fn),
        iac=sam_function(fn, {})
        + "    # remove ReservedConcurrentExecutions: 0, or set the reservation it needs",
    )

"""Scans, functions and findings as the dashboard reads them, built straight into the database
(no AWS, no collector): the shapes match what ``scan_finish`` stores."""

from __future__ import annotations

import dataclasses
import itertools
import math

from django.utils import timezone

from accounts.models import AwsAccount
from advisor.analysis import function_decisions
from advisor.collect.inventory import (
    ApiIntegration,
    Function,
    FunctionMetrics,
    RegionInventory,
    Series,
    relations_part,
)
from advisor.models import NO_VERDICT, Finding, FindingFunction, FunctionRecord, Scan, ScanRegion
from advisor.rules.context import RegionContext
from advisor.services.scan_analysis import scan_analyse_stored

HOUR = 3600
WINDOW_HOURS = 14 * 24
_seq = itertools.count(1)


def make_scan(account: AwsAccount, *, status: str = Scan.Status.SUCCEEDED, **fields) -> Scan:
    now = timezone.now()
    finished = status not in Scan.ACTIVE
    fields.setdefault("rule_options", account.workspace.rule_options)  # as scan_create takes
    return Scan.objects.create(
        account=account,
        status=status,
        regions=account.regions,
        started_at=now if finished else None,
        finished_at=now if finished else None,
        **fields,
    )


def _series(values: list[float | None], start: int) -> Series:
    return Series(start=start, period=HOUR, values=values)


def make_metrics(*, per_hour: float, duration_ms: float, errors_every: int = 0) -> FunctionMetrics:
    start = (int(timezone.now().timestamp()) // HOUR - WINDOW_HOURS) * HOUR
    hours = range(WINDOW_HOURS)
    # A daily cycle: busy afternoons, quiet nights.
    invocations = [round(per_hour * (1 + 0.8 * math.sin(h / 24 * 2 * math.pi))) for h in hours]
    errors = [(1.0 if errors_every and h % errors_every == 0 else None) for h in hours]
    p99 = [duration_ms * (1.5 + 0.3 * math.sin(h / 5)) for h in hours]
    peak = [duration_ms * (2.0 + 0.5 * math.sin(h / 7)) for h in hours]
    return FunctionMetrics(
        invocations=_series(invocations, start),
        errors=_series(errors, start),
        throttles=_series([None] * WINDOW_HOURS, start),
        duration_avg=_series([duration_ms] * WINDOW_HOURS, start),
        duration_max=_series(peak, start),
        duration_p99=_series(p99, start),
        concurrent_max=_series([max(1.0, v * duration_ms / 3.6e6 * 4) for v in invocations], start),
        invocations_total=float(sum(invocations)),
        errors_total=float(sum(v or 0 for v in errors)),
        throttles_total=0.0,
        duration_avg_ms=duration_ms,
        duration_max_ms=max(peak),
        duration_p99_ms=max(p99),
        concurrency_peak=4.0,
        window_hours=WINDOW_HOURS,
    )


def make_function(
    scan: Scan,
    name: str | None = None,
    *,
    region: str = "us-east-1",
    runtime: str = "python3.12",
    arch: str = "x86_64",
    memory_mb: int = 512,
    timeout_s: int = 30,
    code_size: int = 5_000_000,
    per_hour: float = 400.0,
    duration_ms: float = 200.0,
    with_metrics: bool = True,
) -> FunctionRecord:
    name = name or f"fn-{next(_seq)}"
    account = scan.account
    arn = f"arn:aws:lambda:{region}:{account.account_id}:function:{name}"
    metrics = (
        make_metrics(per_hour=per_hour, duration_ms=duration_ms, errors_every=50)
        if with_metrics
        else None
    )
    fn = Function(
        arn=arn,
        name=name,
        region=region,
        runtime=runtime,
        handler="app.handler",
        memory_mb=memory_mb,
        timeout_s=timeout_s,
        architectures=[arch],
        code_size=code_size,
        log_group=f"/aws/lambda/{name}",
        metrics=metrics,
    )
    _add_to_region(scan, region, "functions", dataclasses.asdict(fn))
    record = FunctionRecord(
        scan=scan,
        account=account,
        region=region,
        arn=arn,
        name=name,
        config=dataclasses.asdict(fn),
    )
    recommendation, decision = _decided(record)
    return FunctionRecord.objects.create(
        scan=scan,
        account=account,
        region=region,
        arn=arn,
        name=name,
        runtime=runtime,
        architecture=arch,
        memory_mb=memory_mb,
        timeout_s=timeout_s,
        code_size=code_size,
        invocations=metrics.invocations_total if metrics else None,
        errors=metrics.errors_total if metrics else None,
        throttles=metrics.throttles_total if metrics else None,
        duration_p99_ms=metrics.duration_p99_ms if metrics else None,
        verdict=recommendation["verdict"] if recommendation else NO_VERDICT,
        recommendation=recommendation,
        decision=decision,
        config=dataclasses.asdict(fn),
    )


def _decided(record: FunctionRecord) -> tuple[dict | None, dict | None]:
    """The recommendation and the decision card the scan's analysis stores for the record's
    function: in its region as stored so far (its callers included), with the thresholds its
    scan took."""
    part = ScanRegion.objects.get(scan=record.scan, region=record.region)
    region = RegionInventory.from_dict({**part.inventory, "functions": [record.config]})
    decided = function_decisions(RegionContext.build(region), record.scan.rule_options)
    return decided.recommendations.get(record.arn), decided.cards.get(record.arn)


def redecide(record: FunctionRecord) -> None:
    """Store again what the analysis decides for the function, after its region changed (a
    caller added), as a scan that saw the region so would have stored it."""
    recommendation, decision = _decided(record)
    record.recommendation, record.decision = recommendation, decision
    record.verdict = recommendation["verdict"] if recommendation else NO_VERDICT
    record.save(update_fields=["recommendation", "decision", "verdict"])


def analyse(scan: Scan) -> Scan:
    """Store the cost opportunities of a built scan, as its analysis does when a scan finishes
    (the rules over its stored inventory, with the workspace's thresholds)."""
    scan_analyse_stored(scan=scan)
    scan.refresh_from_db()
    return scan


def _add_to_region(scan: Scan, region: str, key: str, item: dict) -> None:
    """Append to the region inventory the scan stored, as ``scan_region`` writes it."""
    part, _ = ScanRegion.objects.get_or_create(
        scan=scan, region=region, defaults={"status": ScanRegion.Status.DONE}
    )
    inventory = part.inventory or {"account_id": scan.account.account_id, "region": region}
    inventory.setdefault(key, []).append(item)
    part.inventory = inventory
    part.relations = relations_part(inventory)
    part.save(update_fields=["inventory", "relations"])


def add_api(
    record: FunctionRecord, *, timeout_ms: int = 29_000, route: str = "GET /orders"
) -> None:
    """An API Gateway route calling the function, in its scan's region inventory."""
    api = ApiIntegration(
        function_arn=record.arn,
        api_id="a1b2c3",
        api_name="orders-api",
        api_kind="rest",
        route=route,
        timeout_ms=timeout_ms,
    )
    _add_to_region(record.scan, record.region, "api_integrations", dataclasses.asdict(api))
    redecide(record)


def make_finding(
    record: FunctionRecord,
    *,
    rule_id: str = "tracing-disabled",
    severity: str = "medium",
    pillar: str = "operations",
    status: str = Finding.Status.OPEN,
    message: str | None = None,
    resource_arn: str | None = None,
    evidence: dict | None = None,
    concerns: tuple[str, ...] | None = None,
) -> Finding:
    """A finding about ``record``, filed under its ARN or under ``resource_arn`` (a queue, a
    mapping, the account), linked as ``record_findings`` links it: to ``concerns``, by default
    the record's function."""
    now = timezone.now()
    finding = Finding.objects.create(
        account=record.account,
        rule_id=rule_id,
        resource_arn=resource_arn or record.arn,
        region=record.region,
        status=status,
        severity=severity,
        pillar=pillar,
        title=rule_id.replace("-", " ").capitalize(),
        message=message or f"{record.name} breaks {rule_id}.",
        evidence={"function": record.name} if evidence is None else evidence,
        remediation_cli=f"aws lambda update-function-configuration --function-name {record.name}",
        remediation_iac="Properties:\n  TracingConfig:\n    Mode: Active",
        first_seen_scan=record.scan,
        last_seen_scan=record.scan,
        first_seen_at=now,
        last_seen_at=now,
        resolved_at=now if status == Finding.Status.RESOLVED else None,
    )
    for arn in (record.arn,) if concerns is None else concerns:
        FindingFunction.objects.create(finding=finding, function_arn=arn)
    return finding

"""Running a scan: one part per region (each in its own worker task), then one step that
evaluates the rules and stores everything at once."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import boto3
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django.db.models import QuerySet
from django.utils import timezone

from advisor.analysis import Analysis, Decisions, analyse, function_decisions
from advisor.collect.errors import AwsAccessError
from advisor.collect.inventory import Inventory, RegionInventory, relations_part
from advisor.collect.options import CollectOptions
from advisor.collect.scanner import collect_region
from advisor.collect.session import assume_role_session
from advisor.models import NO_VERDICT, FunctionRecord, Scan, ScanRegion
from advisor.rules.context import RegionContext
from advisor.rules.registry import region_contexts
from advisor.services.endpoints import checked_endpoint
from advisor.services.findings import record_findings
from advisor.services.opportunities import top_opportunities
from advisor.services.prices import stored_prices_install
from advisor.services.suppressions import apply_suppressions

logger = logging.getLogger(__name__)

# The database cannot be reached right now (as opposed to a query that is wrong).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class ProgressWriter:
    """Writes a part's progress to the database, at most once a second."""

    def __init__(self, part: ScanRegion, interval: float = 1.0) -> None:
        self.part_id = part.pk
        self.interval = interval
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < self.interval and done < total:
            return
        self._last = now
        try:
            unfinished_part(self.part_id).update(
                progress={"stage": stage, "done": done, "total": total}
            )
        except DATABASE_UNAVAILABLE as error:
            # Progress is only for the scan's page: a database that is away for a moment must
            # not stop the collection. The region's result is written at the end, and that
            # write is retried by the task.
            logger.warning("scan region %s: progress not written: %s", self.part_id, error)
            close_old_connections()  # the next write opens a new connection


class Heartbeat:
    """While a region's task runs, its own thread writes the part's ``heartbeat_at`` every
    ``interval`` seconds: proof that a worker still has the region, whatever stage the
    collection is in (some stages report no progress for minutes). The sweeper fails a
    running part whose heartbeat stopped."""

    def __init__(self, part_id: int, interval: float) -> None:
        self.part_id = part_id
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{part_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    unfinished_part(self.part_id).update(heartbeat_at=timezone.now())
                except DATABASE_UNAVAILABLE as error:
                    # The region's own writes are retried; a missed beat or two is harmless.
                    logger.warning("scan region %s: heartbeat not written: %s", self.part_id, error)
                    close_old_connections()
        finally:
            connections.close_all()  # this thread's own connection


def scan_region(*, scan_id: int, region: str) -> bool:
    """Collect one region of a scan. Safe to run twice. True when every region has finished."""
    part = (
        ScanRegion.objects.select_related("scan__account")
        .filter(scan_id=scan_id, region=region)
        .first()
    )
    if part is None:
        logger.warning("scan %s has no region %s; nothing to do", scan_id, region)
        return False
    scan = part.scan
    if scan.status not in Scan.ACTIVE:
        return False
    if part.status in ScanRegion.ENDED:
        return _all_parts_finished(scan)

    now = timezone.now()
    Scan.objects.filter(pk=scan.pk, status=Scan.Status.QUEUED).update(
        status=Scan.Status.RUNNING, started_at=now
    )
    if not unfinished_part(part.pk).update(
        status=ScanRegion.Status.RUNNING, started_at=now, heartbeat_at=now, error=""
    ):
        return False  # another copy of this task finished it in the meantime
    with Heartbeat(part.pk, settings.ADVISOR_SCAN_HEARTBEAT_SECONDS):
        return _collect_and_store(part, region)


@dataclass(frozen=True)
class CollectedPart:
    """One region's collection: its inventory, or why there is none."""

    region: str
    inventory: RegionInventory | None
    error: str = ""


def collect_part(
    *,
    region: str,
    session_for: Callable[[str], boto3.Session],
    account_id: str | Callable[[boto3.Session], str],
    endpoint_url: str | None,
    options: CollectOptions,
    progress: Callable[[str, int, int], None] | None = None,
    interrupts: tuple[type[BaseException], ...] = (),
) -> CollectedPart:
    """Collect one region, for a stored scan's region task and an ad hoc ``manage.py scan``
    alike. What the credentials cannot read (``AwsAccessError``) fails the region with the
    reason; so does a bug, logged with its traceback (never lose a scan to one). A database
    that is away and an ``interrupts`` exception propagate."""
    try:
        session = session_for(region)
        inventory = collect_region(
            session=session,
            account_id=account_id if isinstance(account_id, str) else account_id(session),
            region=region,
            endpoint_url=endpoint_url,
            options=options,
            progress=progress,
            interrupts=interrupts,
        )
    except AwsAccessError as error:
        return CollectedPart(region=region, inventory=None, error=str(error))
    except DATABASE_UNAVAILABLE:
        raise  # transient: the task retries the region
    except Exception as error:
        if isinstance(error, interrupts):
            raise
        logger.exception("region %s failed", region)
        return CollectedPart(
            region=region,
            inventory=None,
            error=f"Internal error while scanning: {type(error).__name__}: {error}",
        )
    return CollectedPart(region=region, inventory=inventory)


def scan_status(*, collected: int, failed: int, gaps: bool) -> str:
    """How a scan ended: failed when no region was collected; partial when a region failed or
    something could not be seen; else succeeded."""
    if not collected:
        return Scan.Status.FAILED
    return Scan.Status.PARTIAL if failed or gaps else Scan.Status.SUCCEEDED


def _collect_and_store(part: ScanRegion, region: str) -> bool:
    scan = part.scan
    account = scan.account
    try:
        endpoint_url = checked_endpoint(account.endpoint_url)
        collected = collect_part(
            region=region,
            session_for=lambda r: assume_role_session(
                role_arn=account.role_arn,
                external_id=account.external_id,
                region=r,
                endpoint_url=endpoint_url,
            ),
            account_id=account.account_id,
            endpoint_url=endpoint_url,
            options=CollectOptions(
                rate_limit=settings.ADVISOR_SCAN_RATE_LIMIT,
                rate_limit_store=settings.ADVISOR_RATE_LIMIT_STORE,
            ),
            progress=ProgressWriter(part),
            # At the soft time limit the collection stops and keeps what it read, with gaps
            # for the rest, leaving the minute before the hard limit to store it.
            interrupts=(SoftTimeLimitExceeded,),
        )
        inventory = collected.inventory
        if inventory is None:
            result = {"status": ScanRegion.Status.FAILED, "error": collected.error}
        else:
            result = _region_result(inventory, scan.rule_options)
    except SoftTimeLimitExceeded:
        # The limit came after the collection, while its results were being prepared.
        result = {
            "status": ScanRegion.Status.FAILED,
            "error": (
                f"Stopped at the task's soft time limit ({settings.CELERY_TASK_SOFT_TIME_LIMIT} s) "
                "before the region's results were stored."
            ),
        }
    except AwsAccessError as error:  # an endpoint URL this server refuses
        result = {"status": ScanRegion.Status.FAILED, "error": str(error)}
    except DATABASE_UNAVAILABLE:
        raise  # transient: the task retries the region
    except Exception as error:
        # Unexpected, while the results were prepared: recorded on the scan like one in the
        # collection (never lose a scan to a bug), with the traceback in the log.
        logger.exception("scan %s region %s failed", scan.pk, region)
        result = {
            "status": ScanRegion.Status.FAILED,
            "error": f"Internal error while scanning: {type(error).__name__}: {error}",
        }
    # Only the copy of this task that finishes the region first writes it: a finished region
    # (or a region of a scan that ended) is never rewritten by a duplicate delivery.
    if not unfinished_part(part.pk).update(**result, finished_at=timezone.now()):
        logger.warning(
            "scan %s region %s was finished by another delivery; this run's results are dropped",
            scan.pk,
            region,
        )
        return False
    return _all_parts_finished(scan)


def _region_result(inventory: RegionInventory, rule_options: dict) -> dict:
    """What a collected region stores on its part: the inventory, its trigger lists, and its
    functions' recommendations and decision cards (the slow part of the analysis, done here in
    parallel across regions and handed to the scan's analysis when it finishes)."""
    stored = inventory.to_dict()
    stored_prices_install()  # priced with the refreshed list, as the finish is
    decided = function_decisions(RegionContext.build(inventory), rule_options)
    return {
        "status": ScanRegion.Status.DONE,
        "inventory": stored,
        "relations": relations_part(stored),
        "recommendations": decided.recommendations,
        "decisions": decided.cards,
        "api_calls": dict(inventory.api_calls),
        "progress": {
            "stage": "done",
            "done": len(inventory.functions),
            "total": len(inventory.functions),
        },
    }


def unfinished_part(part_id: int) -> QuerySet[ScanRegion]:
    """The part, if it is still there to be written: not finished, its scan still active."""
    return ScanRegion.objects.filter(
        pk=part_id,
        status__in=ScanRegion.ACTIVE,
        scan__status__in=Scan.ACTIVE,
    )


def _all_parts_finished(scan: Scan) -> bool:
    return not scan.parts.exclude(status__in=ScanRegion.ENDED).exists()


def scan_finish(*, scan_id: int) -> Scan:
    """Evaluate the rules over every collected region and store the results atomically."""
    stored_prices_install()  # the cost rules and opportunities price with the refreshed list
    with transaction.atomic():
        scan = (
            Scan.objects.select_for_update(of=("self",)).select_related("account").get(pk=scan_id)
        )
        if scan.status not in Scan.ACTIVE:
            return scan  # already finished: a redelivered task
        parts = list(scan.parts.all())
        done = [p for p in parts if p.status == ScanRegion.Status.DONE]
        failed = [p for p in parts if p.status == ScanRegion.Status.FAILED]
        errors = [f"{p.region}: {p.error}" for p in failed]
        scan.finished_at = timezone.now()
        scan.started_at = scan.started_at or min(
            (p.started_at for p in parts if p.started_at), default=scan.finished_at
        )
        inventory = Inventory(
            account_id=scan.account.account_id,
            regions=[RegionInventory.from_dict(p.inventory) for p in done],
        )
        contexts = region_contexts(inventory)
        analysis = analyse(
            contexts,
            scan.rule_options,  # as they were when the scan started, as its regions' were
            # worked out by each region's task, in parallel
            decided=stored_decisions(done),
        )
        summarise(scan, inventory=inventory, analysis=analysis, errors=errors)
        if done:
            FunctionRecord.objects.bulk_create(
                function_records(scan, contexts, analysis.decisions), batch_size=500
            )
            scan.finding_count = record_findings(
                scan=scan,
                results=analysis.results,
                scanned_regions={p.region for p in done},
                contexts=contexts,
            )
            apply_suppressions(account=scan.account, scan=scan)
            scan.cost_opportunities = top_opportunities(scan, analysis.opportunities)
        scan.save()
    return scan


def run_scan_inline(scan: Scan) -> Scan:
    """Every step of a scan in this process, one region after another (the first scan of the
    local mode, and ``manage.py scan --account`` without a worker)."""
    for region in scan.regions:
        scan_region(scan_id=scan.pk, region=region)
    return scan_finish(scan_id=scan.pk)


def summarise(scan: Scan, *, inventory: Inventory, analysis: Analysis, errors: list[str]) -> None:
    """What a finished scan says of itself, stored or printed ad hoc (not saved here): its
    status, API calls, errors, coverage gaps and the rules not evaluated."""
    api_calls: Counter[str] = Counter()
    for region in inventory.regions:
        api_calls.update(region.api_calls)
    scan.api_calls = dict(sorted(api_calls.items()))
    scan.error = "\n".join(errors)
    scan.function_count = len(inventory.functions)
    scan.coverage_gaps = [dataclasses.asdict(gap) for gap in inventory.coverage_gaps]
    scan.not_evaluated = [dataclasses.asdict(r) for r in analysis.not_evaluated]
    scan.status = scan_status(
        collected=len(inventory.regions), failed=len(errors), gaps=bool(inventory.coverage_gaps)
    )


def stored_decisions(parts: list[ScanRegion]) -> dict[str, Decisions]:
    """What the region tasks worked out, by region; a region stored before its decision cards
    were is left out, for the analysis to work out again (recommendation and card together)."""
    return {
        p.region: Decisions(recommendations=p.recommendations or {}, cards=p.decisions)
        for p in parts
        if p.decisions is not None
    }


def function_records(
    scan: Scan, contexts: list[RegionContext], decisions: Decisions
) -> list[FunctionRecord]:
    """The scan's functions as it stores them (unsaved: the ad hoc scan prints them)."""
    recommendations = decisions.recommendations
    records = []
    for ctx in contexts:
        region, index = ctx.inventory, ctx.relations
        for fn in region.functions:
            m = fn.metrics
            records.append(
                FunctionRecord(
                    scan=scan,
                    account=scan.account,
                    region=region.region,
                    arn=fn.arn,
                    name=fn.name,
                    runtime=fn.runtime or "",
                    architecture=fn.arch,
                    memory_mb=fn.memory_mb,
                    timeout_s=fn.timeout_s,
                    code_size=fn.code_size,
                    package_type=fn.package_type,
                    invocations=m.invocations_total if m else None,
                    errors=m.errors_total if m else None,
                    throttles=m.throttles_total if m else None,
                    duration_p99_ms=m.duration_p99_ms if m else None,
                    verdict=(recommendations.get(fn.arn) or {}).get("verdict", NO_VERDICT),
                    recommendation=recommendations.get(fn.arn),
                    decision=decisions.cards.get(fn.arn),
                    invocation_types=",{},".format(",".join(sorted(index.invocation_types(fn)))),
                    config=dataclasses.asdict(fn),
                )
            )
    return records

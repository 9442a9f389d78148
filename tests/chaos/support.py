"""What the fault tests share: an emulated account with functions, waiting on a scan, and what a
scan stored, to compare a faulted run with an unfaulted one."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from accounts.models import AwsAccount
from advisor.models import FindingOccurrence, FunctionRecord, Scan, ScanRegion
from tests.factories import make_account, make_workspace
from tests.fixtures.aws_state import create_function, reader_role


def emulated_account(
    aws: str, *, account_id: str, functions: dict[str, int], runtime: str = "python3.9"
) -> AwsAccount:
    """A connected account whose role the emulator trusts, with ``functions[region]`` functions
    in each region (an old runtime, so every function is a finding)."""
    account = make_account(
        make_workspace(), endpoint_url=aws, account_id=account_id, regions=list(functions)
    )
    role_arn, session = reader_role(aws, account_id=account_id, external_id=account.external_id)
    account.role_arn = role_arn
    account.save()
    for region, count in functions.items():
        for i in range(count):
            create_function(
                session, aws, name=f"fn-{region}-{i:03d}", runtime=runtime, region=region
            )
    return account


def wait_for(condition: Callable[[], bool], *, timeout: float, log: Path | None = None) -> float:
    """Seconds until ``condition()`` held; fails with the worker's log after ``timeout``."""
    started = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - started
        assert elapsed < timeout, f"not within {timeout} s" + (
            f"; worker log:\n{log.read_text()[-4000:]}" if log else ""
        )
        time.sleep(0.05)
    return time.monotonic() - started


def scan_status(scan: Scan) -> str:
    return Scan.objects.values_list("status", flat=True).get(pk=scan.pk)


def part_status(scan: Scan, region: str) -> str:
    return ScanRegion.objects.values_list("status", flat=True).get(scan=scan, region=region)


def wait_until_finished(scan: Scan, *, timeout: float, log: Path | None = None) -> float:
    seconds = wait_for(lambda: scan_status(scan) not in Scan.ACTIVE, timeout=timeout, log=log)
    scan.refresh_from_db()
    return seconds


def findings_seen(scan: Scan) -> set[tuple[str, str, str]]:
    """(rule, resource, severity) of every finding the scan saw."""
    return set(
        FindingOccurrence.objects.filter(scan=scan).values_list(
            "finding__rule_id", "finding__resource_arn", "severity"
        )
    )


def assert_completely_stored(scan: Scan) -> None:
    """Nothing half-written: every region finished, every done region carries its inventory,
    and the scan's functions were stored once each."""
    for part in scan.parts.all():
        assert part.status in ScanRegion.ENDED, part
        assert part.finished_at is not None, part
        if part.status == ScanRegion.Status.DONE:
            assert part.inventory is not None and part.relations is not None, part
            assert part.progress.get("stage") == "done", part.progress
        else:
            assert part.error, part
    records = FunctionRecord.objects.filter(scan=scan)
    assert records.count() == scan.function_count
    assert records.values("arn").distinct().count() == scan.function_count


def assert_ended_as(faulted: Scan, unfaulted: Scan, *, functions: int) -> None:
    """The faulted scan ended as the unfaulted one of the same account did: succeeded, the same
    functions and findings, nothing half-written."""
    assert faulted.status == Scan.Status.SUCCEEDED, faulted.error
    assert faulted.function_count == unfaulted.function_count == functions
    assert findings_seen(faulted) == findings_seen(unfaulted)
    assert_completely_stored(faulted)


def task_lines(logs: list[Path], task: str, outcome: str) -> int:
    """How many times the workers logging to ``logs`` say ``task`` was received/succeeded."""
    return sum(
        1
        for log in logs
        for line in log.read_text().splitlines()
        if f"Task {task}[" in line and f"] {outcome}" in line
    )

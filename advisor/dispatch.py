"""Handing work to the workers by task name. Services start tasks through this module and import
no task module: the tasks call the services, so the services must not import them back. The
names are the tasks' own (``advisor.tasks`` registers them under these)."""

from __future__ import annotations

from celery import group, signature

SCAN_REGION_TASK = "advisor.scan_region"
FINISH_SCAN_TASK = "advisor.finish_scan"


def scan_regions_enqueue(
    scan_id: int, regions: list[str], *, retry_policy: dict, bulk: bool = False
) -> None:
    """One region task per region of the scan, side by side. ``bulk`` (a scheduled scan's):
    each waits for one of the pool's bulk slots (``advisor.services.region_slots``)."""
    kwargs = {"bulk": True} if bulk else {}
    group(
        signature(SCAN_REGION_TASK, args=(scan_id, region), kwargs=kwargs) for region in regions
    ).apply_async(retry_policy=retry_policy)


def scan_finish_enqueue(scan_id: int) -> None:
    """The scan's finishing step (idempotent: a second one finds the scan finished)."""
    signature(FINISH_SCAN_TASK, args=(scan_id,)).apply_async()


SYNC_ORGANIZATION_TASK = "advisor.sync_organization"


def organization_sync_enqueue(organization_id: int) -> None:
    """A sync of one connected organisation (idempotent: a second one finds nothing to do)."""
    signature(SYNC_ORGANIZATION_TASK, kwargs={"organization_id": organization_id}).apply_async()

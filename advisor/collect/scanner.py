"""Reads one (account, region) from AWS into a RegionInventory; or several regions, for the CLI.

The order of work, chosen so each step only pays for what earlier answers showed is needed:

1. ListFunctions (paginated). If the credentials are refused here, the region cannot be read:
   AwsAccessError -- unless STS still accepts them, which means the region itself refuses them
   (an opt-in region that is not enabled): then the region is one coverage gap.
2. CloudWatch ListMetrics for ProvisionedConcurrencyUtilization: which functions have
   provisioned concurrency worth a Lambda call; for Invocations by ``Resource``: which
   aliases and versions had traffic; and for UrlRequestCount by ``Resource``: which function
   URLs, an alias's too, served requests (qualifiers.py).
3. On a bounded thread pool: the account-wide listings (event source mappings, account settings,
   REST/HTTP APIs, log groups, the subnets of VPC functions, schedules, EventBridge rule
   targets, Step Functions and Pipes) and, per function, GetFunction + GetPolicy and the calls
   they call for (see lambda_.py); then, per alias or version some caller invokes, what serves
   it (see qualifiers.py).
4. Push sources from the policies (the qualifiers' too) and the schedules, layer sizes
   ListFunctions left out, the SQS source queues.
5. GetMetricData for every function, and for every alias or version an asynchronous caller
   invokes, the push sources of step 4 (see metrics.py).

Stopping early: when the collecting thread is interrupted by one of ``interrupts`` (the worker
passes Celery's soft time limit), the calls still queued are cancelled, the ones running finish
their current request and make no more, and every kind of data not completely read by then is
a region-wide coverage gap; the inventory read so far is returned. Whatever else interrupts the
thread (a bug re-raised from a call) also cancels the queued work, then propagates.

``progress(stage, done, total)`` reports "functions" (listed so far), "details" (functions whose
detail calls are done), "metrics" (GetMetricData batches done) and finally "done". It is always
called from the thread that called ``collect_region``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from advisor.collect import (
    apis,
    images,
    lambda_,
    logs,
    metrics,
    qualifiers,
    queues,
    subnets,
    triggers,
    workflows,
)
from advisor.collect.clients import CallCounter, Clients, RateLimiter
from advisor.collect.context import (
    FATAL_CODES,
    Progress,
    ScanContext,
    error_code,
    error_message,
)
from advisor.collect.errors import AwsAccessError
from advisor.collect.inventory import (
    DATA_ACCOUNT_SETTINGS,
    DATA_APIS,
    DATA_ASYNC_CONFIG,
    DATA_EVENT_RULES,
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_FUNCTION_DETAILS,
    DATA_FUNCTION_URLS,
    DATA_FUNCTIONS,
    DATA_IMAGES,
    DATA_LAYERS,
    DATA_LOG_GROUPS,
    DATA_METRICS,
    DATA_POLICIES,
    DATA_PROVISIONED_CONCURRENCY,
    DATA_QUALIFIERS,
    DATA_QUEUES,
    DATA_SCHEDULES,
    DATA_SUBNETS,
    DATA_WORKFLOWS,
    CoverageGap,
    Inventory,
    RegionInventory,
)
from advisor.collect.options import CollectOptions
from advisor.collect.session import aws_client

__all__ = ["CollectOptions", "collect_inventory", "collect_region"]

logger = logging.getLogger(__name__)


def collect_region(
    *,
    session: boto3.Session,
    account_id: str,
    region: str,
    endpoint_url: str | None = None,
    options: CollectOptions | None = None,
    progress: Progress | None = None,
    rate_limiter: RateLimiter | None = None,
    interrupts: tuple[type[BaseException], ...] = (),
) -> RegionInventory:
    """Everything the rules need about one region of one account.

    Raises AwsAccessError only when the region cannot be read at all; every other failure is a
    CoverageGap on the returned inventory. ``rate_limiter`` replaces the one built from
    ``options`` (to share one budget between the regions or tasks of one account).
    ``interrupts``: exceptions that stop the collection early, keeping what was read (see the
    module's docstring)."""
    options = options or CollectOptions()
    inventory = RegionInventory(account_id=account_id, region=region)
    counter = CallCounter()
    clients = Clients(
        session=session,
        region=region,
        endpoint_url=endpoint_url,
        options=options,
        counter=counter,
        limiter=(
            rate_limiter
            if rate_limiter is not None
            else RateLimiter.for_options(options, scope=f"{account_id}:{region}")
        ),
    )
    ctx = ScanContext(inventory=inventory, clients=clients, options=options, progress=progress)
    started = time.monotonic()
    try:
        _scan(ctx, session=session, endpoint_url=endpoint_url)
    except interrupts as stop:
        _record_stop(ctx, stop, seconds=time.monotonic() - started)
    finally:
        inventory.api_calls = counter.calls()
        inventory.api_retries = counter.retries()
    ctx.progress("done", 1, 1)
    return inventory


def _scan(ctx: ScanContext, *, session: boto3.Session, endpoint_url: str | None) -> None:
    inventory = ctx.inventory
    if not _list_functions(ctx, session=session, endpoint_url=endpoint_url):
        return
    ctx.completed(DATA_FUNCTIONS)
    functions = inventory.functions
    provisioned = metrics.provisioned_dimensions(ctx) if ctx.options.metrics else {}
    with_traffic = qualifiers.qualifier_metrics(ctx) if ctx.options.metrics else {}
    with_url = qualifiers.url_metrics(ctx) if ctx.options.metrics else {}

    pool = ThreadPoolExecutor(
        max_workers=max(1, ctx.options.max_workers), thread_name_prefix=f"collect-{ctx.region}"
    )
    try:
        listings = [
            pool.submit(
                _listing, ctx, DATA_EVENT_SOURCE_MAPPINGS, triggers.list_event_source_mappings
            ),
            pool.submit(_listing, ctx, DATA_ACCOUNT_SETTINGS, _account_settings),
            pool.submit(_listing, ctx, DATA_APIS, apis.collect_apis),
            pool.submit(_listing, ctx, DATA_LOG_GROUPS, logs.collect_log_groups, functions),
            pool.submit(_listing, ctx, DATA_SUBNETS, subnets.read_subnet_zones, functions),
            pool.submit(_listing, ctx, DATA_SCHEDULES, qualifiers.list_schedules),
            pool.submit(_listing, ctx, DATA_EVENT_RULES, qualifiers.list_event_rule_targets),
            pool.submit(_listing, ctx, DATA_WORKFLOWS, workflows.collect_workflows),
        ]
        details = [
            pool.submit(
                lambda_.read_details,
                ctx,
                fn,
                provisioned=fn.name in provisioned,
                url_requests="$LATEST" in with_url.get(fn.name, ()),
            )
            for fn in functions
        ]
        ctx.progress("details", 0, len(details))
        for done, future in enumerate(as_completed(details), start=1):
            future.result()  # re-raises what is not an AWS error: a bug must not pass silently
            ctx.progress("details", done, len(details))
        ctx.completed(*DETAIL_DATA)
        _wait(listings)
        # The aliases and versions callers invoke, now that every caller has been listed.
        in_use = qualifiers.discover(inventory, with_traffic, with_url)
        _wait(qualifiers.read_qualifiers(ctx, in_use, pool.submit))
        subnets.read_subnet_zones(ctx, functions, subnets.version_subnet_ids(functions))
        ctx.completed(DATA_QUALIFIERS)
    except BaseException:
        # Whatever stops this thread stops the work queued behind it, instead of waiting for
        # all of it (which would outlast a time limit): queued calls are cancelled, running
        # ones make no further call, and only those are waited for.
        ctx.stopped.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

    inventory.push_sources = triggers.push_sources(functions) + qualifiers.push_sources(
        functions, inventory.schedules, inventory.role_callers
    )
    lambda_.fill_layer_sizes(ctx, functions)
    ctx.completed(DATA_LAYERS)
    images.read_image_sizes(ctx, functions)
    ctx.completed(DATA_IMAGES)
    queues.collect_queues(ctx, inventory.event_source_mappings)
    ctx.completed(DATA_QUEUES)
    if ctx.options.metrics:
        metrics.collect_metrics(
            ctx,
            functions,
            inventory.event_source_mappings,
            provisioned,
            metrics.async_targets(inventory.push_sources),
        )
    ctx.completed(DATA_METRICS)


# What the per-function detail calls read (GetFunction, GetPolicy and the calls they call for).
DETAIL_DATA = (
    DATA_FUNCTION_DETAILS,
    DATA_POLICIES,
    DATA_ASYNC_CONFIG,
    DATA_FUNCTION_URLS,
    DATA_PROVISIONED_CONCURRENCY,
)
# Every kind of data a region scan reads, in the order it is read.
ALL_DATA = (
    DATA_FUNCTIONS,
    DATA_EVENT_SOURCE_MAPPINGS,
    DATA_ACCOUNT_SETTINGS,
    DATA_APIS,
    DATA_LOG_GROUPS,
    DATA_SUBNETS,
    DATA_SCHEDULES,
    DATA_EVENT_RULES,
    DATA_WORKFLOWS,
    *DETAIL_DATA,
    DATA_QUALIFIERS,
    DATA_LAYERS,
    DATA_IMAGES,
    DATA_QUEUES,
    DATA_METRICS,
)


def _listing(ctx: ScanContext, key: str, read: Callable, *args) -> None:
    read(ctx, *args)
    ctx.completed(key)


def _record_stop(ctx: ScanContext, stop: BaseException, *, seconds: float) -> None:
    """The collection was stopped: what it had not completely read is a gap for the region."""
    ctx.stopped.set()
    name = type(stop).__name__
    missing = [key for key in ALL_DATA if key not in ctx.complete]
    logger.warning(
        "%s: collection stopped by %s after %.0f s; not read: %s",
        ctx.region,
        name,
        seconds,
        ", ".join(missing),
    )
    for key in missing:
        ctx.add_gap(
            CoverageGap(
                region=ctx.region,
                service="advisor",
                operation="ScanRegion",
                error_code=name,
                message=(
                    f"the region's scan was stopped after {seconds:.0f} s ({name}), "
                    f"before {key.replace('_', ' ')} had been read completely"
                ),
                hides=key,
            )
        )


def _wait(futures: Sequence[Future]) -> None:
    for future in futures:
        future.result()


def _account_settings(ctx: ScanContext) -> None:
    settings = lambda_.read_account_settings(ctx)
    if settings is not None:
        ctx.inventory.account = settings


def _list_functions(ctx: ScanContext, *, session: boto3.Session, endpoint_url: str | None) -> bool:
    """Fills ``inventory.functions``; False when the region refuses these credentials."""
    region = ctx.region
    try:
        ctx.inventory.functions = lambda_.list_functions(ctx)
    except ClientError as error:
        code = error_code(error)
        if code not in FATAL_CODES:
            ctx.record(error, service="lambda", operation="ListFunctions", hides=DATA_FUNCTIONS)
            return True
        if not _credentials_valid(session, endpoint_url):
            raise AwsAccessError(f"{region}: credentials refused ({code})") from error
        ctx.add_gap(
            CoverageGap(
                region=region,
                service="lambda",
                operation="ListFunctions",
                error_code=code,
                message=(
                    "the credentials are valid but this region refuses them: it is probably an "
                    f"opt-in region that is not enabled for the account ({error_message(error)})"
                ),
                hides=DATA_FUNCTIONS,
            )
        )
        return False
    except BotoCoreError as error:
        raise AwsAccessError(f"{region}: Lambda could not be reached: {error}") from error
    return True


def _credentials_valid(session: boto3.Session, endpoint_url: str | None) -> bool:
    """Does STS, in the session's home region, accept the credentials?"""
    sts = aws_client(
        "sts", session=session, region=session.region_name or "us-east-1", endpoint_url=endpoint_url
    )
    try:
        sts.get_caller_identity()
    except (ClientError, BotoCoreError) as error:
        logger.info("STS refuses the scan credentials too: %s", error_code(error))
        return False
    return True


def collect_inventory(
    *,
    account_id: str,
    regions: Sequence[str],
    session: boto3.Session | None = None,
    session_factory: Callable[[str], boto3.Session] | None = None,
    endpoint_url: str | None = None,
    options: CollectOptions | None = None,
    progress: Progress | None = None,
) -> Inventory:
    """Several regions one after another (the CLI's ad-hoc scan).

    A region whose credentials are refused becomes a region with one coverage gap; only when
    every region is refused does this raise AwsAccessError."""
    if (session is None) == (session_factory is None):
        raise ValueError("pass exactly one of session and session_factory")
    options = options or CollectOptions()
    inventory = Inventory(account_id=account_id)
    failures: list[AwsAccessError] = []
    for number, region in enumerate(regions, start=1):

        def report(stage: str, done: int, total: int, region: str = region) -> None:
            if progress is not None:
                progress(f"{region}:{stage}", done, total)

        try:
            region_session = session_factory(region) if session_factory else session
            assert region_session is not None
            result = collect_region(
                session=region_session,
                account_id=account_id,
                region=region,
                endpoint_url=endpoint_url,
                options=options,
                progress=report,
            )
        except AwsAccessError as error:
            failures.append(error)
            result = RegionInventory(account_id=account_id, region=region)
            result.coverage_gaps.append(
                CoverageGap(
                    region=region,
                    service="lambda",
                    operation="ListFunctions",
                    error_code="AwsAccessError",
                    message=str(error),
                    hides=DATA_FUNCTIONS,
                )
            )
        inventory.regions.append(result)
        if progress is not None:
            progress("regions", number, len(regions))
    if regions and len(failures) == len(regions):
        raise failures[0]
    return inventory

"""Prices from AWS's Price List Query API: fetched with the app's own credentials
(``pricing:GetProducts``), validated, stored per region, and installed where the cost model
reads them. A region that fails keeps its last good prices; the run says what failed."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from django.db.models import Count, Max
from django.utils import timezone

from accounts.regions import lambda_regions
from advisor.collect.session import EndpointNotAllowed, aws_client
from advisor.decide import pricelist
from advisor.decide.prices import (
    PriceTableError,
    install_refreshed,
    parse_region,
    refreshed_version,
    shipped_region,
)
from advisor.models import PriceRefresh, RegionPriceList
from advisor.services.endpoints import checked_endpoint

logger = logging.getLogger(__name__)

# The shipped region whose free tier and instance specifications every refreshed region reuses
# (neither is a regional price).
REFERENCE_REGION = "us-east-1"
PRICING_CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"max_attempts": 8, "mode": "adaptive"}
)


class PriceRefreshRefused(Exception):
    """The refresh cannot run as asked (an endpoint URL while endpoints are not allowed)."""


@dataclass
class _Pager:
    client: object
    calls: int = 0

    def entries(self, query: pricelist.Query) -> list[str]:
        out: list[str] = []
        for page in self.client.get_paginator("get_products").paginate(**query.kwargs()):
            self.calls += 1
            out.extend(page.get("PriceList", []))
        return out


def pricing_clients(endpoint_url: str | None = None) -> list:
    """Pricing clients to try in order: the configured endpoint, or AWS's two. Whether an
    endpoint URL may be used is the deployment's decision (advisor.services.endpoints)."""
    if endpoint_url:
        try:
            client = aws_client(
                "pricing",
                region="us-east-1",
                endpoint_url=checked_endpoint(endpoint_url),
                config=PRICING_CONFIG,
            )
        except EndpointNotAllowed as refusal:
            raise PriceRefreshRefused(
                "an endpoint URL for the Price List API is only allowed when "
                "ADVISOR_ALLOW_ENDPOINT_URL is on (the local mode and the tests)"
            ) from refusal
        return [client]
    return [
        aws_client("pricing", region=region, config=PRICING_CONFIG)
        for region in pricelist.PRICING_ENDPOINT_REGIONS
    ]


def prices_refresh(
    *, regions: Sequence[str] | None = None, endpoint_url: str | None = None
) -> PriceRefresh:
    """Fetch, validate and store the prices of ``regions`` (default: every commercial region
    Lambda is offered in). Returns the run's record; never raises for one region's failure."""
    wanted = list(dict.fromkeys(regions or lambda_regions()))
    clients = pricing_clients(endpoint_url)
    reference = shipped_region(REFERENCE_REGION)
    if reference is None:  # the shipped table lost its reference region: nothing to build on
        raise PriceTableError(f"prices.toml has no {REFERENCE_REGION}")
    run = PriceRefresh.objects.create(requested=wanted)
    failures: dict[str, str] = {}
    refreshed: list[str] = []
    calls = 0
    specs = reference.get("ec2", [])
    for region in wanted:
        try:
            prices, used = _fetch_region(clients, region, reference, specs)
            calls += used
        except (pricelist.PriceListError, PriceTableError) as exc:
            failures[region] = str(exc)
            continue
        except (ClientError, BotoCoreError) as exc:
            failures[region] = f"{region}: the Price List API answered {_describe(exc)}"
            continue
        RegionPriceList.objects.update_or_create(
            region=region,
            defaults={"data": prices.data, "notes": prices.notes, "fetched_at": timezone.now()},
        )
        refreshed.append(region)
    run.refreshed, run.failures, run.calls = refreshed, failures, calls
    run.finished_at = timezone.now()
    run.save(update_fields=["refreshed", "failures", "calls", "finished_at"])
    for region, why in failures.items():
        logger.warning("price refresh kept the last good prices of %s: %s", region, why)
    stored_prices_install(force=True)
    return run


def _fetch_region(clients, region, reference, specs) -> tuple[pricelist.RegionPrices, int]:
    last_error: Exception | None = None
    for client in clients:
        pager = _Pager(client)
        try:
            prices = pricelist.region_prices(
                region,
                lambda_entries=pager.entries(pricelist.lambda_query(region)),
                ecs_entries=pager.entries(pricelist.fargate_query(region)),
                ec2_entries=pager.entries(pricelist.ec2_query(region, (s["type"] for s in specs))),
                api_gateway_entries=pager.entries(pricelist.api_gateway_query(region)),
                load_balancer_entries=pager.entries(pricelist.load_balancer_query(region)),
                shipped=reference,
                fetched_on=timezone.now().date(),
            )
        except EndpointConnectionError as exc:  # try the other endpoint
            last_error = exc
            continue
        parse_region(region, prices.data)  # loads as the cost model will, or raises
        return prices, pager.calls
    assert last_error is not None
    raise last_error


def _describe(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'an error')}: {error.get('Message', '')}".rstrip(": ")
    return str(exc)


# How long a process trusts the refreshed prices it installed before looking for newer ones.
_CHECK_SECONDS = 60
_checked_at: float | None = None


def stored_prices_install(*, force: bool = False) -> None:
    """Install the stored refreshed regions for the cost model (at most once a minute unless
    forced): the web's pages, the finishing scan and reports all read prices through it."""
    global _checked_at
    now = time.monotonic()
    if not force and _checked_at is not None and now - _checked_at < _CHECK_SECONDS:
        return
    summary = RegionPriceList.objects.aggregate(latest=Max("fetched_at"), count=Count("pk"))
    latest = summary["latest"]
    version = f"{latest.isoformat()}/{summary['count']}" if latest else ""
    if version != refreshed_version():
        regions = {row.region: row.data for row in RegionPriceList.objects.all()}
        install_refreshed(regions, version=version)
    _checked_at = now

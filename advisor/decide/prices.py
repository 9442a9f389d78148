"""The price table, loaded once per region into frozen dataclasses.

Every dollar figure the decision framework uses comes from here; the code only multiplies.
Two sources, in one shape: the snapshot shipped in ``prices.toml`` (dated, a source per
figure), and regions refreshed from AWS's Price List API (``pricelist.py``), which the app
stores and installs with :func:`install_refreshed`. A refreshed region replaces the shipped one.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_DATA = Path(__file__).parent / "prices.toml"

ARCHITECTURES = ("x86_64", "arm64")

# A month is 730 hours (8,760 / 12), the convention of the AWS Pricing Calculator. Not a
# price: it turns hourly prices into monthly ones and a metric window into a month.
HOURS_PER_MONTH = 730.0


# The command that fetches a region's prices from AWS (README "Lambda, containers or EC2").
REFRESH_COMMAND = "python manage.py refresh_prices --regions {region}"


class UnknownRegionError(KeyError):
    """The price table has no figures for this region."""

    def __init__(self, region: str, known: tuple[str, ...]) -> None:
        super().__init__(region)
        self.region = region
        self.known = known

    def __str__(self) -> str:
        return (
            f"No prices for region {self.region} (prices known for {', '.join(self.known)}); "
            f"fetch them from AWS's Price List with `{REFRESH_COMMAND.format(region=self.region)}`"
        )


class PriceTableError(ValueError):
    """``prices.toml`` is malformed (a missing figure, an unknown architecture, …)."""


@dataclass(frozen=True)
class DurationTier:
    """One Lambda duration tier: ``usd_per_gb_second`` up to ``up_to_gb_seconds`` a month
    (cumulative; ``None`` for the last, open tier)."""

    up_to_gb_seconds: float | None
    usd_per_gb_second: float
    source: str


@dataclass(frozen=True)
class ProvisionedPrices:
    per_gb_second: float  # while configured, used or not
    duration_per_gb_second: float  # for invocations served by provisioned instances


@dataclass(frozen=True)
class LambdaPrices:
    requests_per_million: float
    free_requests: int
    free_gb_seconds: int
    ephemeral_storage_per_gb_second: float
    duration: dict[str, tuple[DurationTier, ...]]  # by architecture
    provisioned: dict[str, ProvisionedPrices]  # by architecture


@dataclass(frozen=True)
class FargatePrices:
    per_vcpu_hour: float
    per_gb_hour: float


@dataclass(frozen=True)
class RequestTier:
    """One request tier: ``usd_per_million`` up to ``up_to_requests`` a month (cumulative;
    ``None`` for the last, open tier)."""

    up_to_requests: float | None
    usd_per_million: float
    source: str


@dataclass(frozen=True)
class ApiGatewayPrices:
    rest: tuple[RequestTier, ...]
    http: tuple[RequestTier, ...]


@dataclass(frozen=True)
class LoadBalancerPrices:
    """An Application Load Balancer: by the hour it runs, and by LCU-hour."""

    alb_per_hour: float
    alb_per_lcu_hour: float


@dataclass(frozen=True)
class Ec2Instance:
    type: str
    arch: str
    vcpu: int
    memory_gib: float
    usd_per_hour: float
    baseline_cpu: float = 1.0  # share of each vCPU sustainable without burst credits
    gpus: int = 0
    source: str = ""

    @property
    def burstable(self) -> bool:
        return self.baseline_cpu < 1.0

    @property
    def sustained_vcpu(self) -> float:
        return self.vcpu * self.baseline_cpu


@dataclass(frozen=True)
class PriceTable:
    region: str
    as_of: dt.date
    currency: str
    hours_per_month: float
    lambda_: LambdaPrices
    fargate: dict[str, FargatePrices]  # by architecture
    ec2: tuple[Ec2Instance, ...]
    # The front door; None where a stored region predates them (its front door goes unpriced).
    api_gateway: ApiGatewayPrices | None = None
    load_balancer: LoadBalancerPrices | None = None


# Regions refreshed from the Price List API: {region: data in prices.toml's region shape},
# with a version that changes whenever they do (it keys the parsed tables' cache).
_refreshed: dict[str, dict[str, Any]] = {}
_refreshed_version = ""


def install_refreshed(regions: dict[str, dict[str, Any]], *, version: str) -> None:
    """Use these refreshed regions (each validated with :func:`parse_region`) from now on."""
    global _refreshed, _refreshed_version
    if version == _refreshed_version:
        return
    _refreshed, _refreshed_version = dict(regions), version


def refreshed_version() -> str:
    return _refreshed_version


def shipped_region(region: str) -> dict[str, Any] | None:
    """A region of the shipped snapshot as data (for the free tier and instance specs)."""
    return _raw()["regions"].get(region)


def available_regions() -> tuple[str, ...]:
    """Regions with prices (shipped or refreshed), sorted."""
    return tuple(sorted(set(_raw()["regions"]) | set(_refreshed)))


def load_prices(region: str = "us-east-1") -> PriceTable:
    """The price table for ``region``; raises :class:`UnknownRegionError` when it has none."""
    return _load(region, _refreshed_version if region in _refreshed else "")


@cache
def _load(region: str, version: str) -> PriceTable:
    raw = _raw()
    data = _refreshed.get(region) if version else raw["regions"].get(region)
    if data is None:
        raise UnknownRegionError(region, available_regions())
    where = "the refreshed Price List" if version else "prices.toml"
    try:
        return _parse(region, raw, data)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PriceTableError):
            raise
        raise PriceTableError(f"{where}, region {region}: missing or malformed {exc}") from exc


def parse_region(region: str, data: dict[str, Any]) -> PriceTable:
    """Parse one region's data as the cost model would (raises :class:`PriceTableError`)."""
    try:
        return _parse(region, _raw(), data)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PriceTableError):
            raise
        raise PriceTableError(f"region {region}: missing or malformed {exc}") from exc


@cache
def _raw() -> dict[str, Any]:
    return tomllib.loads(_DATA.read_text(encoding="utf-8"))


def _usd(entry: dict[str, Any]) -> float:
    if not entry.get("source"):
        raise PriceTableError(f"price without a source: {entry!r}")
    return float(entry["usd"])


def _count(entry: dict[str, Any]) -> int:
    if not entry.get("source"):
        raise PriceTableError(f"figure without a source: {entry!r}")
    return int(entry["count"])


def _parse(region: str, raw: dict[str, Any], data: dict[str, Any]) -> PriceTable:
    lam = data["lambda"]
    duration: dict[str, tuple[DurationTier, ...]] = {}
    for arch, tiers in lam["duration"].items():
        _check_arch(arch)
        parsed = tuple(
            DurationTier(
                up_to_gb_seconds=(
                    float(t["up_to_gb_seconds"]) if "up_to_gb_seconds" in t else None
                ),
                usd_per_gb_second=float(t["usd_per_gb_second"]),
                source=t["source"],
            )
            for t in tiers
        )
        bounds = [t.up_to_gb_seconds for t in parsed]
        if (
            not parsed
            or bounds[-1] is not None
            or None in bounds[:-1]
            or bounds[:-1] != sorted(bounds[:-1])  # type: ignore[type-var]
        ):
            raise PriceTableError(f"{region} lambda {arch}: tiers must ascend and end open")
        duration[arch] = parsed
    provisioned = {
        arch: ProvisionedPrices(
            per_gb_second=_usd(p["per_gb_second"]),
            duration_per_gb_second=_usd(p["duration_per_gb_second"]),
        )
        for arch, p in lam["provisioned"].items()
        if _check_arch(arch)
    }
    fargate = {
        arch: FargatePrices(
            per_vcpu_hour=_usd(f["per_vcpu_hour"]), per_gb_hour=_usd(f["per_gb_hour"])
        )
        for arch, f in data["fargate"].items()
        if _check_arch(arch)
    }
    ec2 = tuple(
        Ec2Instance(
            type=i["type"],
            arch=i["arch"],
            vcpu=int(i["vcpu"]),
            memory_gib=float(i["memory_gib"]),
            usd_per_hour=float(i["usd_per_hour"]),
            baseline_cpu=float(i.get("baseline_cpu", 1.0)),
            gpus=int(i.get("gpus", 0)),
            source=i["source"],
        )
        for i in data.get("ec2", [])
        if _check_arch(i["arch"])
    )
    api_gateway = None
    if "api_gateway" in data:
        api_gateway = ApiGatewayPrices(
            rest=_request_tiers(region, "REST", data["api_gateway"]["rest"]),
            http=_request_tiers(region, "HTTP API", data["api_gateway"]["http"]),
        )
    load_balancer = None
    if "load_balancer" in data:
        lb = data["load_balancer"]
        load_balancer = LoadBalancerPrices(
            alb_per_hour=_usd(lb["alb_per_hour"]), alb_per_lcu_hour=_usd(lb["alb_per_lcu_hour"])
        )
    return PriceTable(
        region=region,
        as_of=_date(data.get("as_of", raw["as_of"])),
        currency=raw["currency"],
        hours_per_month=HOURS_PER_MONTH,
        lambda_=LambdaPrices(
            requests_per_million=_usd(lam["requests_per_million"]),
            free_requests=_count(lam["free_requests"]),
            free_gb_seconds=_count(lam["free_gb_seconds"]),
            ephemeral_storage_per_gb_second=_usd(lam["ephemeral_storage_per_gb_second"]),
            duration=duration,
            provisioned=provisioned,
        ),
        fargate=fargate,
        ec2=ec2,
        api_gateway=api_gateway,
        load_balancer=load_balancer,
    )


def _request_tiers(region: str, what: str, tiers: list[dict[str, Any]]) -> tuple[RequestTier, ...]:
    parsed = tuple(
        RequestTier(
            up_to_requests=float(t["up_to_requests"]) if "up_to_requests" in t else None,
            usd_per_million=float(t["usd_per_million"]),
            source=t["source"],
        )
        for t in tiers
    )
    bounds = [t.up_to_requests for t in parsed]
    if (
        not parsed
        or bounds[-1] is not None
        or None in bounds[:-1]
        or bounds[:-1] != sorted(bounds[:-1])  # type: ignore[type-var]
    ):
        raise PriceTableError(f"{region} API Gateway {what}: tiers must ascend and end open")
    return parsed


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _check_arch(arch: str) -> bool:
    if arch not in ARCHITECTURES:
        raise PriceTableError(f"unknown architecture {arch!r}; expected one of {ARCHITECTURES}")
    return True

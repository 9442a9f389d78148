"""The price table (``prices.toml``), loaded once per region into frozen dataclasses.

Every dollar figure the decision framework uses comes from here; the code only multiplies.
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


class UnknownRegionError(KeyError):
    """The price table has no figures for this region."""

    def __init__(self, region: str, known: tuple[str, ...]) -> None:
        super().__init__(region)
        self.region = region
        self.known = known

    def __str__(self) -> str:
        return (
            f"No prices for region {self.region!r} in advisor/decide/prices.toml; "
            f"regions with prices: {', '.join(self.known)}"
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

    @property
    def seconds_per_month(self) -> float:
        return self.hours_per_month * 3600


def available_regions() -> tuple[str, ...]:
    """Regions that ``prices.toml`` has figures for, sorted."""
    return tuple(sorted(_raw()["regions"]))


@cache
def load_prices(region: str = "us-east-1") -> PriceTable:
    """The price table for ``region``; raises :class:`UnknownRegionError` when it has none."""
    raw = _raw()
    regions = raw["regions"]
    if region not in regions:
        raise UnknownRegionError(region, available_regions())
    try:
        return _parse(region, raw, regions[region])
    except (KeyError, TypeError) as exc:
        raise PriceTableError(f"prices.toml, region {region}: missing or malformed {exc}") from exc


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
    return PriceTable(
        region=region,
        as_of=raw["as_of"],
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
    )


def _check_arch(arch: str) -> bool:
    if arch not in ARCHITECTURES:
        raise PriceTableError(f"unknown architecture {arch!r}; expected one of {ARCHITECTURES}")
    return True

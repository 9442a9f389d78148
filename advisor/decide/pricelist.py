"""AWS's Price List Query API (``pricing:GetProducts``) turned into a region of the price table.

Pure: the caller fetches the ``PriceList`` entries (JSON strings, one product each, with its
``product.attributes`` and ``terms.OnDemand…priceDimensions``) with the queries this module
names, and gets back a region in the shape ``prices.toml`` uses, so one parser reads both.

What is read (API reference: docs.aws.amazon.com/aws-cost-management/latest/APIReference/
API_pricing_GetProducts.html; attribute values as the Price List publishes them):

- ``AWSLambda`` by ``regionCode``: duration tiers (groups ``AWS-Lambda-Duration`` and
  ``-Duration-ARM``, tiers from the dimensions' ``beginRange``/``endRange``), requests
  (``AWS-Lambda-Requests``), ephemeral storage (``AWS-Lambda-Storage-Duration``), provisioned
  concurrency (``AWS-Lambda-Provisioned-Concurrency`` and ``AWS-Lambda-Duration-Provisioned``,
  with ``-ARM`` twins). Rows whose ``location`` is ``Any`` (the account-wide free tier, priced
  at zero) are dropped.
- ``AmazonECS`` by ``regionCode``: the usage types ``<prefix>-Fargate-vCPU-Hours:perCPU``,
  ``<prefix>-Fargate-GB-Hours`` and their ``-Fargate-ARM-`` twins (the prefix carries the
  region; Spot, Windows and storage usage types are other names and are not matched).
- ``AmazonEC2`` by ``regionCode`` and ``instanceType`` (ANY_OF), Linux, shared tenancy, no
  pre-installed software, ``capacitystatus`` Used, ``licenseModel`` No License required.
- ``AmazonApiGateway`` by ``regionCode`` and ``productFamily`` API Calls: the usage types
  ``<prefix>-ApiGatewayRequest`` (REST APIs) and ``<prefix>-ApiGatewayHttpRequest`` (HTTP
  APIs), tiers from the dimensions' ranges, priced per request (the table keeps per million).
- ``AWSELB`` by ``regionCode`` and ``productFamily`` Load Balancer-Application: the usage
  types ``<prefix>-LoadBalancerUsage`` (per hour) and ``<prefix>-LCUUsage`` (per LCU-hour);
  us-east-1's carry no prefix. Reserved-LCU and other usage types are other names.

The free tier (account-wide, all regions together) and instance specifications (vCPUs, memory,
burst baseline) are not prices and are not in these rows: they come from the shipped table.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

API_SOURCE = "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html"
# The Price List Query API answers in these two regions only (AWS Billing and Cost Management
# user guide, "Using the AWS Price List Query API").
PRICING_ENDPOINT_REGIONS = ("us-east-1", "ap-south-1")

LAMBDA_SERVICE = "AWSLambda"
ECS_SERVICE = "AmazonECS"
EC2_SERVICE = "AmazonEC2"
API_GATEWAY_SERVICE = "AmazonApiGateway"
ELB_SERVICE = "AWSELB"
API_CALLS_FAMILY = "API Calls"
ALB_FAMILY = "Load Balancer-Application"

_API_GATEWAY_USAGE = {
    "rest": re.compile(r"^(?:[A-Z0-9]+-)?ApiGatewayRequest$"),
    "http": re.compile(r"^(?:[A-Z0-9]+-)?ApiGatewayHttpRequest$"),
}
_ALB_USAGE = {
    "alb_per_hour": re.compile(r"^(?:[A-Z0-9]+-)?LoadBalancerUsage$"),
    "alb_per_lcu_hour": re.compile(r"^(?:[A-Z0-9]+-)?LCUUsage$"),
}

_LAMBDA_GROUPS = {
    "duration": {"x86_64": "AWS-Lambda-Duration", "arm64": "AWS-Lambda-Duration-ARM"},
    "provisioned": {
        "x86_64": "AWS-Lambda-Provisioned-Concurrency",
        "arm64": "AWS-Lambda-Provisioned-Concurrency-ARM",
    },
    "provisioned_duration": {
        "x86_64": "AWS-Lambda-Duration-Provisioned",
        "arm64": "AWS-Lambda-Duration-Provisioned-ARM",
    },
}
_REQUESTS_GROUP = "AWS-Lambda-Requests"
_STORAGE_GROUP = "AWS-Lambda-Storage-Duration"

_FARGATE_USAGE = {
    ("x86_64", "per_vcpu_hour"): re.compile(r"^(?:[A-Z0-9]+-)?Fargate-vCPU-Hours:perCPU$"),
    ("x86_64", "per_gb_hour"): re.compile(r"^(?:[A-Z0-9]+-)?Fargate-GB-Hours$"),
    ("arm64", "per_vcpu_hour"): re.compile(r"^(?:[A-Z0-9]+-)?Fargate-ARM-vCPU-Hours:perCPU$"),
    ("arm64", "per_gb_hour"): re.compile(r"^(?:[A-Z0-9]+-)?Fargate-ARM-GB-Hours$"),
}

# Sane ranges (USD) for each figure: a price outside them is a parsing or publication error,
# not a price to advise on. Wide on purpose: the dearest regions cost about 1.5x us-east-1.
SANE_RANGES = {
    "lambda_duration": (1e-6, 1e-4),  # per GB-second
    "lambda_requests_per_million": (0.05, 2.0),
    "lambda_ephemeral": (1e-10, 1e-6),  # per GB-second
    "lambda_provisioned": (1e-7, 1e-4),  # per GB-second
    "fargate_vcpu_hour": (0.005, 0.5),
    "fargate_gb_hour": (0.0005, 0.05),
    "ec2_hour": (0.001, 100.0),
    "api_gateway_per_million": (0.1, 20.0),
    "alb_hour": (0.005, 0.2),
    "alb_lcu_hour": (0.001, 0.05),
}


class PriceListError(ValueError):
    """The Price List rows for a region cannot be made into prices (missing, ambiguous, insane)."""


@dataclass(frozen=True)
class Query:
    """One GetProducts query: ``client.get_paginator("get_products").paginate(**kwargs)``."""

    service_code: str
    filters: tuple[tuple[str, str, str], ...]  # (Type, Field, Value)

    def kwargs(self) -> dict[str, Any]:
        return {
            "ServiceCode": self.service_code,
            "FormatVersion": "aws_v1",
            "Filters": [{"Type": t, "Field": f, "Value": v} for t, f, v in self.filters],
        }


def lambda_query(region: str) -> Query:
    return Query(LAMBDA_SERVICE, (("TERM_MATCH", "regionCode", region),))


def fargate_query(region: str) -> Query:
    return Query(ECS_SERVICE, (("TERM_MATCH", "regionCode", region),))


def ec2_query(region: str, instance_types: Iterable[str]) -> Query:
    return Query(
        EC2_SERVICE,
        (
            ("TERM_MATCH", "regionCode", region),
            ("ANY_OF", "instanceType", ",".join(sorted(instance_types))),
            ("TERM_MATCH", "operatingSystem", "Linux"),
            ("TERM_MATCH", "tenancy", "Shared"),
            ("TERM_MATCH", "preInstalledSw", "NA"),
            ("TERM_MATCH", "capacitystatus", "Used"),
            ("TERM_MATCH", "licenseModel", "No License required"),
        ),
    )


def api_gateway_query(region: str) -> Query:
    return Query(
        API_GATEWAY_SERVICE,
        (("TERM_MATCH", "regionCode", region), ("TERM_MATCH", "productFamily", API_CALLS_FAMILY)),
    )


def load_balancer_query(region: str) -> Query:
    return Query(
        ELB_SERVICE,
        (("TERM_MATCH", "regionCode", region), ("TERM_MATCH", "productFamily", ALB_FAMILY)),
    )


@dataclass(frozen=True)
class Dimension:
    begin: float
    end: float | None  # None: "Inf"
    usd: float
    unit: str


@dataclass(frozen=True)
class Product:
    sku: str
    attributes: Mapping[str, str]
    dimensions: tuple[Dimension, ...]  # on-demand only, ascending by begin
    publication: str = ""

    @classmethod
    def from_entry(cls, entry: str | Mapping[str, Any]) -> Product:
        data = json.loads(entry) if isinstance(entry, str) else entry
        try:
            product = data["product"]
            dims = []
            for term in (data.get("terms", {}).get("OnDemand") or {}).values():
                for d in term["priceDimensions"].values():
                    end = d.get("endRange", "Inf")
                    dims.append(
                        Dimension(
                            begin=float(d.get("beginRange", 0) or 0),
                            end=None if end in ("Inf", "", None) else float(end),
                            usd=float(d["pricePerUnit"]["USD"]),
                            unit=d.get("unit", ""),
                        )
                    )
            return cls(
                sku=product.get("sku", data.get("sku", "")),
                attributes=product.get("attributes", {}),
                dimensions=tuple(sorted(dims, key=lambda d: d.begin)),
                publication=data.get("publicationDate", ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PriceListError(f"a PriceList entry is malformed: {exc!r}") from exc


@dataclass
class RegionPrices:
    """One region's prices in ``prices.toml``'s shape, and what could not be priced."""

    region: str
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # e.g. an instance type not offered there


def _in_region(products: Iterable[Product], region: str) -> list[Product]:
    return [
        p
        for p in products
        if p.attributes.get("location") != "Any"
        and p.attributes.get("regionCode", region) == region
        and p.dimensions
    ]


def _source(service: str, product: Product) -> str:
    published = f", published {product.publication}" if product.publication else ""
    return f"{API_SOURCE} ({service} SKU {product.sku}{published})"


def _one(products: list[Product], what: str, region: str) -> Product:
    """The single product for ``what``; several with the same prices count as one."""
    if not products:
        raise PriceListError(f"{region}: the Price List has no {what}")
    distinct = {tuple((d.begin, d.end, d.usd) for d in p.dimensions) for p in products}
    if len(distinct) > 1:
        skus = ", ".join(sorted(p.sku for p in products))
        raise PriceListError(f"{region}: {what} has several different prices (SKUs {skus})")
    return products[0]


def _flat(product: Product, what: str, region: str) -> float:
    if len(product.dimensions) != 1:
        raise PriceListError(f"{region}: {what} has {len(product.dimensions)} price tiers, not 1")
    return product.dimensions[0].usd


def _check(value: float, kind: str, what: str, region: str) -> float:
    low, high = SANE_RANGES[kind]
    if not low <= value <= high:
        raise PriceListError(
            f"{region}: {what} is ${value:g}, outside the sane range ${low:g} to ${high:g}"
        )
    return value


def _contiguous_dimensions(product: Product, region: str, what: str) -> tuple[Dimension, ...]:
    """The product's price dimensions, checked to be tiers from 0 with no gap and an open end."""
    dims = product.dimensions
    if dims[0].begin != 0 or dims[-1].end is not None:
        raise PriceListError(f"{region}: {what} tiers must start at 0 and end open")
    for before, after in itertools.pairwise(dims):
        if before.end is None or before.end != after.begin:
            raise PriceListError(f"{region}: {what} tiers leave a gap at {before.end}")
    return dims


def _tiers(product: Product, region: str, what: str) -> list[dict[str, Any]]:
    dims = _contiguous_dimensions(product, region, what)
    source = _source(LAMBDA_SERVICE, product)
    tiers = []
    for d in dims:
        tier: dict[str, Any] = {
            "usd_per_gb_second": _check(d.usd, "lambda_duration", what, region),
            "source": source,
        }
        if d.end is not None:
            tier["up_to_gb_seconds"] = d.end
        tiers.append(tier)
    return tiers


def parse_lambda(entries: Iterable[str | Mapping], region: str) -> dict[str, Any]:
    """The ``lambda`` section of a region, without the free tier (not a regional price)."""
    products = _in_region((Product.from_entry(e) for e in entries), region)
    by_group: dict[str, list[Product]] = {}
    for p in products:
        by_group.setdefault(p.attributes.get("group", ""), []).append(p)

    def group(name: str) -> Product:
        return _one(by_group.get(name, []), f"Lambda {name}", region)

    requests = group(_REQUESTS_GROUP)
    storage = group(_STORAGE_GROUP)
    section: dict[str, Any] = {
        "requests_per_million": {
            "usd": _check(
                _flat(requests, "requests", region) * 1_000_000,
                "lambda_requests_per_million",
                "requests per million",
                region,
            ),
            "source": _source(LAMBDA_SERVICE, requests),
        },
        "ephemeral_storage_per_gb_second": {
            "usd": _check(
                _flat(storage, "ephemeral storage", region),
                "lambda_ephemeral",
                "ephemeral storage",
                region,
            ),
            "source": _source(LAMBDA_SERVICE, storage),
        },
        "duration": {},
        "provisioned": {},
    }
    for arch, name in _LAMBDA_GROUPS["duration"].items():
        section["duration"][arch] = _tiers(group(name), region, f"{arch} duration")
    for arch in ("x86_64", "arm64"):
        standing = group(_LAMBDA_GROUPS["provisioned"][arch])
        duration = group(_LAMBDA_GROUPS["provisioned_duration"][arch])
        section["provisioned"][arch] = {
            "per_gb_second": {
                "usd": _check(
                    _flat(standing, "provisioned concurrency", region),
                    "lambda_provisioned",
                    f"{arch} provisioned concurrency",
                    region,
                ),
                "source": _source(LAMBDA_SERVICE, standing),
            },
            "duration_per_gb_second": {
                "usd": _check(
                    _flat(duration, "provisioned duration", region),
                    "lambda_provisioned",
                    f"{arch} provisioned duration",
                    region,
                ),
                "source": _source(LAMBDA_SERVICE, duration),
            },
        }
    return section


def parse_fargate(entries: Iterable[str | Mapping], region: str) -> dict[str, Any]:
    """The ``fargate`` section of a region (Linux, on demand)."""
    products = _in_region((Product.from_entry(e) for e in entries), region)
    section: dict[str, Any] = {"x86_64": {}, "arm64": {}}
    for (arch, figure), pattern in _FARGATE_USAGE.items():
        matching = [p for p in products if pattern.match(p.attributes.get("usagetype", ""))]
        what = f"Fargate {arch} {figure.replace('_', ' ')}"
        product = _one(matching, what, region)
        kind = "fargate_vcpu_hour" if figure == "per_vcpu_hour" else "fargate_gb_hour"
        section[arch][figure] = {
            "usd": _check(_flat(product, what, region), kind, what, region),
            "source": _source(ECS_SERVICE, product),
        }
    return section


def parse_ec2(
    entries: Iterable[str | Mapping], region: str, specs: Iterable[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The ``ec2`` list of a region for the instance types in ``specs`` (each a shipped entry
    with type, arch, vcpu, memory_gib, baseline_cpu, gpus), and notes on those not priced."""
    products = _in_region((Product.from_entry(e) for e in entries), region)
    by_type: dict[str, list[Product]] = {}
    for p in products:
        attributes = p.attributes
        if attributes.get("operation", "RunInstances") != "RunInstances":
            continue  # another OS or licence billed under the same filters
        if "BoxUsage" not in attributes.get("usagetype", "BoxUsage"):
            continue  # reservations, dedicated usage
        by_type.setdefault(attributes.get("instanceType", ""), []).append(p)
    instances, notes = [], []
    for spec in specs:
        kind = spec["type"]
        try:
            product = _one(by_type.get(kind, []), f"EC2 {kind}", region)
            usd = _check(_flat(product, f"EC2 {kind}", region), "ec2_hour", f"EC2 {kind}", region)
        except PriceListError as exc:
            notes.append(f"{exc} (not offered for sizing there)")
            continue
        instances.append(
            {
                "type": kind,
                "arch": spec["arch"],
                "vcpu": spec["vcpu"],
                "memory_gib": spec["memory_gib"],
                "baseline_cpu": spec.get("baseline_cpu", 1.0),
                "gpus": spec.get("gpus", 0),
                "usd_per_hour": usd,
                "source": _source(EC2_SERVICE, product),
            }
        )
    if not instances:
        raise PriceListError(f"{region}: no EC2 instance type the sizing uses has a price")
    return instances, notes


def parse_api_gateway(entries: Iterable[str | Mapping], region: str) -> dict[str, Any]:
    """The ``api_gateway`` section of a region: REST and HTTP API request tiers."""
    products = _in_region((Product.from_entry(e) for e in entries), region)
    section: dict[str, Any] = {}
    for api, pattern in _API_GATEWAY_USAGE.items():
        what = f"API Gateway {'REST' if api == 'rest' else 'HTTP API'} requests"
        matching = [p for p in products if pattern.match(p.attributes.get("usagetype", ""))]
        product = _one(matching, what, region)
        dims = _contiguous_dimensions(product, region, what)
        source = _source(API_GATEWAY_SERVICE, product)
        tiers = []
        for d in dims:
            tier: dict[str, Any] = {
                "usd_per_million": _check(
                    d.usd * 1_000_000, "api_gateway_per_million", what, region
                ),
                "source": source,
            }
            if d.end is not None:
                tier["up_to_requests"] = d.end
            tiers.append(tier)
        section[api] = tiers
    return section


def parse_load_balancer(entries: Iterable[str | Mapping], region: str) -> dict[str, Any]:
    """The ``load_balancer`` section of a region: an Application Load Balancer's hour and LCU."""
    products = _in_region((Product.from_entry(e) for e in entries), region)
    section: dict[str, Any] = {}
    for figure, pattern in _ALB_USAGE.items():
        what = "Application Load Balancer " + ("hour" if figure == "alb_per_hour" else "LCU-hour")
        matching = [p for p in products if pattern.match(p.attributes.get("usagetype", ""))]
        product = _one(matching, what, region)
        kind = "alb_hour" if figure == "alb_per_hour" else "alb_lcu_hour"
        section[figure] = {
            "usd": _check(_flat(product, what, region), kind, what, region),
            "source": _source(ELB_SERVICE, product),
        }
    return section


def region_prices(
    region: str,
    *,
    lambda_entries: Iterable[str | Mapping],
    ecs_entries: Iterable[str | Mapping],
    ec2_entries: Iterable[str | Mapping],
    api_gateway_entries: Iterable[str | Mapping],
    load_balancer_entries: Iterable[str | Mapping],
    shipped: Mapping[str, Any],
    fetched_on: dt.date,
) -> RegionPrices:
    """A whole region from its five queries' rows. ``shipped`` is a region of the shipped table
    (for the free tier and the instance specifications). Raises :class:`PriceListError`."""
    lambda_entries = list(lambda_entries)
    problems: list[str] = []
    lam = fargate = api_gateway = load_balancer = None
    ec2: list[dict[str, Any]] = []
    notes: list[str] = []
    try:
        lam = parse_lambda(lambda_entries, region)
    except PriceListError as exc:
        problems.append(str(exc))
    try:
        fargate = parse_fargate(ecs_entries, region)
    except PriceListError as exc:
        problems.append(str(exc))
    try:
        ec2, notes = parse_ec2(ec2_entries, region, shipped.get("ec2", []))
    except PriceListError as exc:
        problems.append(str(exc))
    try:
        api_gateway = parse_api_gateway(api_gateway_entries, region)
    except PriceListError as exc:
        problems.append(str(exc))
    try:
        load_balancer = parse_load_balancer(load_balancer_entries, region)
    except PriceListError as exc:
        problems.append(str(exc))
    if problems or lam is None or fargate is None:
        raise PriceListError("; ".join(problems))
    lam["free_requests"] = dict(shipped["lambda"]["free_requests"])
    lam["free_gb_seconds"] = dict(shipped["lambda"]["free_gb_seconds"])
    location = next(
        (
            p.attributes["location"]
            for p in _in_region(map(Product.from_entry, lambda_entries), region)
            if p.attributes.get("location")
        ),
        region,
    )
    data = {
        "name": location,
        "as_of": fetched_on.isoformat(),
        "source": API_SOURCE,
        "lambda": lam,
        "fargate": fargate,
        "ec2": ec2,
        "api_gateway": api_gateway,
        "load_balancer": load_balancer,
    }
    return RegionPrices(region=region, data=data, notes=notes)

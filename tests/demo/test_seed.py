"""The demo account: what the seed promises, read back over HTTP, and judged by the rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from advisor.demo import acme
from advisor.demo.seed import (
    DEFAULT_EXTERNAL_ID,
    DEMO_ACCOUNT_ID,
    DemoAlreadySeeded,
    SeedReport,
    assume,
    seed_demo,
)
from tests.fixtures.emulator import reset_emulator

REGIONS = ("us-east-1", "eu-west-1")
ROLE = f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/LambdaAdvisorReadOnly"


@pytest.fixture(scope="module")
def seeded(aws_endpoint: str) -> Iterator[tuple[str, SeedReport]]:
    """One seeded demo for the module (seeding is the slow part)."""
    reset_emulator(aws_endpoint)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        report = seed_demo(endpoint_url=aws_endpoint, regions=REGIONS)
        yield aws_endpoint, report


def reader(endpoint: str, service: str, region: str):
    """A client with the product's credentials: the read-only role, assumed with the ExternalId."""
    session = assume(endpoint, ROLE, DEFAULT_EXTERNAL_ID, region)
    return session.client(service, region_name=region, endpoint_url=endpoint)


def test_the_demo_has_the_promised_estate(seeded):
    endpoint, report = seeded
    functions = {
        region: [
            fn
            for page in reader(endpoint, "lambda", region)
            .get_paginator("list_functions")
            .paginate()
            for fn in page["Functions"]
        ]
        for region in REGIONS
    }

    assert sum(len(f) for f in functions.values()) >= 40
    assert all(len(f) >= 10 for f in functions.values())
    assert report.total_functions == sum(len(f) for f in functions.values())
    everything = [fn for region in functions.values() for fn in region]
    assert {fn["PackageType"] for fn in everything} == {"Zip", "Image"}
    assert {fn["Architectures"][0] for fn in everything} == {"x86_64", "arm64"}
    assert any(fn.get("Layers") for fn in everything)
    assert any(fn.get("DeadLetterConfig") for fn in everything)


def test_the_demo_has_apis_mappings_queues_and_account_settings(seeded):
    endpoint, report = seeded
    main, europe = REGIONS
    lam = reader(endpoint, "lambda", main)

    rest = reader(endpoint, "apigateway", main).get_rest_apis()["items"]
    http = reader(endpoint, "apigatewayv2", main).get_apis()["Items"]
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    queues = reader(endpoint, "sqs", main).list_queues()["QueueUrls"]
    eu_settings = reader(endpoint, "lambda", europe).get_account_settings()

    assert [api["name"] for api in rest] == [acme.REST_STOREFRONT]
    assert [api["Name"] for api in http] == [acme.HTTP_PUBLIC]
    kinds = {m["EventSourceArn"].split(":")[2] for m in mappings}
    assert kinds == {"sqs", "kinesis", "dynamodb"}
    assert len(queues) == report.queues[main]
    assert eu_settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 130
    total, limit = (
        eu_settings["AccountUsage"]["TotalCodeSize"],
        eu_settings["AccountLimit"]["TotalCodeSize"],
    )
    assert 0.8 < total / limit < 0.9


def test_the_demo_metrics_are_readable_with_get_metric_data(seeded):
    endpoint, _ = seeded
    cloudwatch = reader(endpoint, "cloudwatch", REGIONS[0])
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    def query(query_id: str, function: str, metric: str, stat: str) -> dict:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Lambda",
                    "MetricName": metric,
                    "Dimensions": [{"Name": "FunctionName", "Value": function}],
                },
                "Period": 3600,
                "Stat": stat,
            },
        }

    result = cloudwatch.get_metric_data(
        StartTime=end - timedelta(days=14),
        EndTime=end + timedelta(hours=1),
        MetricDataQueries=[
            query("orders", "orders-api", "Invocations", "Sum"),
            query("cart_max", "cart-api", "Duration", "Maximum"),
            query("cart_p99", "cart-api", "Duration", "p99"),
            query("throttles", "partner-sync", "Throttles", "Sum"),
            query("age", "inventory-sync", "IteratorAge", "Maximum"),
            query("nightly", "nightly-report", "Invocations", "Sum"),
        ],
    )
    by_id = {r["Id"]: r["Values"] for r in result["MetricDataResults"]}

    assert 300 <= len(by_id["orders"]) <= 14 * 24 + 1  # hourly, day and night
    assert max(by_id["cart_max"]) == 6000  # runs into its 6 s timeout
    assert max(by_id["cart_p99"]) < 6000
    assert sum(by_id["throttles"]) > 0
    assert max(by_id["age"]) > 600_000
    assert 13 <= len(by_id["nightly"]) <= 15  # once a night


def test_the_read_only_role_requires_the_external_id(seeded):
    endpoint, _ = seeded
    with pytest.raises(ClientError) as error:
        assume(endpoint, ROLE, "someone-else", REGIONS[0])
    assert error.value.response["Error"]["Code"] == "AccessDenied"


def test_seeding_twice_is_refused_with_a_clear_error(seeded):
    endpoint, _ = seeded
    with pytest.raises(DemoAlreadySeeded, match="already holds the demo"):
        seed_demo(endpoint_url=endpoint, regions=REGIONS)


def test_every_rule_has_a_breaking_and_a_passing_case_in_the_demo(seeded):
    """The demo's promise: scanned like a customer account, every rule of the catalogue fires
    somewhere and stays quiet somewhere, and each function breaks what acme.py says it does."""
    from advisor.collect.options import CollectOptions
    from advisor.collect.scanner import collect_inventory
    from advisor.rules.base import Finding
    from advisor.rules.registry import all_rules, evaluate

    endpoint, _ = seeded
    inventory = collect_inventory(
        account_id=DEMO_ACCOUNT_ID,
        regions=REGIONS,
        session_factory=lambda region: assume(endpoint, ROLE, DEFAULT_EXTERNAL_ID, region),
        endpoint_url=endpoint,
        options=CollectOptions(rate_limit=False),
    )
    assert inventory.coverage_gaps == []
    images = [fn for r in inventory.regions for fn in r.functions if fn.package_type == "Image"]
    assert len(images) == 3 and all(fn.image_size == 1_400 * 1024 * 1024 for fn in images)
    findings = [r for r in evaluate(inventory) if isinstance(r, Finding)]

    # Which function each resource belongs to: the function itself, its mappings, its queues.
    owner: dict[str, set[str]] = {}
    universe: dict[str, set[str]] = {}  # resource kind -> every resource of that kind
    for region in inventory.regions:
        account = {f"{region.region}:account"}
        universe.setdefault("account", set()).update(account)
        for fn in region.functions:
            owner.setdefault(fn.arn, set()).add(fn.name)
            universe.setdefault("function", set()).add(fn.arn)
        names = {fn.arn: fn.name for fn in region.functions}
        for mapping in region.event_source_mappings:
            name = names.get(mapping.function_arn.rsplit(":", 1)[0], "") or names.get(
                mapping.function_arn, ""
            )
            for key in (mapping.uuid, mapping.source_arn or ""):
                owner.setdefault(key, set()).add(name)
            universe.setdefault("mapping", set()).add(mapping.uuid)
            if mapping.kind == "sqs" and mapping.source_arn:
                universe.setdefault("queue", set()).add(mapping.source_arn)

    def resources_of(finding: Finding) -> tuple[str, str]:
        arn = finding.resource_arn
        if arn in universe["function"]:
            return "function", arn
        if arn in universe.get("queue", set()):
            return "queue", arn
        for uuid in universe.get("mapping", set()):
            if arn.endswith(uuid):
                return "mapping", uuid
        return "account", f"{finding.region}:account"

    flagged: dict[str, dict[str, set[str]]] = {}
    broken_by: dict[str, set[str]] = {}
    for finding in findings:
        kind, key = resources_of(finding)
        flagged.setdefault(finding.rule_id, {}).setdefault(kind, set()).add(key)
        for name in owner.get(key, set()):
            broken_by.setdefault(name, set()).add(finding.rule_id)

    problems = []
    for rule in all_rules():
        kinds = flagged.get(rule.id)
        if not kinds:
            problems.append(f"{rule.id}: no function of the demo breaks it")
            continue
        for kind, keys in kinds.items():
            if not universe[kind] - keys:
                problems.append(f"{rule.id}: every {kind} of the demo breaks it")
    for fn in acme.FUNCTIONS:
        missing = set(fn.breaks) - broken_by.get(fn.name, set())
        if missing:
            problems.append(f"{fn.name} should break {sorted(missing)}")
    for slot, rule_ids in acme.ACCOUNT_BREAKS.items():
        region = REGIONS[slot]
        for rule_id in rule_ids:
            if f"{region}:account" not in flagged.get(rule_id, {}).get("account", set()):
                problems.append(f"{region} should break {rule_id}")
    assert problems == [], json.dumps(problems, indent=1)


def test_seed_command_prints_counts_and_keeps_a_seeded_account(seeded, capsys):
    from django.core.management import call_command

    endpoint, _ = seeded
    call_command("seed_demo_aws", endpoint_url=endpoint, external_id="new-external-id")
    out = capsys.readouterr().out

    assert "already holds the demo" in out
    assume(endpoint, ROLE, "new-external-id", REGIONS[0])  # the trust policy was updated
    with pytest.raises(ClientError):
        assume(endpoint, ROLE, DEFAULT_EXTERNAL_ID, REGIONS[0])


def test_seed_with_generated_functions_for_benchmarks(aws):
    report = seed_demo(endpoint_url=aws, regions=("us-east-1",), functions_per_region=150)
    lam = boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=aws,
        **_credentials(aws),
    )
    pages = list(lam.get_paginator("list_functions").paginate())
    mappings = list(lam.get_paginator("list_event_source_mappings").paginate())

    assert sum(len(p["Functions"]) for p in pages) == 150 == report.functions["us-east-1"]
    assert len(pages) == 3
    assert (
        sum(len(p["EventSourceMappings"]) for p in mappings)
        == report.event_source_mappings["us-east-1"]
    )


def _credentials(endpoint: str) -> dict[str, str]:
    session = assume(endpoint, ROLE, DEFAULT_EXTERNAL_ID, "us-east-1")
    frozen = session.get_credentials().get_frozen_credentials()
    return {
        "aws_access_key_id": frozen.access_key,
        "aws_secret_access_key": frozen.secret_key,
        "aws_session_token": frozen.token,
    }

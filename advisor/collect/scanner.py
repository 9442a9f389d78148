"""Reads one (account, region) from AWS into a RegionInventory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from advisor.collect.errors import AwsAccessError
from advisor.collect.inventory import (
    DATA_FUNCTIONS,
    CoverageGap,
    EnvVar,
    Function,
    Layer,
    RegionInventory,
)

Progress = Callable[[str, int, int], None]

# Errors that mean "these credentials are no good here": the region cannot be read at all.
FATAL_CODES = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}


@dataclass(frozen=True)
class CollectOptions:
    metrics_days: int = 14


def _client(session: boto3.Session, service: str, region: str, endpoint_url: str | None):
    config = Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 8, "mode": "adaptive"},
    )
    return session.client(service, region_name=region, endpoint_url=endpoint_url, config=config)


def collect_region(
    *,
    session: boto3.Session,
    account_id: str,
    region: str,
    endpoint_url: str | None = None,
    options: CollectOptions | None = None,
    progress: Progress | None = None,
) -> RegionInventory:
    inventory = RegionInventory(account_id=account_id, region=region)
    lam = _client(session, "lambda", region, endpoint_url)
    try:
        for page in lam.get_paginator("list_functions").paginate():
            inventory.functions.extend(_function(item, region) for item in page["Functions"])
            inventory.api_calls["lambda.ListFunctions"] = (
                inventory.api_calls.get("lambda.ListFunctions", 0) + 1
            )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        if code in FATAL_CODES:
            raise AwsAccessError(f"{region}: credentials refused ({code})") from error
        inventory.coverage_gaps.append(
            CoverageGap(
                region=region,
                service="lambda",
                operation="ListFunctions",
                error_code=code,
                message=error.response.get("Error", {}).get("Message", ""),
                hides=DATA_FUNCTIONS,
            )
        )
    except BotoCoreError as error:
        raise AwsAccessError(f"{region}: Lambda could not be reached: {error}") from error
    if progress:
        progress("functions", len(inventory.functions), len(inventory.functions))
    return inventory


def _function(item: dict, region: str) -> Function:
    env = item.get("Environment", {}).get("Variables", {}) or {}
    return Function(
        arn=item["FunctionArn"],
        name=item["FunctionName"],
        region=region,
        runtime=item.get("Runtime"),
        handler=item.get("Handler"),
        memory_mb=item.get("MemorySize", 128),
        timeout_s=item.get("Timeout", 3),
        package_type=item.get("PackageType", "Zip"),
        architectures=item.get("Architectures", ["x86_64"]),
        code_size=item.get("CodeSize", 0),
        ephemeral_storage_mb=item.get("EphemeralStorage", {}).get("Size", 512),
        description=item.get("Description", ""),
        layers=[
            Layer(arn=layer["Arn"], code_size=layer.get("CodeSize"))
            for layer in item.get("Layers", [])
        ],
        tracing_mode=item.get("TracingConfig", {}).get("Mode", "PassThrough"),
        dead_letter_target=item.get("DeadLetterConfig", {}).get("TargetArn"),
        environment=[EnvVar(name=name, looks_secret=False) for name in sorted(env)],
        last_modified=item.get("LastModified"),
    )

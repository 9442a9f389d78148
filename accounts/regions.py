"""The AWS regions an account may be scanned in: the commercial regions Lambda is offered in,
read from botocore's own endpoint data (no network)."""

from __future__ import annotations

from functools import cache

import boto3


@cache
def lambda_regions() -> tuple[str, ...]:
    session = boto3.session.Session()
    return tuple(sorted(session.get_available_regions("lambda", partition_name="aws")))

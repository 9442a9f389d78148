"""Which environment values look like secrets (decided from the value, which is then dropped)."""

from __future__ import annotations

import json
import logging

import pytest

from advisor.collect.lambda_ import function_from_configuration
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.collect.secrets import looks_secret
from tests.collect.aws_state import ACCOUNT, REGION, Aws


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANYTHING", "AKIAIOSFODNN7EXAMPLE"),  # AWS access key id, whatever the name
        ("PAYMENTS", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
        ("SLACK", "xoxb-1234567890-abcdefghij"),
        ("CI", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        ("CERT", "-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
        (
            "SESSION",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ),
        ("DATABASE_URL", "postgres://app:s3cr3tPassw0rd@db.internal:5432/app"),
        ("DB_PASSWORD", "hU8#kLq2$vX9pRw4"),
        ("STRIPE_SECRET_KEY", "a8f5f167f44f4964e6c998dee827110c"),
        ("API_TOKEN", "Zx81mQp02LkVb7Rt5Wy3"),
        ("SIGNINGKEY", "Q2xvdWRzIGFyZSBqdXN0IG90aGVy"),
    ],
)
def test_looks_secret(name: str, value: str):
    assert looks_secret(name, value) is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STAGE", "production"),
        ("TABLE_NAME", "orders-prod-table-v2"),
        (
            "DB_PASSWORD_SECRET_ARN",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        ),
        ("API_KEY", "{{resolve:ssm:/prod/api-key}}"),
        ("DB_PASSWORD_PARAM", "/prod/db/password"),
        ("DB_PASSWORD", "/prod/db/password"),
        ("KMS_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("TOKEN_TTL", "3600"),
        ("SECRET", ""),
        ("PASSWORD", "changeme"),
        ("S3_KEY_PREFIX", "uploads/"),
        ("LOG_LEVEL", "aaaaaaaaaaaaaaaaaaaaaaaa"),
        ("API_KEY", "aaaaaaaaaaaaaaaa"),  # long but no entropy: a placeholder
    ],
)
def test_does_not_look_secret(name: str, value: str):
    assert looks_secret(name, value) is False


def test_values_are_neither_kept_nor_logged(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    value = "hU8#kLq2$vX9pRw4"
    fn = function_from_configuration(
        {
            "FunctionName": "f",
            "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "Environment": {"Variables": {"DB_PASSWORD": value}},
        },
        "us-east-1",
    )
    assert [(v.name, v.looks_secret) for v in fn.environment] == [("DB_PASSWORD", True)]
    assert value not in repr(fn)
    assert value not in caplog.text


def test_a_scan_logs_no_value_even_at_debug_level(aws: str, caplog: pytest.LogCaptureFixture):
    state = Aws.connect(aws)
    value = "hU8#kLq2$vX9pRw4"
    state.function("f", Environment={"Variables": {"DB_PASSWORD": value}})
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="botocore")

    inventory = collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=aws,
        options=CollectOptions(rate_limit=False, max_attempts=2, metrics=False),
    )

    assert inventory.functions[0].environment[0].looks_secret is True
    assert "botocore" in caplog.text  # debug logging really was on
    assert value not in caplog.text
    assert value not in json.dumps(inventory.to_dict())

"""An assumed role's credentials: whose account they are, and whether they last a region."""

import datetime as dt

import pytest

from advisor.collect.session import REUSE_MARGIN, AssumedRole, role_account

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        ("arn:aws:iam::123456789012:role/LambdaAdvisorReadOnly", "123456789012"),
        ("arn:aws-us-gov:iam::123456789012:role/path/to/Reader", "123456789012"),
        ("arn:aws:iam::1:role/x", ""),  # not 12 digits
        ("arn:aws:sts::123456789012:assumed-role/x/y", ""),  # not an IAM role ARN
        ("not-an-arn", ""),
    ],
)
def test_the_role_arn_names_the_account(arn, account):
    assert role_account(arn) == account


def role(expires_in: dt.timedelta) -> AssumedRole:
    return AssumedRole(
        role_arn="arn:aws:iam::123456789012:role/R",
        access_key_id="ASIA",
        secret_access_key="secret",
        session_token="token",
        expires_at=NOW + expires_in,
    )


def test_credentials_last_while_the_margin_is_ahead_of_them():
    assert role(REUSE_MARGIN + dt.timedelta(seconds=1)).lasts(NOW)
    assert not role(REUSE_MARGIN).lasts(NOW)
    assert not role(-dt.timedelta(minutes=1)).lasts(NOW)


def test_a_session_per_region_from_one_set_of_credentials():
    held = role(dt.timedelta(hours=1))
    east, west = held.session("us-east-1"), held.session("eu-west-1")
    assert (east.region_name, west.region_name) == ("us-east-1", "eu-west-1")
    assert east.get_credentials().access_key == west.get_credentials().access_key == "ASIA"

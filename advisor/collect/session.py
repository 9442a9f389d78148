"""Sessions for a connected account: the app's own credentials (boto3's default chain) assume
the account's read-only role with its ExternalId. No AWS keys are stored by the app."""

from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from advisor.collect.errors import AwsAccessError

SESSION_NAME = "lambda-advisor-scan"
STS_CONFIG = Config(
    connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"}
)


def assume_role_session(
    *, role_arn: str, external_id: str, region: str, endpoint_url: str | None = None
) -> boto3.Session:
    """A session holding the role's temporary credentials, or AwsAccessError saying why not."""
    sts = boto3.client("sts", region_name=region, endpoint_url=endpoint_url, config=STS_CONFIG)
    try:
        credentials = sts.assume_role(
            RoleArn=role_arn, RoleSessionName=SESSION_NAME, ExternalId=external_id
        )["Credentials"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        text = error.response.get("Error", {}).get("Message", str(error))
        raise AwsAccessError(f"Could not assume {role_arn}: {code}: {text}") from error
    except BotoCoreError as error:
        raise AwsAccessError(f"Could not assume {role_arn}: {error}") from error
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )

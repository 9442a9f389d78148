"""Builders of real AWS state in the emulator, over HTTP with boto3, for the collector tests."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

ACCOUNT = "123456789012"  # moto's default account for the dummy credentials
REGION = "us-east-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@dataclass
class Aws:
    """Clients for one (account, region) of the emulator."""

    endpoint: str
    session: boto3.Session
    region: str = REGION

    @classmethod
    def connect(cls, endpoint: str, region: str = REGION, **credentials: str) -> Aws:
        session = boto3.Session(region_name=region, **credentials)
        return cls(endpoint=endpoint, session=session, region=region)

    def client(self, service: str) -> Any:
        return self.session.client(service, region_name=self.region, endpoint_url=self.endpoint)

    def role(self, name: str = "lambda-role") -> str:
        iam = self.client("iam")
        try:
            return iam.get_role(RoleName=name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            document = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))[
                "Role"
            ]["Arn"]

    def function(self, name: str, **overrides: Any) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "FunctionName": name,
            "Runtime": "python3.12",
            "Role": self.role(),
            "Handler": "app.handler",
            "Code": {"ZipFile": package()},
        }
        spec.update(overrides)  # an override of None drops the key (images have no runtime)
        spec = {key: value for key, value in spec.items() if value is not None}
        return self.client("lambda").create_function(**spec)

    def rest_api(self, name: str, function_arn: str) -> str:
        """A REST API whose root GET proxies to ``function_arn`` (an alias ARN names the alias);
        its id."""
        apigw = self.client("apigateway")
        api = apigw.create_rest_api(name=name)["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        self._proxy_get(api, root, function_arn)
        return api

    def rest_api_routes(self, name: str, routes: dict[str, str]) -> str:
        """A REST API with one GET resource per path part, each proxying to its function ARN
        (qualified or not); its id."""
        apigw = self.client("apigateway")
        api = apigw.create_rest_api(name=name)["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        for path, function_arn in routes.items():
            resource = apigw.create_resource(restApiId=api, parentId=root, pathPart=path)["id"]
            self._proxy_get(api, resource, function_arn)
        return api

    def invoke_uri(self, function_arn: str) -> str:
        """API Gateway's integration URI for invoking ``function_arn``."""
        return (
            f"arn:aws:apigateway:{self.region}:lambda:path/2015-03-31/functions/"
            f"{function_arn}/invocations"
        )

    def _proxy_get(self, api: str, resource: str, function_arn: str) -> None:
        apigw = self.client("apigateway")
        apigw.put_method(
            restApiId=api, resourceId=resource, httpMethod="GET", authorizationType="NONE"
        )
        apigw.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="GET",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=self.invoke_uri(function_arn),
        )

    def queue(self, name: str, **attributes: Any) -> tuple[str, str]:
        sqs = self.client("sqs")
        url = sqs.create_queue(
            QueueName=name, Attributes={k: str(v) for k, v in attributes.items()}
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return url, arn

"""An estate whose every free-text string holds script: in the AWS account, where the scanner
reads it over HTTP from the emulator, and in the names users type.

Each planted string breaks out of an attribute ("'>) and then runs if it is ever parsed as
markup (<svg/onload=...>, no spaces, so it also fits fields that split on them). The alert names
the string's number, so a dialog says which field leaked."""

from __future__ import annotations

import boto3

from tests.fixtures.aws_state import create_function

REGION = "us-east-1"


class Plants:
    """Hands out planted strings and remembers where each went."""

    def __init__(self) -> None:
        self.places: dict[int, str] = {}

    def __call__(self, place: str) -> str:
        number = len(self.places) + 1
        self.places[number] = place
        return f"\"'><svg/onload=alert({number})>"

    def where(self, message: str) -> str:
        """The place a dialog's message (the alert's number) was planted."""
        return self.places.get(int(message), "?") if message.isdigit() else "?"


def plant_aws_estate(session: boto3.Session, endpoint: str, account_id: str, plant: Plants):
    """Functions behind a REST and an HTTP API, and one invoked by an EventBridge rule, with
    planted descriptions, tags, API names and rule name. Lambda's own names are [A-Za-z0-9-_]:
    AWS refuses anything else there, so they stay plain."""

    def client(service: str):
        return session.client(service, endpoint_url=endpoint, region_name=REGION)

    orders = create_function(
        session,
        endpoint,
        name="orders-api",
        Timeout=60,  # longer than the APIs in front of it: a finding naming each API
        Description=plant("function description"),
        Tags={"team": plant("tag value"), plant("tag key")[:120]: "x"},
    )
    events = create_function(
        session,
        endpoint,
        name="events-target",
        runtime="python3.8",  # deprecated: a finding for the report's lists
        Description=plant("second function description"),
    )
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{orders}/invocations"

    rest = client("apigateway")
    api_id = rest.create_rest_api(
        name=plant("REST API name"), description=plant("REST API description")
    )["id"]
    root = rest.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = rest.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    rest.put_method(
        restApiId=api_id, resourceId=resource, httpMethod="GET", authorizationType="NONE"
    )
    rest.put_integration(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri,
        timeoutInMillis=29_000,
    )

    http = client("apigatewayv2")
    http_id = http.create_api(
        Name=plant("HTTP API name"), ProtocolType="HTTP", Description=plant("HTTP API description")
    )["ApiId"]
    integration = http.create_integration(
        ApiId=http_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=orders,
        PayloadFormatVersion="2.0",
        TimeoutInMillis=30_000,
    )["IntegrationId"]
    http.create_route(ApiId=http_id, RouteKey="GET /orders", Target=f"integrations/{integration}")

    # An EventBridge rule as the function's resource policy names it: AWS allows any text after
    # the account in a SourceArn, and the scanner shows the rule as the function's caller.
    client("lambda").add_permission(
        FunctionName="events-target",
        StatementId="nightly-rule",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=f"arn:aws:events:{REGION}:{account_id}:rule/{plant('EventBridge rule name')}",
    )
    return {"orders": orders, "events": events}

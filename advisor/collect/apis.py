"""API Gateway integrations that invoke Lambda functions, with their timeouts.

REST APIs: one paginated GetRestApis, then per API one paginated GetResources with
``embed=["methods"]`` (every method and its integration in the same answer).
HTTP and WebSocket APIs: one paginated GetApis, then per API GetIntegrations and GetRoutes.
A region without one of these services is a coverage gap, not a failed scan.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from advisor.collect.context import ScanContext
from advisor.collect.inventory import DATA_APIS, ApiIntegration

REST_DEFAULT_TIMEOUT_MS = 29_000  # API Gateway REST: 50..29,000 ms, default 29,000
HTTP_DEFAULT_TIMEOUT_MS = 30_000  # HTTP API: at most 30,000 ms, the default
WEBSOCKET_DEFAULT_TIMEOUT_MS = 29_000

_LAMBDA_PATH = ":lambda:path/"
# ${stageVariables.name} in an integration URI: resolved per stage from the stage's variables
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_FUNCTIONS = "/functions/"
_INVOCATIONS = "/invocations"


def lambda_target(uri: str | None) -> str | None:
    """The function ARN an integration URI invokes, or None for a non-Lambda integration.

    ``arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations``
    (REST, HTTP) or a bare function ARN (HTTP API)."""
    if not uri:
        return None
    if _LAMBDA_PATH in uri and _FUNCTIONS in uri:
        return uri.split(_FUNCTIONS, 1)[1].removesuffix(_INVOCATIONS)
    if uri.startswith("arn:") and ":lambda:" in uri and ":function:" in uri:
        return uri
    return None


def collect_apis(ctx: ScanContext) -> None:
    collect_rest_apis(ctx)
    collect_http_apis(ctx)


def collect_rest_apis(ctx: ScanContext) -> None:
    client = ctx.client("apigateway")

    def list_apis() -> list[dict[str, Any]]:
        apis: list[dict[str, Any]] = []
        for page in client.get_paginator("get_rest_apis").paginate():
            apis.extend(page.get("items") or [])
        return apis

    apis = ctx.attempt(list_apis, service="apigateway", operation="GetRestApis", hides=DATA_APIS)
    for api in apis or []:
        found: list[ApiIntegration] = []
        resource_arn = f"arn:aws:apigateway:{ctx.region}::/restapis/{api['id']}"

        def read(api: dict[str, Any] = api, found: list[ApiIntegration] = found) -> None:
            paginator = client.get_paginator("get_resources")
            for page in paginator.paginate(restApiId=api["id"], embed=["methods"]):
                for resource in page.get("items") or []:
                    found.extend(_rest_integrations(api, resource))

        ctx.attempt(
            read,
            service="apigateway",
            operation="GetResources",
            hides=DATA_APIS,
            resource_arn=resource_arn,
        )

        def stages(api_id: str = api["id"]) -> list[tuple[str, dict[str, str]]]:
            items = client.get_stages(restApiId=api_id).get("item") or []
            return [(s["stageName"], dict(s.get("variables") or {})) for s in items]

        ctx.inventory.api_integrations.extend(
            resolve_stage_variables(ctx, found, stages, "apigateway", resource_arn)
        )


def _rest_integrations(api: dict[str, Any], resource: dict[str, Any]) -> list[ApiIntegration]:
    found = []
    for verb, method in sorted((resource.get("resourceMethods") or {}).items()):
        integration = (method or {}).get("methodIntegration") or {}
        target = lambda_target(integration.get("uri"))
        if target is None:
            continue
        found.append(
            ApiIntegration(
                function_arn=target,
                api_id=api["id"],
                api_name=api.get("name", ""),
                api_kind="rest",
                route=f"{verb} {resource.get('path', '/')}",
                timeout_ms=integration.get("timeoutInMillis") or REST_DEFAULT_TIMEOUT_MS,
            )
        )
    return found


def collect_http_apis(ctx: ScanContext) -> None:
    client = ctx.client("apigatewayv2")

    def list_apis() -> list[dict[str, Any]]:
        apis: list[dict[str, Any]] = []
        for page in client.get_paginator("get_apis").paginate():
            apis.extend(page.get("Items") or [])
        return apis

    apis = ctx.attempt(list_apis, service="apigatewayv2", operation="GetApis", hides=DATA_APIS)
    for api in apis or []:
        api_id = api["ApiId"]
        resource_arn = f"arn:aws:apigateway:{ctx.region}::/apis/{api_id}"

        def integrations(api_id: str = api_id) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            for page in client.get_paginator("get_integrations").paginate(ApiId=api_id):
                items.extend(page.get("Items") or [])
            return items

        def routes(api_id: str = api_id) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            for page in client.get_paginator("get_routes").paginate(ApiId=api_id):
                items.extend(page.get("Items") or [])
            return items

        found = ctx.attempt(
            integrations,
            service="apigatewayv2",
            operation="GetIntegrations",
            hides=DATA_APIS,
            resource_arn=resource_arn,
        )
        lambda_integrations = {
            item["IntegrationId"]: item
            for item in found or []
            if lambda_target(item.get("IntegrationUri")) is not None
        }
        if not lambda_integrations:
            continue  # nothing to attach routes to: spare the GetRoutes call
        route_items = ctx.attempt(
            routes,
            service="apigatewayv2",
            operation="GetRoutes",
            hides=DATA_APIS,
            resource_arn=resource_arn,
        )

        def stages(api_id: str = api_id) -> list[tuple[str, dict[str, str]]]:
            items = client.get_stages(ApiId=api_id).get("Items") or []
            return [(s["StageName"], dict(s.get("StageVariables") or {})) for s in items]

        ctx.inventory.api_integrations.extend(
            resolve_stage_variables(
                ctx,
                _http_integrations(api, lambda_integrations, route_items),
                stages,
                "apigatewayv2",
                resource_arn,
            )
        )


def resolve_stage_variables(
    ctx: ScanContext,
    integrations: list[ApiIntegration],
    read_stages: Any,
    service: str,
    resource_arn: str,
) -> list[ApiIntegration]:
    """An integration whose URI names ``${stageVariables.x}`` becomes one integration per stage,
    with the function that stage's variables name; where a stage sets no such variable (or the
    stages cannot be read) it stays unresolved, saying why. GetStages is called once per API,
    and only for an API with such a URI."""
    if not any(_STAGE_VARIABLE.search(i.function_arn) for i in integrations):
        return integrations
    stages = ctx.attempt(
        read_stages,
        service=service,
        operation="GetStages",
        hides=DATA_APIS,
        resource_arn=resource_arn,
    )
    resolved: list[ApiIntegration] = []
    for integration in integrations:
        names = _STAGE_VARIABLE.findall(integration.function_arn)
        if not names:
            resolved.append(integration)
            continue
        if not stages:
            why = "its stages could not be read" if stages is None else "the API has no stage"
            resolved.append(
                replace(integration, unresolved=f"the URI names a stage variable and {why}")
            )
            continue
        for stage, variables in stages:
            missing = [n for n in names if n not in variables]
            if missing:
                resolved.append(
                    replace(
                        integration,
                        stage=stage,
                        unresolved=(
                            f"stage {stage} sets no stage variable "
                            + ", ".join(sorted(set(missing)))
                        ),
                    )
                )
                continue
            arn = _STAGE_VARIABLE.sub(
                lambda m, variables=variables: variables[m.group(1)], integration.function_arn
            )
            resolved.append(replace(integration, function_arn=arn, stage=stage))
    return resolved


def _http_integrations(
    api: dict[str, Any],
    integrations: dict[str, dict[str, Any]],
    routes: list[dict[str, Any]] | None,
) -> list[ApiIntegration]:
    websocket = api.get("ProtocolType") == "WEBSOCKET"
    default_timeout = WEBSOCKET_DEFAULT_TIMEOUT_MS if websocket else HTTP_DEFAULT_TIMEOUT_MS
    routes_by_integration: dict[str, list[str]] = {}
    for route in routes or []:
        target = route.get("Target") or ""
        if target.startswith("integrations/"):
            routes_by_integration.setdefault(target.split("/", 1)[1], []).append(route["RouteKey"])
    found = []
    for integration_id, integration in integrations.items():
        # Without the routes (GetRoutes failed) the integration is still known to invoke the
        # function; its route is then unknown ("").
        keys = routes_by_integration.get(integration_id) or ([""] if routes is None else [])
        for key in sorted(keys):
            found.append(
                ApiIntegration(
                    function_arn=lambda_target(integration.get("IntegrationUri")) or "",
                    api_id=api["ApiId"],
                    api_name=api.get("Name", ""),
                    api_kind="websocket" if websocket else "http",
                    route=key,
                    timeout_ms=integration.get("TimeoutInMillis") or default_timeout,
                )
            )
    return found

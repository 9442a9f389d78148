"""Aliases and versions as AWS keeps them, where moto's Lambda keeps one of everything.

On AWS each published version and each alias is a resource of its own: it has its own resource
policy, its own event invoke config and its own function URL; an event source mapping keeps the
qualified ARN it was created with. moto keeps one policy and one event invoke config per function
(its versions share them with ``$LATEST``), ignores the ``Qualifier`` of event invoke configs,
refuses a qualifier on function URLs, and rewrites an alias ARN on a mapping to the version the
alias points at. Each ``_patch_*`` below follows the AWS API reference page it names.

Extra state lives on moto's per-(account, region) backend, so ``POST /moto-api/reset`` clears it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.awslambda.exceptions import (
    GenericResourcNotFound,
    InvalidParameterValueException,
    UnknownEventConfig,
)
from moto.awslambda.models import (
    EventInvokeConfig,
    LambdaBackend,
    LambdaFunction,
    lambda_backends,
)
from moto.awslambda.policy import Policy
from moto.awslambda.responses import LambdaResponse
from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.moto_api._internal import mock_random
from moto.moto_api._internal import urls as moto_api_urls

from advisor.demo import emulator_lambda

# Our endpoint (not an AWS API) for what only Lambda itself changes on a mapping: POST
# {"account_id", "region", "uuid", "state"?, "state_transition_reason"?,
# "last_processing_result"?}. AWS disables a mapping by itself when, for example, the function's
# role loses access to the queue (State "Disabled", StateTransitionReason "PROBLEM: ..."), and
# reports each poll's outcome in LastProcessingResult ("OK", "PROBLEM: Function call failed",
# "No records processed"): see the EventSourceMappingConfiguration page of the API reference.
MAPPING_STATE_PATH = "/moto-api/lambda-advisor/mapping-state"


def install() -> None:
    _patch_qualified_policies()
    _patch_qualified_event_invoke_configs()
    _patch_mapping_function_arn()
    _patch_qualified_function_urls()
    _patch_mapping_state_endpoint()


# --- helpers ----------------------------------------------------------------------------------


def _backend(response: LambdaResponse) -> LambdaBackend:
    return lambda_backends[response.current_account][response.region]


def _query(response: LambdaResponse, name: str) -> str | None:
    return response.querystring.get(name, [None])[0]


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status, "content-type": "application/json"}, json.dumps(body)


def _name_and_qualifier(raw: str, qualifier: str | None) -> tuple[str, str | None]:
    """A FunctionName path parameter (name, ``name:qualifier``, ARN, partial ARN) and the
    Qualifier query parameter -> (function name, qualifier or None). A qualifier in the name
    wins, as on AWS."""
    raw = unquote(raw)
    if ":function:" in raw:
        rest = raw.split(":function:", 1)[1]
    else:
        rest = raw
    name, _, in_name = rest.partition(":")
    qualifier = in_name or qualifier or None
    return name, qualifier


def _path_function(response: LambdaResponse) -> tuple[str, str | None]:
    raw = response.path.split("/functions/", 1)[1].split("/", 1)[0]
    return _name_and_qualifier(raw, _query(response, "Qualifier"))


def _latest(backend: LambdaBackend, name: str) -> LambdaFunction:
    return backend.get_function(name)  # raises ResourceNotFoundException


def _check_qualifier(backend: LambdaBackend, name: str, qualifier: str) -> None:
    """The version or alias must exist (ResourceNotFoundException otherwise)."""
    backend.get_function(name, qualifier)


def _is_qualified(qualifier: str | None) -> bool:
    return bool(qualifier) and qualifier != "$LATEST"


# --- Resource policies per version and alias ------------------------------------------------


def _policies(backend: LambdaBackend) -> dict[tuple[str, str], Policy]:
    if not hasattr(backend, "advisor_qualified_policies"):
        backend.advisor_qualified_policies = {}
    return backend.advisor_qualified_policies


def _patch_qualified_policies() -> None:
    """AddPermission, GetPolicy and RemovePermission with a Qualifier act on that version's or
    alias's own policy (API_AddPermission.html: "a permission to an alias or version applies
    only to that qualifier"; API_GetPolicy.html: "Specify a version or alias to get the policy
    for that resource"). moto answers every qualifier with the function's one policy."""
    original_add = LambdaResponse.add_permission
    original_get = LambdaResponse.get_policy
    original_remove = LambdaResponse.remove_permission

    def add_permission(self: LambdaResponse) -> Any:
        name, qualifier = _path_function(self)
        if not _is_qualified(qualifier):
            return original_add(self)
        backend = _backend(self)
        _check_qualifier(backend, name, qualifier)
        key = (name, qualifier)
        policy = _policies(backend).get(key)
        if policy is None:
            policy = Policy(_latest(backend, name))
            _policies(backend)[key] = policy
        statement, _ = policy.add_statement(self.body, qualifier)
        return _json(201, {"Statement": json.dumps(statement)})

    def get_policy(self: LambdaResponse) -> Any:
        name, qualifier = _path_function(self)
        if not _is_qualified(qualifier):
            return original_get(self)
        fault = emulator_lambda._injected_fault(self, "GetPolicy")
        if fault is not None:
            return fault
        backend = _backend(self)
        _check_qualifier(backend, name, qualifier)
        policy = _policies(backend).get((name, qualifier))
        if policy is None:
            raise GenericResourcNotFound()  # no policy on this qualifier: 404, as on AWS
        return policy.wire_format()

    def remove_permission(self: LambdaResponse) -> Any:
        name, qualifier = _path_function(self)
        if not _is_qualified(qualifier):
            return original_remove(self)
        backend = _backend(self)
        _check_qualifier(backend, name, qualifier)
        policy = _policies(backend).get((name, qualifier))
        if policy is None:
            raise GenericResourcNotFound()
        statement_id = self.path.rstrip("/").rsplit("/", 1)[-1]
        policy.del_statement(statement_id, _query(self, "RevisionId") or "")
        return 204, {"status": 204}, ""

    LambdaResponse.add_permission = add_permission
    LambdaResponse.get_policy = get_policy
    LambdaResponse.remove_permission = remove_permission


# --- Event invoke configs per version and alias ----------------------------------------------


def _invoke_configs(backend: LambdaBackend) -> dict[tuple[str, str], EventInvokeConfig]:
    if not hasattr(backend, "advisor_event_invoke_configs"):
        backend.advisor_event_invoke_configs = {}
    return backend.advisor_event_invoke_configs


def _patch_qualified_event_invoke_configs() -> None:
    """Put/Update/Get/Delete FunctionEventInvokeConfig with a Qualifier configure that version
    or alias alone, and ListFunctionEventInvokeConfigs lists the configs of every qualifier
    (API_PutFunctionEventInvokeConfig.html: "To configure options for asynchronous invocation
    [of] a version or alias, specify the Qualifier"; API_ListFunctionEventInvokeConfigs.html).
    moto reads no qualifier and keeps one config per function, shared with its versions."""
    original_put = LambdaResponse.put_function_event_invoke_config
    original_update = LambdaResponse.update_function_event_invoke_config
    original_get = LambdaResponse.get_function_event_invoke_config
    original_delete = LambdaResponse.delete_function_event_invoke_config

    def _put(self: LambdaResponse, original: Any, *, merge: bool) -> Any:
        name, qualifier = _path_function(self)
        if not _is_qualified(qualifier):
            return original(self)
        backend = _backend(self)
        _check_qualifier(backend, name, qualifier)
        latest = _latest(backend, name)
        key = (name, qualifier)
        body = dict(self.json_body)
        existing = _invoke_configs(backend).get(key)
        if merge and existing is not None:  # UpdateFunctionEventInvokeConfig keeps the rest
            body = {**existing.config, **body}
        config = EventInvokeConfig(
            f"{latest.function_arn}:{qualifier}", iso_8601_datetime_with_milliseconds(), body
        )
        _invoke_configs(backend)[key] = config
        return _json(200, config.response())

    def put_config(self: LambdaResponse) -> Any:
        return _put(self, original_put, merge=False)

    def update_config(self: LambdaResponse) -> Any:
        return _put(self, original_update, merge=True)

    def get_config(self: LambdaResponse) -> Any:
        name, qualifier = _path_function(self)
        if not _is_qualified(qualifier):
            return original_get(self)
        backend = _backend(self)
        _check_qualifier(backend, name, qualifier)
        config = _invoke_configs(backend).get((name, qualifier))
        if config is None:
            raise UnknownEventConfig(f"{_latest(backend, name).function_arn}:{qualifier}")
        return _json(200, config.response())

    def delete_config(self: LambdaResponse) -> Any:
        name, qualifier = _path_function(self)
        if not _is_qualified(qualifier):
            return original_delete(self)
        backend = _backend(self)
        if _invoke_configs(backend).pop((name, qualifier), None) is None:
            raise UnknownEventConfig(f"{_latest(backend, name).function_arn}:{qualifier}")
        return 204, {"status": 204}, ""

    def list_configs(self: LambdaResponse) -> Any:
        name, _ = _path_function(self)
        backend = _backend(self)
        latest = _latest(backend, name)
        configs = []
        if latest.event_invoke_config:
            configs.append(latest.event_invoke_config[0].response())
        configs.extend(
            config.response()
            for (config_name, _), config in _invoke_configs(backend).items()
            if config_name == name
        )
        return _json(200, {"FunctionEventInvokeConfigs": configs})

    LambdaResponse.put_function_event_invoke_config = put_config
    LambdaResponse.update_function_event_invoke_config = update_config
    LambdaResponse.get_function_event_invoke_config = get_config
    LambdaResponse.delete_function_event_invoke_config = delete_config
    LambdaResponse.list_function_event_invoke_configs = list_configs


# --- Event source mappings keep the ARN they were given ---------------------------------------


def _qualified_arn(backend: LambdaBackend, function_name: str) -> str:
    """The ARN AWS reports for a mapping created with ``function_name``: the function's ARN,
    qualified exactly as the request was (an alias stays an alias)."""
    name, qualifier = _name_and_qualifier(function_name, None)
    latest = _latest(backend, name)
    return f"{latest.function_arn}:{qualifier}" if qualifier else latest.function_arn


def _patch_mapping_function_arn() -> None:
    """CreateEventSourceMapping / UpdateEventSourceMapping with ``fn:live`` report
    FunctionArn ``…:function:fn:live`` (API_CreateEventSourceMapping.html: FunctionName
    "Version or Alias ARN"; the mapping invokes that qualifier, so moving the alias moves the
    mapping). moto stores the ARN of the version the alias points at when the call is made."""
    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping

    def create_event_source_mapping(self: LambdaBackend, spec: dict[str, Any]) -> Any:
        wanted = spec.get("FunctionName") or ""
        mapping = original_create(self, spec)
        mapping.function_arn = _qualified_arn(self, wanted)
        return mapping

    def update_event_source_mapping(self: LambdaBackend, uuid: str, spec: dict[str, Any]) -> Any:
        mapping = original_update(self, uuid, spec)
        if mapping is not None and spec.get("FunctionName"):
            mapping.function_arn = _qualified_arn(self, spec["FunctionName"])
        return mapping

    LambdaBackend.create_event_source_mapping = create_event_source_mapping
    LambdaBackend.update_event_source_mapping = update_event_source_mapping

    # What Lambda itself reports about a mapping (see MAPPING_STATE_PATH); moto always answers
    # StateTransitionReason "User initiated" and LastProcessingResult null.
    from moto.awslambda.models import EventSourceMapping

    original_configuration = EventSourceMapping.get_configuration

    def get_configuration(self: EventSourceMapping) -> dict[str, Any]:
        config = original_configuration(self)
        override = getattr(self, "advisor_state", None) or {}
        if "state" in override:
            config["State"] = override["state"]
        if "state_transition_reason" in override:
            config["StateTransitionReason"] = override["state_transition_reason"]
        if "last_processing_result" in override:
            config["LastProcessingResult"] = override["last_processing_result"]
        return config

    EventSourceMapping.get_configuration = get_configuration


def _patch_mapping_state_endpoint() -> None:
    def set_mapping_state(request: Any, full_url: str, headers: Any) -> tuple:
        if request.method != "POST":
            return 405, {}, json.dumps({"Error": "POST a JSON body"})
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
            backend = lambda_backends[str(body["account_id"])][body["region"]]
            mapping = backend.get_event_source_mapping(str(body["uuid"]))
            if mapping is None:
                raise KeyError(f"no mapping {body['uuid']}")
            state = {
                key: str(body[key])
                for key in ("state", "state_transition_reason", "last_processing_result")
                if key in body
            }
            mapping.advisor_state = {**(getattr(mapping, "advisor_state", None) or {}), **state}
        except (KeyError, ValueError, TypeError) as error:
            return 400, {}, json.dumps({"Error": f"bad request: {error!r}"})
        return 200, {}, json.dumps({"status": "ok"})

    moto_api_urls.url_paths["{0}" + MAPPING_STATE_PATH] = set_mapping_state


# --- Function URLs on aliases -----------------------------------------------------------------


def _urls(backend: LambdaBackend) -> dict[tuple[str, str], dict[str, Any]]:
    if not hasattr(backend, "advisor_qualified_urls"):
        backend.advisor_qualified_urls = {}
    return backend.advisor_qualified_urls


def _patch_qualified_function_urls() -> None:
    """Create/Get/Update/Delete FunctionUrlConfig with a Qualifier (an alias name) act on that
    alias's URL, and ListFunctionUrlConfigs lists the function's URL and its aliases' URLs
    (API_CreateFunctionUrlConfig.html: Qualifier "The alias name";
    API_ListFunctionUrlConfigs.html). moto refuses a qualifier on every URL call."""
    original_create = LambdaResponse.create_function_url_config
    original_get = LambdaResponse.get_function_url_config
    original_update = LambdaResponse.update_function_url_config
    original_delete = LambdaResponse.delete_function_url_config

    def _alias_target(self: LambdaResponse) -> tuple[LambdaBackend, str, str] | None:
        name, qualifier = _path_function(self)
        if not _is_qualified(qualifier):
            return None
        backend = _backend(self)
        if qualifier.isdigit():
            raise InvalidParameterValueException(
                "Function URLs can be created only for the unqualified function or an alias."
            )
        backend.get_alias(qualifier, name)  # the alias must exist
        return backend, name, qualifier

    def create_url(self: LambdaResponse) -> Any:
        target = _alias_target(self)
        if target is None:
            return original_create(self)
        backend, name, qualifier = target
        latest = _latest(backend, name)
        now = iso_8601_datetime_with_milliseconds()
        body = self.json_body
        config = {
            "FunctionUrl": (
                f"https://{mock_random.uuid4().hex}.lambda-url.{latest.region}.on.aws/"
            ),
            "FunctionArn": f"{latest.function_arn}:{qualifier}",
            "AuthType": body.get("AuthType"),
            "Cors": body.get("Cors"),
            "CreationTime": now,
            "LastModifiedTime": now,
            "InvokeMode": body.get("InvokeMode") or "BUFFERED",
        }
        _urls(backend)[(name, qualifier)] = config
        return _json(201, config)

    def get_url(self: LambdaResponse) -> Any:
        target = _alias_target(self)
        if target is None:
            return original_get(self)
        backend, name, qualifier = target
        config = _urls(backend).get((name, qualifier))
        if config is None:
            raise GenericResourcNotFound()
        return _json(200, config)

    def update_url(self: LambdaResponse) -> Any:
        target = _alias_target(self)
        if target is None:
            return original_update(self)
        backend, name, qualifier = target
        config = _urls(backend).get((name, qualifier))
        if config is None:
            raise GenericResourcNotFound()
        body = self.json_body
        for key in ("AuthType", "Cors", "InvokeMode"):
            if body.get(key) is not None:
                config[key] = body[key]
        config["LastModifiedTime"] = iso_8601_datetime_with_milliseconds()
        return _json(200, config)

    def delete_url(self: LambdaResponse) -> Any:
        target = _alias_target(self)
        if target is None:
            return original_delete(self)
        backend, name, qualifier = target
        if _urls(backend).pop((name, qualifier), None) is None:
            raise GenericResourcNotFound()
        return 204, {"status": 204}, ""

    def list_urls(self: LambdaResponse) -> Any:
        name, _ = _path_function(self)
        backend = _backend(self)
        latest = _latest(backend, name)
        configs = [latest.url_config.to_dict()] if latest.url_config else []
        configs.extend(
            config for (url_name, _), config in _urls(backend).items() if url_name == name
        )
        page, marker = emulator_lambda._page(
            configs,
            _query(self, "Marker"),
            _query(self, "MaxItems"),
            emulator_lambda.LIST_URLS_PAGE,
        )
        body: dict[str, Any] = {"FunctionUrlConfigs": page}
        if marker:
            body["NextMarker"] = marker
        return _json(200, body)

    LambdaResponse.create_function_url_config = create_url
    LambdaResponse.get_function_url_config = get_url
    LambdaResponse.update_function_url_config = update_url
    LambdaResponse.delete_function_url_config = delete_url
    LambdaResponse.list_function_url_configs = list_urls

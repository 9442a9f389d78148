"""Lambda operations and behaviours moto's server lacks, added the way moto adds its own.

Each ``_patch_*`` function below is one behaviour. Responses follow botocore's service model for
Lambda (rest-json), so boto3 parses them exactly as it parses AWS's. Extra state is kept on moto's
own per-(account, region) backend objects, so ``POST /moto-api/reset`` clears it as well.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import unquote

from moto.awslambda import urls as lambda_urls
from moto.awslambda.exceptions import (
    GenericResourcNotFound,
    InvalidParameterValueException,
    LambdaClientError,
)
from moto.awslambda.models import LambdaBackend, LambdaFunction, lambda_backends
from moto.awslambda.policy import Policy
from moto.awslambda.responses import LambdaResponse
from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.moto_api._internal import urls as moto_api_urls

# Account limits AWS reports by default (GetAccountSettings.AccountLimit). TotalCodeSize rose
# from 75 GB to 300 GB in 2026; the other three have not moved in years.
TOTAL_CODE_SIZE_LIMIT = 322_122_547_200
CODE_SIZE_ZIPPED_LIMIT = 52_428_800
CODE_SIZE_UNZIPPED_LIMIT = 262_144_000
DEFAULT_CONCURRENCY_LIMIT = 1000

# Real page sizes: ListFunctions returns at most 50 items, ListEventSourceMappings at most 100,
# whatever MaxItems asks for.
LIST_FUNCTIONS_PAGE = 50
LIST_MAPPINGS_PAGE = 100
LIST_URLS_PAGE = 50
LIST_PROVISIONED_PAGE = 50

# Our endpoint (not an AWS API) for account settings AWS sets by quota, not by API call:
# POST {"account_id", "region", "concurrency_limit"?, "code_storage_offset"?} where
# ``concurrency_limit`` replaces the default 1,000 (AWS raises it on request; new accounts may
# get less) and ``code_storage_offset`` adds bytes to AccountUsage.TotalCodeSize: the code of old
# published versions and of functions a demo describes but does not upload.
ACCOUNT_SETTINGS_PATH = "/moto-api/lambda-advisor/account-settings"

# Our endpoint (not an AWS API) for fault injection in tests: POST {"account_id", "region",
# "function_name", "operation": "GetFunction" | "GetPolicy", "status"?, "times"?} makes that
# operation answer that one function with an HTTP error (500 unless ``status`` says otherwise)
# that carries no error code, ``times`` times or until a reset. AWS can answer so: an internal
# failure (InternalFailure / ServiceException are 500s) that reaches the SDK without its code, or
# a proxy's bare 404 or 503; the SDK then knows only the status. DELETE {"account_id", "region"}
# clears that region's faults (a reset clears them all).
FAULTS_PATH = "/moto-api/lambda-advisor/faults"
FAULT_OPERATIONS = ("GetFunction", "GetPolicy")

FUNCTION_PATH = r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)"


def install() -> None:
    _patch_routes()
    _patch_account_settings()
    _patch_provisioned_concurrency()
    _patch_function_url_listing()
    _patch_list_functions_pages()
    _patch_list_event_source_mappings()
    _patch_get_layer_version_by_arn()
    _patch_function_configuration()
    _patch_url_auth_condition()
    _patch_resolved_image_uri()
    _patch_account_settings_endpoint()
    _patch_faults()


# --- helpers ----------------------------------------------------------------------------------


class ProvisionedConcurrencyConfigNotFound(LambdaClientError):
    code = 404

    def __init__(self, message: str) -> None:
        super().__init__("ProvisionedConcurrencyConfigNotFoundException", message)


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status, "content-type": "application/json"}, json.dumps(body)


def _function_name_from_path(path: str) -> str:
    # /{api_version}/functions/{FunctionName}/{what}
    return unquote(path.split("/functions/", 1)[1].split("/", 1)[0])


def _page(items: list[Any], marker: str | None, max_items: str | None, cap: int) -> tuple:
    """One page of ``items`` from an opaque marker, never more than ``cap`` items."""
    start = 0
    if marker:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(marker.encode()))["offset"])
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidParameterValueException(f"Invalid marker: {marker}") from error
    size = cap
    if max_items:
        size = min(int(max_items), cap)
        if size < 1:
            raise InvalidParameterValueException("MaxItems must be at least 1")
    chunk = items[start : start + size]
    end = start + len(chunk)
    next_marker = None
    if end < len(items):
        next_marker = base64.urlsafe_b64encode(json.dumps({"offset": end}).encode()).decode()
    return chunk, next_marker


def _backend(response: LambdaResponse) -> LambdaBackend:
    return lambda_backends[response.current_account][response.region]


def _query(response: LambdaResponse, name: str) -> str | None:
    return response.querystring.get(name, [None])[0]


# --- routes -----------------------------------------------------------------------------------


def _patch_routes() -> None:
    """moto's Lambda app answers 404 to these paths: route them to its LambdaResponse.

    The operation is then found from method and path by botocore's model, as moto does for the
    rest of Lambda, and served by the methods added below."""
    lambda_urls.url_paths.update(
        {
            r"{0}/(?P<api_version>[^/]+)/account-settings/?$": LambdaResponse.dispatch,
            FUNCTION_PATH + r"/urls/?$": LambdaResponse.dispatch,
            FUNCTION_PATH + r"/provisioned-concurrency/?$": LambdaResponse.dispatch,
        }
    )


# --- GetAccountSettings -----------------------------------------------------------------------


def concurrency_limit(backend: LambdaBackend) -> int:
    return getattr(backend, "advisor_concurrency_limit", DEFAULT_CONCURRENCY_LIMIT)


def _patch_account_settings() -> None:
    """GetAccountSettings: AWS's default limits; usage and the unreserved pool computed from the
    functions of this account and region."""

    def get_account_settings(self: LambdaResponse) -> tuple:
        backend = _backend(self)
        limit = concurrency_limit(backend)
        code_size = 0
        reserved = 0
        function_count = 0
        for group in backend._lambdas._functions.values():
            latest = group["latest"]
            if latest is not None:
                function_count += 1
                code_size += latest.code_size or 0
                reserved += int(latest.reserved_concurrency or 0)
            code_size += sum(version.code_size or 0 for version in group["versions"])
        for layer in backend._layers._layers.values():
            code_size += sum(lv.code_size or 0 for lv in layer.layer_versions.values())
        code_size += getattr(backend, "advisor_code_storage_offset", 0)
        return _json(
            200,
            {
                "AccountLimit": {
                    "TotalCodeSize": TOTAL_CODE_SIZE_LIMIT,
                    "CodeSizeUnzipped": CODE_SIZE_UNZIPPED_LIMIT,
                    "CodeSizeZipped": CODE_SIZE_ZIPPED_LIMIT,
                    "ConcurrentExecutions": limit,
                    "UnreservedConcurrentExecutions": limit - reserved,
                },
                "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": function_count},
            },
        )

    LambdaResponse.get_account_settings = get_account_settings


def _patch_account_settings_endpoint() -> None:
    """Our endpoint for quota-level settings (see ACCOUNT_SETTINGS_PATH). Values are kept on
    moto's backend, so a reset restores the defaults."""

    def set_account_settings(request: Any, full_url: str, headers: Any) -> tuple:
        if request.method != "POST":
            return 405, {}, json.dumps({"Error": "POST a JSON body"})
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
            backend = lambda_backends[str(body["account_id"])][body["region"]]
            if "concurrency_limit" in body:
                backend.advisor_concurrency_limit = int(body["concurrency_limit"])
            if "code_storage_offset" in body:
                backend.advisor_code_storage_offset = int(body["code_storage_offset"])
        except (KeyError, ValueError, TypeError) as error:
            return 400, {}, json.dumps({"Error": f"bad request: {error!r}"})
        return 200, {}, json.dumps({"status": "ok"})

    moto_api_urls.url_paths["{0}" + ACCOUNT_SETTINGS_PATH] = set_account_settings


# --- Faults for tests ------------------------------------------------------------------------


def _faults(backend: LambdaBackend) -> dict[tuple[str, str], dict[str, int | None]]:
    """(operation, function name) -> {"status", "times"} (``times`` None: until a reset), kept on
    the backend so that a reset clears them."""
    if not hasattr(backend, "advisor_faults"):
        backend.advisor_faults = {}
    return backend.advisor_faults


def _injected_fault(response: LambdaResponse, operation: str) -> tuple | None:
    """The codeless error a test asked this operation to answer for this function, if any."""
    name = _function_name_from_path(response.path)
    if name.startswith("arn:"):
        name = name.split(":")[6]
    faults = _faults(_backend(response))
    fault = faults.get((operation, name))
    if fault is None:
        return None
    if fault["times"] is not None:
        fault["times"] -= 1
        if fault["times"] <= 0:
            del faults[(operation, name)]
    status = int(fault["status"])
    # No x-amzn-errortype header and no code in the body: the SDK knows only the status.
    body = json.dumps({"message": f"internal failure (fault injected for {name})"})
    return status, {"status": status, "content-type": "application/json"}, body


def _patch_faults() -> None:
    """Our endpoint (see FAULTS_PATH) and the GetFunction / GetPolicy answers it changes."""

    def set_fault(request: Any, full_url: str, headers: Any) -> tuple:
        if request.method not in ("POST", "DELETE"):
            return 405, {}, json.dumps({"Error": "POST or DELETE a JSON body"})
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
            backend = lambda_backends[str(body["account_id"])][body["region"]]
            if request.method == "DELETE":
                _faults(backend).clear()
                return 200, {}, json.dumps({"status": "ok"})
            operation = body["operation"]
            if operation not in FAULT_OPERATIONS:
                raise ValueError(f"operation must be one of {FAULT_OPERATIONS}")
            status = int(body.get("status", 500))
            if not 400 <= status <= 599:
                raise ValueError("status must be an HTTP error status")
            times = body.get("times")
            _faults(backend)[(operation, str(body["function_name"]))] = {
                "status": status,
                "times": None if times is None else int(times),
            }
        except (KeyError, ValueError, TypeError) as error:
            return 400, {}, json.dumps({"Error": f"bad request: {error!r}"})
        return 200, {}, json.dumps({"status": "ok"})

    moto_api_urls.url_paths["{0}" + FAULTS_PATH] = set_fault

    original_get_function = LambdaResponse.get_function
    original_get_policy = LambdaResponse.get_policy

    def get_function(self: LambdaResponse) -> Any:
        return _injected_fault(self, "GetFunction") or original_get_function(self)

    def get_policy(self: LambdaResponse) -> Any:
        return _injected_fault(self, "GetPolicy") or original_get_policy(self)

    LambdaResponse.get_function = get_function
    LambdaResponse.get_policy = get_policy


# --- Provisioned concurrency ------------------------------------------------------------------


def _provisioned(backend: LambdaBackend) -> dict[tuple[str, str], dict[str, Any]]:
    """(function name, qualifier) -> config, stored on the backend so that reset clears it."""
    if not hasattr(backend, "advisor_provisioned"):
        backend.advisor_provisioned = {}
    return backend.advisor_provisioned


def _qualified_target(backend: LambdaBackend, name_or_arn: str, qualifier: str | None):
    """The function and the qualifier a provisioned-concurrency call addresses."""
    _, name, arn_qualifier = backend._lambdas.split_function_arn(name_or_arn)
    if ":" not in name_or_arn:
        name = name_or_arn
    qualifier = arn_qualifier or qualifier
    function = backend.get_function(name)  # raises ResourceNotFoundException
    return function, qualifier


def _check_qualifier(backend: LambdaBackend, function: LambdaFunction, qualifier: str) -> None:
    if not qualifier or qualifier == "$LATEST":
        raise InvalidParameterValueException(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    if qualifier.isdigit():
        backend.get_function(function.function_name, qualifier)  # the version must exist
    else:
        backend.get_alias(qualifier, function.function_name)  # the alias must exist


def _patch_provisioned_concurrency() -> None:
    """Put/Get/Delete ProvisionedConcurrencyConfig and ListProvisionedConcurrencyConfigs.

    AWS allocates the environments over a few minutes (IN_PROGRESS, then READY); the emulator
    reports READY at once with everything allocated."""

    def put_provisioned_concurrency_config(self: LambdaResponse) -> tuple:
        backend = _backend(self)
        function, qualifier = _qualified_target(
            backend, _function_name_from_path(self.path), _query(self, "Qualifier")
        )
        _check_qualifier(backend, function, qualifier)
        requested = int(json.loads(self.body)["ProvisionedConcurrentExecutions"])
        if requested < 1:
            raise InvalidParameterValueException("ProvisionedConcurrentExecutions must be >= 1")
        config = {
            "FunctionArn": f"{function.function_arn}:{qualifier}",
            "RequestedProvisionedConcurrentExecutions": requested,
            "AvailableProvisionedConcurrentExecutions": requested,
            "AllocatedProvisionedConcurrentExecutions": requested,
            "Status": "READY",
            "LastModified": iso_8601_datetime_with_milliseconds(),
        }
        _provisioned(backend)[(function.function_name, qualifier)] = config
        return _json(202, {k: v for k, v in config.items() if k != "FunctionArn"})

    def get_provisioned_concurrency_config(self: LambdaResponse) -> tuple:
        if _query(self, "List") == "ALL":
            return list_provisioned_concurrency_configs(self)
        backend = _backend(self)
        function, qualifier = _qualified_target(
            backend, _function_name_from_path(self.path), _query(self, "Qualifier")
        )
        config = _provisioned(backend).get((function.function_name, qualifier))
        if config is None:
            raise ProvisionedConcurrencyConfigNotFound(
                f"No Provisioned Concurrency Config found for this function: "
                f"{function.function_arn}:{qualifier}"
            )
        return _json(200, {k: v for k, v in config.items() if k != "FunctionArn"})

    def delete_provisioned_concurrency_config(self: LambdaResponse) -> tuple:
        backend = _backend(self)
        function, qualifier = _qualified_target(
            backend, _function_name_from_path(self.path), _query(self, "Qualifier")
        )
        _provisioned(backend).pop((function.function_name, qualifier), None)
        return 204, {"status": 204}, ""

    def list_provisioned_concurrency_configs(self: LambdaResponse) -> tuple:
        backend = _backend(self)
        function, _ = _qualified_target(backend, _function_name_from_path(self.path), None)
        configs = [
            config
            for (name, _), config in _provisioned(backend).items()
            if name == function.function_name
        ]
        page, marker = _page(
            configs, _query(self, "Marker"), _query(self, "MaxItems"), LIST_PROVISIONED_PAGE
        )
        body: dict[str, Any] = {"ProvisionedConcurrencyConfigs": page}
        if marker:
            body["NextMarker"] = marker
        return _json(200, body)

    LambdaResponse.put_provisioned_concurrency_config = put_provisioned_concurrency_config
    LambdaResponse.get_provisioned_concurrency_config = get_provisioned_concurrency_config
    LambdaResponse.delete_provisioned_concurrency_config = delete_provisioned_concurrency_config
    LambdaResponse.list_provisioned_concurrency_configs = list_provisioned_concurrency_configs


# --- Function URLs ----------------------------------------------------------------------------


def _patch_function_url_listing() -> None:
    """ListFunctionUrlConfigs (moto has Create/Get/Update/Delete but not the listing)."""

    def list_function_url_configs(self: LambdaResponse) -> tuple:
        backend = _backend(self)
        function = backend.get_function(_function_name_from_path(self.path))
        configs = [function.url_config.to_dict()] if function.url_config else []
        page, marker = _page(
            configs, _query(self, "Marker"), _query(self, "MaxItems"), LIST_URLS_PAGE
        )
        body: dict[str, Any] = {"FunctionUrlConfigs": page}
        if marker:
            body["NextMarker"] = marker
        return _json(200, body)

    LambdaResponse.list_function_url_configs = list_function_url_configs


# --- Listings with real pages -----------------------------------------------------------------


def _patch_list_functions_pages() -> None:
    """ListFunctions in pages of at most 50, honouring MaxItems and Marker (moto returns every
    function in one page and ignores both)."""

    def list_functions(self: LambdaResponse) -> str:
        backend = _backend(self)
        functions = list(backend.list_functions(_query(self, "FunctionVersion")))
        page, marker = _page(
            functions, _query(self, "Marker"), _query(self, "MaxItems"), LIST_FUNCTIONS_PAGE
        )
        body: dict[str, Any] = {"Functions": [fn.get_configuration() for fn in page]}
        if marker:
            body["NextMarker"] = marker
        return json.dumps(body)

    LambdaResponse.list_functions = list_functions


def _mapping_matches(backend: LambdaBackend, mapping: Any, wanted: str) -> bool:
    """Does the mapping invoke ``wanted`` (a name, an ARN or a partial ARN, maybe qualified)?"""
    mapping_arn = mapping.function_arn
    if wanted.startswith("arn:"):
        wanted_arn = wanted
    elif ":function:" in wanted:  # partial ARN: 123456789012:function:name[:qualifier]
        wanted_arn = f"arn:aws:lambda:{backend.region_name}:{wanted}"
    else:
        name, _, qualifier = wanted.partition(":")
        wanted_arn = (
            f"arn:aws:lambda:{backend.region_name}:{backend.account_id}:function:{name}"
            + (f":{qualifier}" if qualifier else "")
        )
    if wanted_arn.count(":") == 6:  # unqualified: every mapping of the function
        return mapping_arn == wanted_arn or mapping_arn.startswith(wanted_arn + ":")
    return mapping_arn == wanted_arn


def _patch_list_event_source_mappings() -> None:
    """ListEventSourceMappings: FunctionName matches names and ARNs alike (moto compares the
    filter with whatever string the mapping was created with, so an ARN finds nothing), and
    results come in pages of at most 100 with MaxItems and Marker."""

    def list_event_source_mappings(self: LambdaResponse) -> str:
        backend = _backend(self)
        source_arn = _query(self, "EventSourceArn")
        function_name = _query(self, "FunctionName")
        mappings = list(backend._event_source_mappings.values())
        if source_arn:
            mappings = [m for m in mappings if m.event_source_arn == source_arn]
        if function_name:
            mappings = [m for m in mappings if _mapping_matches(backend, m, function_name)]
        page, marker = _page(
            mappings, _query(self, "Marker"), _query(self, "MaxItems"), LIST_MAPPINGS_PAGE
        )
        body: dict[str, Any] = {"EventSourceMappings": [m.get_configuration() for m in page]}
        if marker:
            body["NextMarker"] = marker
        return json.dumps(body)

    LambdaResponse.list_event_source_mappings = list_event_source_mappings


# --- Layers -----------------------------------------------------------------------------------


def _patch_get_layer_version_by_arn() -> None:
    """GetLayerVersionByArn (GET /layers?find=LayerVersion&Arn=…): moto answers 500."""

    def get_layer_version_by_arn(self: LambdaResponse) -> tuple:
        arn = _query(self, "Arn") or ""
        layer_version = _backend(self).layers_versions_by_arn(arn)
        if layer_version is None:
            raise GenericResourcNotFound()
        return _json(200, layer_version.get_layer_version())

    LambdaResponse.get_layer_version_by_arn = get_layer_version_by_arn


# --- Function configuration fields moto drops -------------------------------------------------


def _patch_function_configuration() -> None:
    """Keep DeadLetterConfig, SnapStart and LoggingConfig, which moto accepts and forgets, and
    report a reserved concurrency of 0 (a throttled function), which moto leaves out."""
    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_configuration = LambdaFunction.get_configuration
    original_get_code = LambdaFunction.get_code

    def __init__(self: LambdaFunction, account_id: str, spec: dict, *args, **kwargs) -> None:
        original_init(self, account_id, spec, *args, **kwargs)
        self.advisor_dead_letter_config = spec.get("DeadLetterConfig") or None
        self.advisor_snap_start = (spec.get("SnapStart") or {}).get("ApplyOn", "None")
        self.advisor_logging_config = spec.get("LoggingConfig") or {}

    def update_configuration(self: LambdaFunction, config_updates: dict) -> dict:
        if "DeadLetterConfig" in config_updates:
            self.advisor_dead_letter_config = config_updates["DeadLetterConfig"] or None
        if "SnapStart" in config_updates:
            self.advisor_snap_start = config_updates["SnapStart"].get("ApplyOn", "None")
        if "LoggingConfig" in config_updates:
            self.advisor_logging_config = config_updates["LoggingConfig"] or {}
        return original_update(self, config_updates)

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict:
        config = original_configuration(self, on_create=on_create)
        dead_letter = getattr(self, "advisor_dead_letter_config", None)
        if dead_letter and dead_letter.get("TargetArn"):
            config["DeadLetterConfig"] = {"TargetArn": dead_letter["TargetArn"]}
        snap_start = getattr(self, "advisor_snap_start", "None")
        optimised = snap_start == "PublishedVersions" and str(self.version) != "$LATEST"
        config["SnapStart"] = {
            "ApplyOn": snap_start,
            "OptimizationStatus": "On" if optimised else "Off",
        }
        logging_config = getattr(self, "advisor_logging_config", {})
        config["LoggingConfig"] = {
            "LogFormat": logging_config.get("LogFormat", "Text"),
            "LogGroup": logging_config.get("LogGroup", f"/aws/lambda/{self.function_name}"),
        }
        for key in ("ApplicationLogLevel", "SystemLogLevel"):
            if key in logging_config:
                config["LoggingConfig"][key] = logging_config[key]
        return config

    def get_code(self: LambdaFunction) -> dict:
        response = original_get_code(self)
        if self.reserved_concurrency is not None and int(self.reserved_concurrency) == 0:
            response["Concurrency"] = {"ReservedConcurrentExecutions": 0}
        return response

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.get_code = get_code


# --- Resource policy: function URL auth type ------------------------------------------------


def _patch_url_auth_condition() -> None:
    """AddPermission with FunctionUrlAuthType: AWS writes it into the statement as the condition
    ``{"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}``; moto keeps the raw request
    field. Services given as ``s3.amazonaws.com`` keep moto's ``{"Service": …}`` form."""
    original_decode = Policy.decode_policy

    def decode_policy(self: Policy, obj: dict[str, Any]) -> Policy:
        auth_type = obj.pop("FunctionUrlAuthType", None)
        policy = original_decode(self, obj)
        if auth_type and policy.statements:
            statement = policy.statements[0]
            condition = statement.setdefault("Condition", {})
            condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = auth_type
        return policy

    Policy.decode_policy = decode_policy


def _patch_resolved_image_uri() -> None:
    """GetFunction's Code.ResolvedImageUri: Lambda resolves the image's tag to the digest ECR
    holds when the function is deployed; moto appends the function's code hash instead. Where
    the emulator's ECR has the image, its digest is used, as AWS would."""
    original = LambdaFunction.get_code

    def get_code(self: LambdaFunction) -> dict[str, Any]:
        response = original(self)
        code = response.get("Code") or {}
        uri = self.code.get("ImageUri") if isinstance(self.code, dict) else None
        if code.get("RepositoryType") == "ECR" and uri:
            digest = _ecr_digest(uri, self.region)
            if digest:
                repository_uri = uri.split("@", 1)[0] if "@" in uri else uri.rsplit(":", 1)[0]
                code["ResolvedImageUri"] = f"{repository_uri}@{digest}"
        return response

    LambdaFunction.get_code = get_code


def _ecr_digest(uri: str, region: str) -> str | None:
    """The digest of the image ``uri`` names (by tag or digest) in the emulator's ECR."""
    from moto.ecr.models import ecr_backends

    host, _, path = uri.partition("/")
    registry = host.split(".", 1)[0]
    if "@" in path:
        repository, digest = path.split("@", 1)
        tag = None
    else:
        repository, _, tag = path.partition(":")
        tag, digest = tag or "latest", None
    try:
        repo = ecr_backends[registry][region].repositories.get(repository)
    except KeyError:
        return None
    for image in repo.images if repo else []:
        if (digest and image.get_image_digest() == digest) or (tag and tag in image.image_tags):
            return image.get_image_digest()
    return None

"""The Price List Query API (``pricing``), which moto does not have: GetProducts as AWS answers it.

Reference: docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
and API_pricing_Filter.html. Requests are JSON 1.1 (``X-Amz-Target:
AWSPriceListService.GetProducts``); the answer is ``{"FormatVersion": "aws_v1", "PriceList":
[<a JSON *string* per product>], "NextToken"?}``, at most ``MaxResults`` (1-100, default 100)
products a page. Filters all apply (AND): TERM_MATCH and EQUALS match a product attribute (or
``ServiceCode``) exactly, CONTAINS as a substring, ANY_OF / NONE_OF against a comma-separated
list. A page token from another query is refused with InvalidNextTokenException.

The catalogue is test data, loaded over HTTP: ``POST /moto-api/lambda-advisor/pricing`` with
``{"products": [<product documents, as dicts>]}`` adds products (each names its
``serviceCode``); moto's reset empties it. Nothing in it is a real price.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_api._internal.models import MotoAPIBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

CATALOGUE_PATH = "/moto-api/lambda-advisor/pricing"
TARGET_PREFIX = "AWSPriceListService."
FILTER_TYPES = ("TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF")

_lock = threading.Lock()
_products: list[dict[str, Any]] = []


def install() -> None:
    original_call = DomainDispatcherApplication.__call__
    original_reset = MotoAPIBackend.reset

    def dispatch(self: DomainDispatcherApplication, environ: dict, start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith(TARGET_PREFIX):
            return _answer(environ, start_response, target[len(TARGET_PREFIX) :])
        return original_call(self, environ, start_response)

    def reset(self: MotoAPIBackend) -> None:
        with _lock:
            _products.clear()
        original_reset(self)

    DomainDispatcherApplication.__call__ = dispatch
    MotoAPIBackend.reset = reset
    moto_api_urls.url_paths["{0}" + CATALOGUE_PATH] = _load_catalogue


def _load_catalogue(request: Any, full_url: str, headers: Any) -> tuple:
    if request.method != "POST":
        return 405, {}, json.dumps({"Error": "POST a JSON body"})
    try:
        products = json.loads(request.get_data(as_text=True) or "{}")["products"]
        for product in products:
            _ = product["serviceCode"], product["product"]["attributes"]
    except (KeyError, ValueError, TypeError) as error:
        return 400, {}, json.dumps({"Error": f"bad request: {error!r}"})
    with _lock:
        _products.extend(products)
    return 200, {}, json.dumps({"loaded": len(products)})


def _answer(environ: dict, start_response: Any, operation: str) -> list[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        return _error(start_response, "InvalidParameterException", "The body is not JSON.")
    if operation != "GetProducts":
        return _error(start_response, "InvalidParameterException", f"{operation} is not emulated.")
    return _get_products(start_response, body)


def _get_products(start_response: Any, body: dict[str, Any]) -> list[bytes]:
    service = body.get("ServiceCode")
    if not service:
        return _error(start_response, "InvalidParameterException", "ServiceCode is required.")
    filters = body.get("Filters") or []
    for f in filters:
        if f.get("Type") not in FILTER_TYPES or not f.get("Field") or "Value" not in f:
            return _error(start_response, "InvalidParameterException", f"Bad filter {f!r}.")
    size = int(body.get("MaxResults") or 100)
    if not 1 <= size <= 100:
        return _error(start_response, "InvalidParameterException", "MaxResults must be 1 to 100.")
    query_key = json.dumps([service, filters], sort_keys=True)
    start = 0
    if body.get("NextToken"):
        try:
            token = json.loads(base64.urlsafe_b64decode(body["NextToken"]))
            if token["query"] != query_key:
                raise ValueError("another query")
            start = int(token["offset"])
        except (ValueError, KeyError, TypeError):
            return _error(
                start_response, "InvalidNextTokenException", "The pagination token is invalid."
            )
    with _lock:
        matching = [p for p in _products if _matches(p, service, filters)]
    page = matching[start : start + size]
    answer: dict[str, Any] = {
        "FormatVersion": body.get("FormatVersion") or "aws_v1",
        "PriceList": [json.dumps(p) for p in page],
    }
    if start + size < len(matching):
        token = {"query": query_key, "offset": start + size}
        answer["NextToken"] = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
    return _respond(start_response, "200 OK", answer)


def _matches(product: dict[str, Any], service: str, filters: list[dict[str, str]]) -> bool:
    if product.get("serviceCode") != service:
        return False
    fields = {"ServiceCode": service, **product["product"].get("attributes", {})}
    for f in filters:
        value = fields.get(f["Field"])
        wanted = f["Value"]
        kind = f["Type"]
        if kind in ("TERM_MATCH", "EQUALS"):
            ok = value == wanted
        elif kind == "CONTAINS":
            ok = value is not None and wanted in value
        else:
            listed = {v.strip() for v in wanted.split(",")}
            ok = (value in listed) if kind == "ANY_OF" else (value not in listed)
        if not ok:
            return False
    return True


def _error(start_response: Any, code: str, message: str) -> list[bytes]:
    return _respond(start_response, "400 Bad Request", {"__type": code, "Message": message})


def _respond(start_response: Any, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))],
    )
    return [data]

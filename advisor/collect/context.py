"""The state one region scan shares between its stages, and how a failed AWS call becomes a gap.

Every AWS call of the collector runs through ``ScanContext.attempt``: it returns the call's result,
or records a ``CoverageGap`` (region, service, operation, error code, what it hides) and returns
None. Only botocore's own errors are caught; anything else is a bug and propagates.

When an operation is named unknown by the endpoint (UnknownOperationException and kin), or its
service is not offered in the region (no endpoint), the first failure is recorded once for the
region and later calls of that operation are skipped: retrying it per function would spend the
budget to learn nothing. An AccessDenied is remembered as narrowly as IAM can grant: an IAM
policy names ``function:name`` for the unqualified function and ``function:name:*`` (or
``function:name:live``) for its aliases and versions, and these are different resources
(lambda/latest/dg/lambda-api-permissions-ref.html, "Function resources"). So a denied call about
a qualifier (``fn:live``) is a gap on that function's qualifiers and skips the operation for the
function's other qualifiers only; a denied unqualified call (or a listing) is a gap for the
region and skips the operation's unqualified calls, never the qualified ones.

An answer that carries no error code (botocore then reports the bare HTTP status, e.g. "500" or
"404") says nothing about the operation. On a call about one resource (GetFunction, GetPolicy,
... of one function) it is a gap for that resource only: AWS answers an internal failure so, and
one function's failure must not blind the rules to every other function. Only on an account-wide
call (a listing) does a bare 404 mean the endpoint lacks the operation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
)

from advisor.collect.clients import Clients
from advisor.collect.inventory import CoverageGap, RegionInventory
from advisor.collect.options import CollectOptions
from advisor.collect.relations import function_arn, qualifier

logger = logging.getLogger(__name__)

T = TypeVar("T")
Progress = Callable[[str, int, int], None]

# The credentials themselves are refused.
FATAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)
# The role may not call this operation at all.
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedAccess",
    }
)
# The endpoint does not know the operation.
UNKNOWN_OPERATION_CODES = frozenset(
    {"UnknownOperationException", "InvalidAction", "NotImplemented"}
)
# No error code, only the status: on an account-wide call, the endpoint lacks the operation (the
# emulator answers so for what it does not implement).
NO_OPERATION_STATUSES = frozenset({"404"})
REGION_WIDE_CODES = FATAL_CODES | DENIED_CODES | UNKNOWN_OPERATION_CODES
# The scope of a remembered failure that concerns every call of the operation (fatal, unknown
# operation, no endpoint), whatever resource it is about.
EVERY_CALL = "*"


def error_code(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code") or "Unknown")
    return type(error).__name__


def error_message(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Message") or error)
    return str(error)


def is_region_wide(error: BaseException, *, resource_arn: str | None = None) -> bool:
    """Does ``error`` concern the operation in the whole region, rather than the one resource
    (``resource_arn``) the call was about?"""
    if isinstance(error, ClientError):
        code = error_code(error)
        if code in REGION_WIDE_CODES:
            return True
        return resource_arn is None and code in NO_OPERATION_STATUSES
    return isinstance(error, EndpointConnectionError | ConnectTimeoutError)


def denial_scope(resource_arn: str | None) -> str:
    """What an AccessDenied on a call about ``resource_arn`` is remembered for: the qualifiers
    of one function (``arn:...:function:name:*``, as an IAM policy would name them) for a call
    about an alias or version; otherwise "" (the unqualified calls and listings of the region)."""
    if resource_arn and ":lambda:" in resource_arn and qualifier(resource_arn):
        return f"{function_arn(resource_arn)}:*"
    return ""


def _scope(error: BaseException, resource_arn: str | None) -> str:
    if isinstance(error, ClientError) and error_code(error) in DENIED_CODES:
        return denial_scope(resource_arn)
    return EVERY_CALL


class ScanContext:
    def __init__(
        self,
        *,
        inventory: RegionInventory,
        clients: Clients,
        options: CollectOptions,
        progress: Progress | None = None,
    ) -> None:
        self.inventory = inventory
        self.clients = clients
        self.options = options
        self._progress = progress
        self._lock = threading.Lock()
        # (service, operation, scope) -> the failure that skips later calls (see denial_scope)
        self._blocked: dict[tuple[str, str, str], CoverageGap] = {}
        # Set when the scan is stopped early: calls not yet made are skipped (see collect_region).
        self.stopped = threading.Event()
        # The DATA_* keys read completely so far; what a stopped scan had not read is a gap.
        self.complete: set[str] = set()

    def completed(self, *keys: str) -> None:
        """``keys`` were read completely (unless the scan was stopped meanwhile)."""
        if not self.stopped.is_set():
            with self._lock:
                self.complete.update(keys)

    @property
    def region(self) -> str:
        return self.inventory.region

    def client(self, service: str) -> Any:
        return self.clients.get(service)

    def progress(self, stage: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(stage, done, total)

    def blocked(
        self, service: str, operation: str, resource_arn: str | None = None
    ) -> CoverageGap | None:
        """The remembered failure that skips this call (``resource_arn``: what it is about)."""
        with self._lock:
            return self._blocked.get((service, operation, EVERY_CALL)) or self._blocked.get(
                (service, operation, denial_scope(resource_arn))
            )

    def attempt(
        self,
        call: Callable[[], T],
        *,
        service: str,
        operation: str,
        hides: str,
        resource_arn: str | None = None,
        absent_codes: Collection[str] = (),
    ) -> T | None:
        """``call()``'s result; None when it failed (a gap is recorded) or when it failed with
        one of ``absent_codes`` (the thing does not exist: not a gap)."""
        if self.stopped.is_set() or self.blocked(service, operation, resource_arn) is not None:
            return None
        try:
            return call()
        except (ClientError, BotoCoreError) as error:
            if error_code(error) in absent_codes:
                return None
            self.record(
                error, service=service, operation=operation, hides=hides, resource_arn=resource_arn
            )
            return None

    def record(
        self,
        error: BaseException,
        *,
        service: str,
        operation: str,
        hides: str,
        resource_arn: str | None = None,
    ) -> CoverageGap:
        code = error_code(error)
        blocks = is_region_wide(error, resource_arn=resource_arn)
        key = (service, operation, _scope(error, resource_arn))
        # a denial about one function's qualifiers is a gap on them, not on the region
        region_wide = blocks and key[2] in ("", EVERY_CALL)
        gap = CoverageGap(
            region=self.region,
            service=service,
            operation=operation,
            error_code=code,
            message=error_message(error),
            hides=hides,
            resource_arn=None if region_wide else resource_arn,
        )
        with self._lock:
            if blocks:
                if key in self._blocked:
                    return self._blocked[key]
                self._blocked[key] = gap
            self.inventory.coverage_gaps.append(gap)
        self.log_gap(error, service, operation, gap.resource_arn or "the region")
        return gap

    def log_gap(self, error: BaseException, service: str, operation: str, scope: str) -> None:
        logger.warning(
            "coverage gap in %s: %s.%s failed for %s: %s: %s",
            self.region,
            service,
            operation,
            scope,
            error_code(error),
            error_message(error),
        )

    def add_gap(self, gap: CoverageGap) -> None:
        with self._lock:
            self.inventory.coverage_gaps.append(gap)

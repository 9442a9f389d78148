"""The state one region scan shares between its stages, and how a failed AWS call becomes a gap.

Every AWS call of the collector runs through ``ScanContext.attempt``: it returns the call's result,
or records a ``CoverageGap`` (region, service, operation, error code, what it hides) and returns
None. Only botocore's own errors are caught; anything else is a bug and propagates.

When an operation is refused for the whole role (AccessDenied), named unknown by the endpoint
(UnknownOperationException and kin), or its service is not offered in the region (no endpoint),
the first failure is recorded once for the region and later calls of that operation are skipped:
retrying it per function would spend the budget to learn nothing.

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
        self._blocked: dict[tuple[str, str], CoverageGap] = {}
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

    def blocked(self, service: str, operation: str) -> CoverageGap | None:
        with self._lock:
            return self._blocked.get((service, operation))

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
        if self.stopped.is_set() or self.blocked(service, operation) is not None:
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
        region_wide = is_region_wide(error, resource_arn=resource_arn)
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
            if region_wide:
                if (service, operation) in self._blocked:
                    return self._blocked[(service, operation)]
                self._blocked[(service, operation)] = gap
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

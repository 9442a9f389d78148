"""The deployment's decision on endpoint URLs (ADVISOR_ALLOW_ENDPOINT_URL), applied where the app
hands an endpoint URL to the collector: scans, connection tests, price refreshes, the scan
command. The check itself is ``advisor.collect.session.allowed_endpoint``."""

from __future__ import annotations

from django.conf import settings

from advisor.collect.session import AllowedEndpoint, allowed_endpoint


def checked_endpoint(endpoint_url: str | None) -> AllowedEndpoint | None:
    """The endpoint URL as the collector may use it (None: AWS's own), or EndpointNotAllowed
    when this server sends requests only to AWS. Decided afresh for every URL given."""
    return allowed_endpoint(
        str(endpoint_url) if endpoint_url else None,
        allow=settings.ADVISOR_ALLOW_ENDPOINT_URL,
    )

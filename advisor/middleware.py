"""Middleware of the dashboard."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from advisor.services.prices import stored_prices_install

logger = logging.getLogger(__name__)


class RefreshedPricesMiddleware:
    """Pages price functions through the cost model: hand it the regions refreshed from AWS's
    Price List first (one cheap query at most once a minute per process)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            stored_prices_install()
        except DatabaseError as exc:  # the page itself will say the database is down
            logger.warning("refreshed prices not checked: %s", exc)
        return self.get_response(request)

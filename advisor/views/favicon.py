"""``/favicon.ico``: pages name their icon (base.html), but the admin's pages and other clients
ask this fixed path; it points them at the static file instead of a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request, not at import: production's manifest names the hashed file.
    return HttpResponsePermanentRedirect(static("favicon.svg"))

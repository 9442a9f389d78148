"""What the report preview's Content-Security-Policy adds for the HTML email it frames.

Email styles must be inline (mail clients drop stylesheets), and the preview's srcdoc frame
inherits the page's policy, which refuses style attributes. So the preview page alone allows the
email template's own style attributes, each by its hash ('unsafe-hashes'): nothing a customer's
name could add, and never a <style> element or script."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from django.conf import settings

EMAIL_TEMPLATE = Path("reports") / "scan_report.html"
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def style_attribute_hashes(source: str) -> list[str]:
    """CSP hash sources for every distinct style attribute written in a template's source."""
    values = sorted(set(_STYLE_ATTRIBUTE.findall(source)))
    templated = [value for value in values if "{" in value]
    if templated:
        # A hash fixes the exact value; a style that changes per email cannot have one.
        raise ValueError(f"style attributes must be fixed text in the email: {templated}")
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"
        for value in values
    ]


def preview_policy_update() -> dict[str, list[str]]:
    source = (Path(settings.BASE_DIR) / "templates" / EMAIL_TEMPLATE).read_text()
    return {"style-src-attr": ["'unsafe-hashes'", *style_attribute_hashes(source)]}

"""Turn the <style> elements plotly.min.js injects when it loads into static stylesheets, which
the Content-Security-Policy (style-src 'self') allows, and write the partial that links them.

Plotly adds its own rules (element id "plotly.js-style-global") and its bundled map library adds
maplibre's (an id that is a hash of that CSS); each skips the injection when an element with its id
is already on the page. The rules are read from a browser after Plotly loaded, so they always match
the vendored build. Run it after updating static/vendor/plotly.min.js:

    python scripts/plotly_css.py
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
OUT = VENDOR / "plotly-css"
PARTIAL = ROOT / "templates" / "advisor" / "_plotly.html"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")  # Debian's package
# Each style element's rules in source order: text if it has any, else the rules Plotly inserted
# one by one at index 0 (so reversed).
READ_STYLES = """() => Array.from(document.head.querySelectorAll('style')).map(el => ({
    id: el.id,
    css: el.textContent || Array.from(el.sheet.cssRules).map(r => r.cssText).reverse().join('\\n'),
}))"""


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><html><head></head><body></body></html>")
        page.add_script_tag(content=(VENDOR / "plotly.min.js").read_text())
        styles = page.evaluate(READ_STYLES)
        browser.close()
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.css"):
        old.unlink()
    links = []
    for style in styles:
        (OUT / f"{style['id']}.css").write_text(style["css"] + "\n")
        links.append(
            f'<link id="{style["id"]}" class="no-inline-styles" rel="stylesheet"'
            f" href=\"{{% static 'vendor/plotly-css/{style['id']}.css' %}}\">"
        )
    PARTIAL.write_text(
        "{% load static %}{# Written by scripts/plotly_css.py. The styles plotly.min.js would "
        "inject as <style> elements, which the Content-Security-Policy refuses, as stylesheets: "
        "with an element of each id on the page, Plotly skips the injection. #}\n"
        + "\n".join(links)
        + "\n<script src=\"{% static 'vendor/plotly.min.js' %}\" defer></script>\n"
    )
    print(f"{len(styles)} stylesheets written to {OUT}")


if __name__ == "__main__":
    main()

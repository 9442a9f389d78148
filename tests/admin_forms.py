"""A Django admin change form as a browser would submit it unchanged: every input, select and
textarea of the page's form with its current value, ready to be edited and posted."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            checkable = a.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in a:
                return
            self.values.setdefault(name, []).append(a.get("value", "on" if checkable else ""))
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The HTML parser keeps the newline browsers drop after <textarea>.
            value = self.values[self._textarea][0]
            self.values[self._textarea][0] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def form_as_shown(client, url: str) -> dict[str, list[str]]:
    """The values the page at ``url`` would submit (the management forms of inlines too)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _FormValues()
    parser.feed(response.content.decode())
    return {k: v for k, v in parser.values.items() if k != "csrfmiddlewaretoken"}

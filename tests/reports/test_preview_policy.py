"""The preview's policy allows exactly the email template's fixed style attributes."""

import base64
import hashlib

import pytest

from advisor.reports.preview_policy import preview_policy_update, style_attribute_hashes


def sha256(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


def test_each_distinct_style_attribute_is_allowed_by_its_hash():
    source = '<h1 style="font-size: 20px;">a</h1><h2 style="font-size: 20px;">b</h2><p style="">'
    # sorted by value, each once: "" before "font-size: 20px;"
    assert style_attribute_hashes(source) == [sha256(""), sha256("font-size: 20px;")]


def test_a_style_that_changes_per_email_is_refused():
    with pytest.raises(ValueError, match="fixed text"):
        style_attribute_hashes('<p style="color: {{ colour }}">')


def test_the_email_template_gets_its_hashes_and_nothing_inline():
    directive = preview_policy_update()["style-src-attr"]
    assert directive[0] == "'unsafe-hashes'" and len(directive) > 1
    assert "'unsafe-inline'" not in directive

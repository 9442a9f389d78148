from pathlib import Path

from advisor.rules.docs import render_catalogue

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "RULES.md"


def test_the_rule_catalogue_document_matches_the_rules():
    # Regenerate with: python -m advisor.rules.docs > docs/RULES.md
    assert DOC.read_text() == render_catalogue()

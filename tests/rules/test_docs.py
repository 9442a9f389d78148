from advisor.rules.docs import render_catalogue
from advisor.rules.registry import all_rules


def test_catalogue_markdown_lists_every_rule_with_its_options_and_sources():
    text = render_catalogue()
    for rule in all_rules():
        assert f"### {rule.id}" in text
        assert rule.rationale in text
        for url in rule.sources:
            assert f"<{url}>" in text
        for option in rule.options:
            assert f"| `{option}` |" in text


def test_catalogue_is_grouped_by_pillar_in_order():
    text = render_catalogue()
    positions = [text.index(f"## {name}") for name in ("Reliability", "Performance", "Cost")]
    assert positions == sorted(positions)

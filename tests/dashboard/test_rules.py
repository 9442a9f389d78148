"""The rule catalogue page."""

from advisor.rules.registry import all_rules


def test_lists_every_rule_with_its_open_findings(client, world, django_assert_max_num_queries):
    client.force_login(world["alice"])
    with django_assert_max_num_queries(6):
        body = client.get("/rules/").content.decode()
    for rule in all_rules():
        assert f'id="rule-{rule.id}"' in body
    assert '<a href="/findings/?rule=tracing-disabled">1 open finding</a>' in body


def test_shows_thresholds_with_help(client, world):
    rule = next(r for r in all_rules() if r.options)
    client.force_login(world["alice"])
    body = client.get("/rules/").content.decode()
    name = next(iter(rule.options))
    assert f"<code>{name}</code>" in body

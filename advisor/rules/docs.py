"""The rule catalogue as Markdown, generated from the rules' own metadata (never hand-written,
so it cannot drift): ``python -m advisor.rules.docs > docs/RULES.md``."""

from __future__ import annotations

from collections.abc import Iterable

from advisor.collect.inventory import DATA_READS
from advisor.rules.base import Pillar, Rule
from advisor.rules.registry import all_rules


def render_catalogue(rules: Iterable[Rule] | None = None) -> str:
    rules = list(all_rules() if rules is None else rules)
    lines = [
        "# Rule catalogue",
        "",
        "Generated from the rules' metadata (`python -m advisor.rules.docs > docs/RULES.md`). How "
        "a rule is written -- its check, and the `RegionContext` every check is handed with the "
        "region's inventory and relation index built once -- is in the README's "
        "[Writing a rule](../README.md#writing-a-rule).",
        "",
        "| id | pillar | severity | title |",
        "| --- | --- | --- | --- |",
    ]
    ordered = sorted(rules, key=lambda r: (list(Pillar).index(r.pillar), r.id))
    lines += [
        f"| [`{r.id}`](#{r.id}) | {r.pillar.value} | {r.severity.value} | {r.title} |"
        for r in ordered
    ]
    for pillar in Pillar:
        group = [r for r in ordered if r.pillar is pillar]
        if not group:
            continue
        lines += ["", f"## {pillar.value.capitalize()}"]
        for rule in group:
            lines += ["", *render_rule(rule)]
    lines += ["", *render_data_reads()]
    return "\n".join(lines) + "\n"


def render_data_reads() -> list[str]:
    """Which IAM actions read each kind of data a rule may need (the read-only policy's)."""
    lines = [
        "## What each kind of data reads",
        "",
        "A rule's *Needs* are read with these permissions of the read-only role; what the role "
        'may not read is a coverage gap, and the rules that need it say "not evaluated".',
        "",
        "| data | IAM actions |",
        "| --- | --- |",
    ]
    lines += [
        f"| `{key}` | " + ", ".join(f"`{action}`" for action in actions) + " |"
        for key, actions in DATA_READS.items()
    ]
    return lines


def render_rule(rule: Rule) -> list[str]:
    lines = [
        f"### {rule.id}",
        "",
        f"**{rule.title}** ({rule.pillar.value}, default severity {rule.severity.value})",
        "",
        rule.rationale,
        "",
        "Needs: " + ", ".join(f"`{key}`" for key in rule.requires) + ".",
    ]
    if rule.options:
        lines += ["", "| option | default | meaning |", "| --- | --- | --- |"]
        lines += [
            f"| `{name}` | `{default!r}` | {rule.option_help.get(name, '')} |"
            for name, default in rule.options.items()
        ]
    lines += ["", "Sources:", *(f"- <{url}>" for url in rule.sources)]
    return lines


if __name__ == "__main__":
    print(render_catalogue(), end="")

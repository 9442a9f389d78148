"""A workspace's rule thresholds, edited on the Rules page (``advisor.forms.ThresholdsForm``
parses and checks them): the editable ones, and saving the overrides the next scans apply
(``Workspace.rule_options``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accounts.models import Workspace
from advisor.rules.base import Rule
from advisor.rules.registry import all_rules, rule_option_errors

Number = int | float


@dataclass(frozen=True)
class Threshold:
    rule: Rule
    name: str
    default: Number
    help: str

    @property
    def key(self) -> str:
        """The form field's name: ``rule-id.option``."""
        return f"{self.rule.id}.{self.name}"

    @property
    def whole(self) -> bool:
        return isinstance(self.default, int)


def editable_thresholds(rules: list[Rule] | None = None) -> Iterator[Threshold]:
    """Every numeric option of the catalogue (others, such as a rule's test clock, are not
    thresholds a team tunes)."""
    for rule in rules if rules is not None else all_rules():
        for name, default in rule.options.items():
            if isinstance(default, int | float) and not isinstance(default, bool):
                yield Threshold(rule, name, default, rule.option_help.get(name, ""))


class ThresholdError(ValueError):
    pass


def workspace_thresholds_save(workspace: Workspace, overrides: dict[str, dict[str, Any]]) -> None:
    """Store the overrides; the catalogue's own check refuses unknown rules or options."""
    problems = rule_option_errors(overrides)
    if problems:
        raise ThresholdError(" ".join(problems))
    workspace.rule_options = overrides
    workspace.save(update_fields=["rule_options"])

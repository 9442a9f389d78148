"""A workspace's rule thresholds, edited on the Rules page: parse the submitted form (pure) and
save the overrides the next scans apply (``Workspace.rule_options``)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
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


def parse_thresholds(
    data: Mapping[str, str], current: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """(overrides, errors by field) from a submitted form. A blank field or the default value
    means "use the default"; options the form does not show are kept from ``current``."""
    overrides: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    shown: set[tuple[str, str]] = set()
    for threshold in editable_thresholds():
        shown.add((threshold.rule.id, threshold.name))
        raw = (data.get(threshold.key) or "").strip().replace(",", "").replace("_", "")
        if not raw:
            continue
        try:
            value: Number = float(raw)
        except ValueError:
            errors[threshold.key] = f"{raw!r} is not a number."
            continue
        if not math.isfinite(value) or value < 0:
            errors[threshold.key] = "Enter zero or a positive number."
            continue
        if threshold.whole:
            if value != int(value):
                errors[threshold.key] = "Enter a whole number."
                continue
            value = int(value)
        if value == threshold.default:
            continue
        overrides.setdefault(threshold.rule.id, {})[threshold.name] = value
    for rule_id, options in (current or {}).items():
        for name, value in options.items():
            if (rule_id, name) not in shown:
                overrides.setdefault(rule_id, {})[name] = value
    return overrides, errors


class ThresholdError(ValueError):
    pass


def workspace_thresholds_save(workspace: Workspace, overrides: dict[str, dict[str, Any]]) -> None:
    """Store the overrides; the catalogue's own check refuses unknown rules or options."""
    problems = rule_option_errors(overrides)
    if problems:
        raise ThresholdError(" ".join(problems))
    workspace.rule_options = overrides
    workspace.save(update_fields=["rule_options"])

"""A workspace's rule thresholds, edited on the Rules page (``advisor.forms.ThresholdsForm``
parses and checks them): the editable ones, and saving the overrides the next scans apply
(``Workspace.rule_options``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from accounts.audit import Action, audit_record
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


def workspace_thresholds_save(
    workspace: Workspace,
    overrides: dict[str, dict[str, Any]],
    *,
    actor: AbstractBaseUser | None = None,
) -> None:
    """Store the overrides; the catalogue's own check refuses unknown rules or options. A change
    is recorded in the audit log, each changed threshold with its value before and after."""
    problems = rule_option_errors(overrides)
    if problems:
        raise ThresholdError(" ".join(problems))
    changes = _changes(workspace.rule_options or {}, overrides)
    with transaction.atomic():
        workspace.rule_options = overrides
        workspace.save(update_fields=["rule_options"])
        if changes:
            audit_record(
                workspace=workspace,
                actor=actor,
                action=Action.THRESHOLDS_CHANGED,
                target=", ".join(sorted(changes)),
                **changes,
            )


def _changes(before: dict, after: dict) -> dict[str, str]:
    """``{"rule.option": "old → new"}`` for every option set, changed or cleared ("default")."""
    keys = {
        (rule, option)
        for options in (before, after)
        for rule, values in options.items()
        if isinstance(values, dict)
        for option in values
    }
    changes = {}
    for rule, option in sorted(keys):
        old = (before.get(rule) or {}).get(option, "default")
        new = (after.get(rule) or {}).get(option, "default")
        if old != new:
            changes[f"{rule}.{option}"] = f"{old} → {new}"
    return changes

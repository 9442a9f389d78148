"""Finds every rule in ``advisor/rules/catalogue`` and runs them over an inventory."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from typing import Any

from advisor.collect.inventory import Inventory
from advisor.rules import catalogue
from advisor.rules.base import Result, Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = []
    for module_info in pkgutil.iter_modules(catalogue.__path__):
        module = importlib.import_module(f"{catalogue.__name__}.{module_info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise TypeError(f"{module.__name__} defines no RULE")
        if rule.id != module_info.name.replace("_", "-"):
            raise ValueError(f"rule id {rule.id!r} does not match its module {module_info.name!r}")
        if rule.check is None:
            raise ValueError(f"rule {rule.id} has no check")
        rules.append(rule)
    return tuple(sorted(rules, key=lambda r: r.id))


def rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in all_rules()}


def evaluate(
    inventory: Inventory, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Result]:
    """Every rule over every region. ``overrides`` maps rule id -> option -> value."""
    overrides = overrides or {}
    results: list[Result] = []
    for region in inventory.regions:
        for rule in all_rules():
            results.extend(rule.evaluate(region, overrides.get(rule.id)))
    return results

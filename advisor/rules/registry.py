"""Finds every rule in ``advisor/rules/catalogue`` and runs them over an inventory."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from advisor.collect.inventory import Inventory
from advisor.rules import catalogue
from advisor.rules.base import Result, Rule
from advisor.rules.context import RegionContext


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


def rule_option_errors(overrides: Any) -> list[str]:
    """What is wrong with a {rule id: {option: value}} mapping, in words (empty when valid)."""
    if not isinstance(overrides, dict):
        return ["Rule options must map rule ids to {option: value} objects."]
    rules = rules_by_id()
    errors = []
    for rule_id, options in overrides.items():
        rule = rules.get(rule_id)
        if rule is None:
            errors.append(f"Unknown rule {rule_id!r}.")
            continue
        if not isinstance(options, dict):
            errors.append(f"{rule_id}: options must be an object.")
            continue
        for name, value in options.items():
            if name not in rule.options:
                known = ", ".join(sorted(rule.options)) or "none"
                errors.append(f"{rule_id}: unknown option {name!r} (known: {known}).")
                continue
            default = rule.options[name]
            numeric = isinstance(default, int | float) and not isinstance(default, bool)
            if numeric and (isinstance(value, bool) or not isinstance(value, int | float)):
                errors.append(f"{rule_id}.{name}: expected a number, got {value!r}.")
            elif numeric:
                low, high = rule.bounds(name)
                if not low <= value <= high:
                    errors.append(f"{rule_id}.{name}: {value!r} is outside {low:g} to {high:g}.")
        merged = {**rule.options, **options}
        for lower, higher in rule.option_order:
            if _ordered_wrongly(merged.get(lower), merged.get(higher)):
                errors.append(
                    f"{rule_id}: {lower} ({merged[lower]!r}) must be below {higher} "
                    f"({merged[higher]!r})."
                )
    return errors


def _ordered_wrongly(lower: Any, higher: Any) -> bool:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lower, higher))
    return numbers and lower >= higher


def region_contexts(inventory: Inventory) -> list[RegionContext]:
    """One context per region, to evaluate and to reuse where the same index is needed."""
    return [RegionContext.build(region) for region in inventory.regions]


def evaluate(
    inventory: Inventory | Iterable[RegionContext],
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Result]:
    """Every rule over every region. ``overrides`` maps rule id -> option -> value.

    Given an inventory, builds one context per region and hands it to every rule; given
    contexts already built (``region_contexts``), uses them as they are."""
    overrides = overrides or {}
    contexts = region_contexts(inventory) if isinstance(inventory, Inventory) else inventory
    results: list[Result] = []
    for ctx in contexts:
        for rule in all_rules():
            results.extend(rule.evaluate(ctx, overrides.get(rule.id)))
    return results

"""The rule catalogue, with how many open findings each rule has across the user's accounts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import workspaces_for
from advisor.rules.registry import all_rules
from advisor.selectors import rules as selectors


@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    counts = selectors.open_finding_counts_by_rule(request.user)
    workspaces = list(workspaces_for(request.user).order_by("name"))
    rules = [
        {
            "rule": rule,
            "open_findings": counts.get(rule.id, 0),
            "thresholds": [
                {
                    "name": name,
                    "default": default,
                    "help": rule.option_help.get(name, ""),
                    # Where the user's workspaces draw the line differently.
                    "overrides": [
                        (ws.name, ws.rule_options[rule.id][name])
                        for ws in workspaces
                        if name in (ws.rule_options or {}).get(rule.id, {})
                    ],
                }
                for name, default in rule.options.items()
            ],
        }
        for rule in all_rules()
    ]
    return render(request, "advisor/rule_list.html", {"rules": rules, "workspaces": workspaces})

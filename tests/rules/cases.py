"""Marks a test as a rule's failing or passing case, and checks that it is one.

A ``@fails(rule_id)`` test returns the rule's results; the decorator asserts they hold a finding
of that rule, with a message, JSON-serialisable evidence, and a remediation with an AWS CLI
command and an IaC snippet. A ``@passes(rule_id)`` test returns results with neither a finding
nor a "not evaluated". Decorating registers the case at import time, so ``test_catalogue`` can
require both kinds for every rule in the registry without depending on test order.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable

from advisor.rules.base import Finding, NotEvaluated, Result

CASES: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"fail": [], "pass": []})

TestFn = Callable[..., list[Result]]


def fails(rule_id: str) -> Callable[[TestFn], Callable[..., None]]:
    def decorate(test: TestFn) -> Callable[..., None]:
        CASES[rule_id]["fail"].append(test.__name__)

        @functools.wraps(test)
        def wrapper(*args, **kwargs) -> None:
            results = test(*args, **kwargs)
            assert results is not None, f"{test.__name__} must return the rule's results"
            found = [r for r in results if isinstance(r, Finding) and r.rule_id == rule_id]
            assert found, results
            for finding in found:
                assert finding.message and finding.evidence, finding
                json.dumps(finding.evidence)  # evidence is stored and printed as JSON
                assert finding.remediation.cli.startswith("aws "), finding.remediation
                assert finding.remediation.iac.strip(), finding.remediation

        return wrapper

    return decorate


def passes(rule_id: str) -> Callable[[TestFn], Callable[..., None]]:
    def decorate(test: TestFn) -> Callable[..., None]:
        CASES[rule_id]["pass"].append(test.__name__)

        @functools.wraps(test)
        def wrapper(*args, **kwargs) -> None:
            results = test(*args, **kwargs)
            assert results is not None, f"{test.__name__} must return the rule's results"
            assert not [r for r in results if isinstance(r, Finding | NotEvaluated)], results

        return wrapper

    return decorate

"""What a rule is, and what it yields. Pure: no Django, no boto3, no settings.

A rule is one module under ``advisor/rules/catalogue/`` whose name is its id with underscores
(``deprecated_runtime.py`` holds ``deprecated-runtime``): metadata first, then one check. The
check is handed the region's ``RegionContext`` (``advisor/rules/context.py``): its inventory and
the relation index built once for every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from advisor.collect.inventory import RegionInventory
from advisor.rules.context import RegionContext


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 … info 0."""
        return list(reversed(Severity)).index(self)


class Pillar(StrEnum):
    RELIABILITY = "reliability"
    PERFORMANCE = "performance"
    COST = "cost"
    SECURITY = "security"
    OPERATIONS = "operations"


@dataclass(frozen=True)
class Remediation:
    """What to paste: an AWS CLI command and an IaC snippet, filled in with the resource's names."""

    cli: str
    iac: str
    iac_format: str = "CloudFormation/SAM"

    def as_text(self) -> str:
        return f"{self.cli}\n\n# {self.iac_format}\n{self.iac}"


@dataclass(frozen=True)
class Finding:
    """One resource that breaks one rule, with the figures that show it."""

    rule_id: str
    resource_arn: str
    region: str
    severity: Severity
    message: str
    evidence: Mapping[str, Any]
    remediation: Remediation


@dataclass(frozen=True)
class NotEvaluated:
    """A rule that could not be judged because the data it needs is a coverage gap."""

    rule_id: str
    region: str
    reason: str
    resource_arn: str | None = None


Result = Finding | NotEvaluated
CheckFn = Callable[[RegionContext, Mapping[str, Any]], Iterator[Result]]


def default_option_bounds(name: str) -> tuple[float, float]:
    """The range an option accepts by what its name says it is: a share or rate (0 to 1),
    dollars, days, seconds, megabytes, milliseconds, or a count."""
    for suffix, bounds in (
        (("_share", "_rate", "_margin"), (0.0, 1.0)),
        (("_usd",), (0.0, 1_000_000.0)),
        (("_days",), (0.0, 3_650.0)),  # ten years
        (("_s",), (0.0, 31_536_000.0)),  # a year
        (("memory_mb",), (128.0, 10_240.0)),  # Lambda's memory range
        (("_mb",), (0.0, 10_240.0)),  # a container image may hold 10 GB
        (("_ms",), (1.0, 900_000.0)),  # Lambda's 15 minutes
    ):
        if name.endswith(suffix):
            return bounds
    return (0.0, 1_000_000.0)


@dataclass
class Rule:
    """A rule's metadata; its check is attached with ``@RULE.checker`` right below it."""

    id: str
    title: str
    pillar: Pillar
    severity: Severity  # the default; a finding may raise or lower it with a reason
    rationale: str
    sources: tuple[str, ...]
    requires: tuple[str, ...] = ()  # DATA_* keys; a region-wide gap on one => not evaluated
    options: Mapping[str, Any] = field(default_factory=dict)  # threshold name -> default
    option_help: Mapping[str, str] = field(default_factory=dict)
    # (lowest, highest) a numeric option accepts where the naming convention of
    # ``default_option_bounds`` does not fit it.
    option_bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    # (lower, higher): options whose values must stay in this order (a warning level below
    # the high level).
    option_order: tuple[tuple[str, str], ...] = ()
    check: CheckFn | None = None

    def bounds(self, name: str) -> tuple[float, float]:
        """The range a numeric option accepts."""
        return self.option_bounds.get(name) or default_option_bounds(name)

    def checker(self, fn: CheckFn) -> CheckFn:
        self.check = fn
        return fn

    def evaluate(
        self, ctx: RegionContext, overrides: Mapping[str, Any] | None = None
    ) -> Iterator[Result]:
        """Run the check on one region, or say why it cannot be run."""
        inventory = ctx.inventory
        for key in self.requires:
            gap = inventory.missing(key)
            if gap is not None:
                yield NotEvaluated(
                    rule_id=self.id,
                    region=inventory.region,
                    reason=f"{gap.service}:{gap.operation} {gap.error_code} hides {key}",
                )
                return
        assert self.check is not None, f"rule {self.id} has no check"
        known = {k: v for k, v in (overrides or {}).items() if k in self.options}
        yield from self.check(ctx, {**self.options, **known})

    def finding(
        self,
        *,
        inventory: RegionInventory,
        resource_arn: str,
        message: str,
        evidence: Mapping[str, Any],
        remediation: Remediation,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            rule_id=self.id,
            resource_arn=resource_arn,
            region=inventory.region,
            severity=severity or self.severity,
            message=message,
            evidence=evidence,
            remediation=remediation,
        )


def account_resource_arn(inventory: RegionInventory) -> str:
    """The resource an account-level finding names.

    Form: ``arn:aws:lambda:{region}:{account}:account``."""
    return f"arn:aws:lambda:{inventory.region}:{inventory.account_id}:account"

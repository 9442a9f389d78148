"""What serves a caller: the configuration behind the alias or version a trigger invokes.

Production triggers invoke ``fn:live`` (an alias pointing at a published version, maybe two
with weighted routing) or ``fn:7``; only an unqualified caller runs ``$LATEST``. A published
version is immutable, so its timeout, memory and runtime are what callers of it get, whatever
``$LATEST`` says; a change on ``$LATEST`` is live only once it is published and the alias moves.
Pure helpers over the inventory's ``Function.qualifiers`` and ``Function.versions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.collect.inventory import AsyncInvokeConfig, Function
from advisor.collect.relations import qualifier as qualifier_of

LATEST = "$LATEST"


@dataclass(frozen=True)
class Served:
    """One configuration that serves the callers of ``qualifier`` (None: unqualified)."""

    qualifier: str | None
    version: str  # "$LATEST" or a version number
    timeout_s: int
    memory_mb: int
    runtime: str | None
    dead_letter_target: str | None
    weight: float = 1.0  # the share of the qualifier's traffic this version takes
    # The inventory holds nothing about the qualifier (stored before qualifiers were read):
    # judged by $LATEST's configuration, as before, and said so in the evidence
    assumed: bool = False

    @property
    def label(self) -> str:
        """``live (version 7)``, ``version 7`` or ``$LATEST``, for messages."""
        if self.qualifier is None:
            return LATEST
        if self.assumed:
            return f"{self.qualifier} (version not read; $LATEST's configuration)"
        if self.qualifier == self.version:
            return f"version {self.version}"
        return f"{self.qualifier} (version {self.version})"


def invoked_qualifier(arn: str) -> str | None:
    """The alias or version an invoked ARN names; None for the unqualified function."""
    name = qualifier_of(arn)
    return None if not name or name == LATEST else name


def serving(fn: Function, invoked_arn: str) -> list[Served] | str:
    """The configurations that serve callers of ``invoked_arn``, or why they are not known."""
    name = invoked_qualifier(invoked_arn)
    entry = fn.qualifier(name)
    if name is None or entry is None:
        return [
            Served(
                qualifier=name,
                version=LATEST,
                timeout_s=fn.timeout_s,
                memory_mb=fn.memory_mb,
                runtime=fn.runtime,
                dead_letter_target=fn.dead_letter_target,
                assumed=name is not None,
            )
        ]
    if entry.exists is False:
        return f"{fn.name}:{name} does not exist: its callers get an error"
    versions = fn.serving(name)
    if not versions or len(versions) < len(entry.versions):
        return f"the configuration behind {fn.name}:{name} could not be read"
    primary_share = 1.0 - sum(entry.routing.values())
    return [
        Served(
            qualifier=name,
            version=v.version,
            timeout_s=v.timeout_s,
            memory_mb=v.memory_mb,
            runtime=v.runtime,
            dead_letter_target=v.dead_letter_target,
            weight=entry.routing.get(v.version, primary_share),
        )
        for v in versions
    ]


def async_config(fn: Function, name: str | None) -> tuple[AsyncInvokeConfig | None, bool]:
    """(the event invoke config of the qualifier, whether it was read); the unqualified
    function's for None."""
    if name is None:
        return fn.async_config, True
    entry = fn.qualifier(name)
    if entry is None:
        return None, False
    return entry.async_config, entry.async_config_read


def unpublished_change(fn: Function, served: list[Served]) -> bool:
    """Does ``$LATEST`` differ from the published versions that serve these callers?"""
    published = [s for s in served if s.qualifier is not None and not s.assumed]
    if not published:
        return False
    for s in published:
        version = fn.version(s.version)
        if version is None:
            continue
        if (version.timeout_s, version.memory_mb, version.runtime) != (
            fn.timeout_s,
            fn.memory_mb,
            fn.runtime,
        ):
            return True
        if version.code_sha256 and fn.code_sha256 and version.code_sha256 != fn.code_sha256:
            return True
    return False

"""What serves a caller: the configuration behind the alias or version a trigger invokes.

Production triggers invoke ``fn:live`` (an alias pointing at a published version, maybe two
with weighted routing) or ``fn:7``; only an unqualified caller runs ``$LATEST``. A published
version is immutable, so its timeout, memory and runtime are what callers of it get, whatever
``$LATEST`` says; a change on ``$LATEST`` is live only once it is published and the alias moves.
Pure helpers over the inventory's ``Function.qualifiers`` and ``Function.versions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from advisor.collect.inventory import AsyncInvokeConfig, Function, Layer
from advisor.collect.relations import Callers
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
    snap_start: str = "None"  # ApplyOn; it takes effect on published versions only
    ephemeral_storage_mb: int = 512
    package_type: str = "Zip"
    code_size: int = 0  # bytes, zipped
    layers_size: int | None = 0  # bytes, zipped; None when a layer's size is unknown
    tracing_mode: str = "PassThrough"
    # The inventory holds nothing about the qualifier (stored before qualifiers were read):
    # judged by $LATEST's configuration, as before, and said so in the evidence
    assumed: bool = False

    # Other qualifiers served by the same version (``in_use`` lists each version once)
    also: tuple[str, ...] = ()

    @property
    def qualifier_label(self) -> str:
        return LATEST if self.qualifier is None else self.qualifier

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
                snap_start=fn.snap_start,
                ephemeral_storage_mb=fn.ephemeral_storage_mb,
                package_type=fn.package_type,
                code_size=fn.code_size,
                layers_size=_layers_size(fn.layers),
                tracing_mode=fn.tracing_mode,
            )
        ]
    if entry.exists is False:
        return f"{fn.name}:{name} does not exist: its callers get an error"
    versions = fn.serving(name)
    if not versions or len(versions) < len(entry.versions):
        return f"the configuration behind {fn.name}:{name} could not be read"
    if (
        entry.kind == "alias"
        and not entry.routing_read
        and set(entry.executed_versions) - set(entry.versions)
    ):
        # the metrics show it running other versions, and its weighted routing (GetAlias)
        # could not be read: a canary version may take part of its traffic
        ran = ", ".join(entry.executed_versions)
        return (
            f"the weighted routing of {fn.name}:{name} could not be read "
            f"(it ran versions {ran} in the window)"
        )
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
            snap_start=v.snap_start,
            ephemeral_storage_mb=v.ephemeral_storage_mb,
            package_type=v.package_type,
            code_size=v.code_size,
            # a version read before its layers were kept: the layers $LATEST lists
            layers_size=_layers_size(fn.layers if v.layers is None else v.layers),
            tracing_mode=v.tracing_mode,
        )
        for v in versions
    ]


def _layers_size(layers: list[Layer]) -> int | None:
    sizes = [layer.code_size for layer in layers]
    if any(size is None for size in sizes):
        return None
    return sum(size for size in sizes if size is not None)


def in_use(fn: Function, invoked_arns: Iterable[str]) -> tuple[list[Served], list[str]]:
    """The configurations that take traffic, and why some of them are not known.

    In use: the versions behind every alias or version the scan found in use (named by a
    caller or with traffic in the window: ``fn.qualifiers``), and ``$LATEST`` when one of
    ``invoked_arns`` (the callers' targets) is the unqualified function or when no alias or
    version is in use (then nothing is known to publish, and ``$LATEST`` is what runs). A
    qualifier that does not exist serves nothing. Each version appears once, under the first
    qualifier that serves it (``also`` names the others)."""
    arns = list(invoked_arns)
    names = [q.name for q in fn.qualifiers if q.exists is not False]
    for arn in arns:
        name = invoked_qualifier(arn)
        if name is not None and name not in names and fn.qualifier(name) is None:
            names.append(name)  # a stored inventory without qualifier data: judged as $LATEST
    unqualified = any(invoked_qualifier(arn) is None for arn in arns)
    served: list[Served] = []
    unknown: list[str] = []
    if unqualified or not [q for q in fn.qualifiers if q.exists is not False]:
        served.extend(serving(fn, fn.arn))
    for name in names:
        found = serving(fn, f"{fn.arn}:{name}")
        if isinstance(found, str):
            unknown.append(found)
        else:
            served.extend(found)
    return _once_per_version(served), unknown


def _once_per_version(served: list[Served]) -> list[Served]:
    seen: dict[str, int] = {}
    kept: list[Served] = []
    for s in served:
        key = LATEST if s.assumed else s.version  # an assumed qualifier is $LATEST's data
        if key in seen:
            first = kept[seen[key]]
            kept[seen[key]] = replace(first, also=(*first.also, s.qualifier_label))
            continue
        seen[key] = len(kept)
        kept.append(s)
    return kept


def not_published(fn: Function, served: list[Served]) -> bool:
    """``$LATEST`` is not among the configurations that take traffic: a risk only it has is
    not live yet (it becomes live when ``$LATEST`` is published and an alias moves to it)."""
    return bool(served) and all(s.qualifier is not None and not s.assumed for s in served)


def latest(fn: Function) -> Served:
    """``$LATEST`` as a configuration, for the note on a change not yet published."""
    [found] = serving(fn, fn.arn)
    assert isinstance(found, Served)
    return found


def served_evidence(served: Iterable[Served]) -> list[dict[str, Any]]:
    """Which qualifier serves which version, for evidence: ``live → version 7``."""
    return [
        {
            "qualifier": s.qualifier,
            "version": None if s.assumed else s.version,
            "also": list(s.also),
            "label": s.label,
        }
        for s in served
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


def caller_arns(fn: Function, callers: Callers) -> list[str]:
    """What every caller the scan sees invokes: the function, or one of its qualifiers."""
    arns = [i.function_arn for i in callers.api_integrations if not i.unresolved]
    arns += [s.function_arn for s in callers.push_sources]
    arns += [m.function_arn for m in callers.event_source_mappings]
    if callers.function_url is not None:
        arns.append(fn.arn)
    return arns


def sync_caller_arns(fn: Function, callers: Callers) -> list[str]:
    """What the synchronous callers invoke: API integrations, function URLs (the function's
    and its aliases') and synchronous push sources."""
    arns = [i.function_arn for i in callers.api_integrations if not i.unresolved]
    arns += [s.function_arn for s in callers.sync_sources]
    if callers.function_url is not None:
        arns.append(fn.arn)
    arns += [f"{fn.arn}:{q.name}" for q in fn.qualifiers if q.function_url is not None]
    return arns


def serving_each(fn: Function, invoked_arns: Iterable[str]) -> tuple[list[Served], list[str]]:
    """The configurations behind each of ``invoked_arns`` (each ARN once), and why some are
    not known."""
    served: list[Served] = []
    unknown: list[str] = []
    for arn in dict.fromkeys(invoked_arns):
        found = serving(fn, arn)
        if isinstance(found, str):
            unknown.append(found)
        else:
            served.extend(found)
    return served, unknown

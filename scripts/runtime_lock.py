"""Writes the runtime-only lock (requirements.lock) from the full one (requirements-dev.lock).

Run by `make lock` with the interpreter of the environment that installed the full lock: the
runtime set is the closure of pyproject's ``[project] dependencies`` (with their extras and
markers) over the installed distributions' own requirements, so every version is the one the
full lock pins. The demo and dev extras, and whatever only they pull in, are left out.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def runtime_closure(requirements: list[str]) -> set[str]:
    """Canonical names of every distribution the requirements need, extras included."""
    needed: set[str] = set()
    seen: set[tuple[str, str]] = set()
    todo = [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = {""} | set(requirement.extras)
        fresh = {extra for extra in extras if (name, extra) not in seen}
        if not fresh:
            continue
        seen.update((name, extra) for extra in fresh)
        needed.add(name)
        for text in metadata.requires(name) or []:
            child = Requirement(text)
            marker = child.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in fresh):
                todo.append(child)
    return needed


def main(full_lock: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = runtime_closure(project["dependencies"])
    pinned = set()
    for line in full_lock.read_text().splitlines():
        name = line.split("==", 1)[0].strip()
        if name and not name.startswith("#") and canonicalize_name(name) in needed:
            pinned.add(canonicalize_name(name))
            sys.stdout.write(line + "\n")
    missing = needed - pinned
    if missing:
        raise SystemExit(f"{full_lock} does not pin {', '.join(sorted(missing))}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "requirements-dev.lock")

"""The production image installs only requirements.lock: the AWS emulator and the dev tools stay
out of it, and nothing the app imports when it starts needs them."""

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts import runtime_lock

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"accounts", "advisor", "config", "manage"}
# Packages only the local mode and the tests use (the demo and dev extras, and what they pull in).
NOT_RUNTIME = {
    "moto",
    "flask",
    "flask-cors",
    "werkzeug",
    "docker",
    "cfn-lint",
    "pytest",
    "pytest-django",
    "pytest-timeout",
    "playwright",
    "axe-playwright-python",
    "ruff",
    "hypothesis",
    "aiosmtpd",
    "responses",
}


def pins(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return {
        canonicalize_name(name): version
        for name, _, version in (line.partition("==") for line in lines if "==" in line)
    }


def test_the_runtime_lock_holds_no_emulator_or_dev_tool():
    leaked = NOT_RUNTIME & set(pins(ROOT / "requirements.lock"))
    assert not leaked, f"requirements.lock installs {sorted(leaked)} into the production image"


def test_runtime_dependencies_name_no_emulator_or_dev_tool():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    assert not NOT_RUNTIME & runtime
    extras = project["optional-dependencies"]
    assert "moto" in {canonicalize_name(Requirement(r).name) for r in extras["demo"]}
    assert "pytest" in {canonicalize_name(Requirement(r).name) for r in extras["dev"]}


def test_the_runtime_lock_is_the_runtime_part_of_the_full_lock_at_the_same_versions(capsys):
    full, runtime = pins(ROOT / "requirements-dev.lock"), pins(ROOT / "requirements.lock")
    assert set(full) >= NOT_RUNTIME, "requirements-dev.lock is what `make install` installs"
    assert {name: full.get(name) for name in runtime} == runtime
    # What `make lock` would write from this environment is what is committed.
    runtime_lock.main(ROOT / "requirements-dev.lock")
    assert capsys.readouterr().out == (ROOT / "requirements.lock").read_text()


def module_level_imports(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import that runs when the module is imported: not
    those inside functions (lazy on purpose) or under ``if TYPE_CHECKING``."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(nodes: list) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                found.append((target, node.lineno))
                found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    visit(children)

    visit(ast.parse(path.read_text(), filename=str(path)).body)
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def runtime_files() -> list[Path]:
    files = [ROOT / "manage.py"]
    for package in ("accounts", "advisor", "config"):
        files += [
            p for p in (ROOT / package).rglob("*.py") if "demo" not in p.relative_to(ROOT).parts
        ]
    return files


def test_nothing_the_app_imports_at_start_up_needs_a_package_outside_the_runtime_lock():
    runtime = set(pins(ROOT / "requirements.lock"))
    distributions = metadata.packages_distributions()
    problems: set[str] = set()
    todo = [(path, "") for path in runtime_files()]
    seen: set[Path] = set()
    while todo:
        path, via = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        here = f"{path.relative_to(ROOT)}{via}"
        for name, line in module_level_imports(path):
            top = name.split(".")[0]
            if not top or top == "__future__" or top in sys.stdlib_module_names:
                continue
            if top in FIRST_PARTY:
                # Our own modules count with what they import (advisor/demo included).
                target = module_file(name)
                if target is not None:
                    todo.append((target, f" (imported by {here})"))
                continue
            owners = {canonicalize_name(d) for d in distributions.get(top, [])}
            if not owners & runtime:
                owner = ", ".join(sorted(owners)) or "not installed"
                problems.add(f"{path.relative_to(ROOT)}:{line} imports {top} ({owner}){via}")
    assert len(seen) > 100
    assert not problems, "not in requirements.lock:\n" + "\n".join(sorted(problems))


def test_the_image_leaves_out_the_benchmarks():
    """`COPY . .` takes what .dockerignore does not name: bench/ drives the emulator (the demo
    extra) and has no place in the production image."""
    ignored = {
        line.strip().strip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert "bench" in ignored
    assert (ROOT / "bench").is_dir()

"""Which package may import which, read from the source: every ``import`` and ``from … import``
of every module (inside functions too, so that an import moved into a function to dodge a rule
still counts), and ``importlib.import_module("…")`` with a literal name."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_under(*packages: str) -> dict[str, Path]:
    """Every module of the packages (dotted names, such as ``advisor.collect``), by name."""
    found = {}
    for package in packages:
        base = ROOT.joinpath(*package.split("."))
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
        found.update({module_name(path): path for path in files if path.is_file()})
    return found


def imported_names(path: Path, *, type_checking: bool = True) -> list[tuple[str, int]]:
    """(absolute dotted name, line) of everything the module imports: for ``from a.b import c``
    both ``a.b`` and ``a.b.c`` (c may be a module). ``type_checking=False`` leaves out the
    imports under ``if TYPE_CHECKING:``, which never run."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped: set[int] = set()
    if not type_checking:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(child) for part in node.body for child in ast.walk(part))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in ("importlib.import_module", "import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, node.lineno))
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def offences(modules: dict[str, Path], forbidden) -> list[str]:
    """``module:line imports name`` for every import ``forbidden(module, name)`` refuses."""
    return sorted(
        f"{module_name(path)}:{line} imports {name}"
        for module, path in modules.items()
        for name, line in imported_names(path)
        if forbidden(module, name)
    )


def plant(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


def test_the_walk_sees_every_kind_of_import(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "pkg").mkdir()
    source = tmp_path / "pkg" / "mod.py"
    source.write_text(
        "import django.db\n"
        "from . import sibling\n"
        "from ..up import thing\n"
        "def later():\n"
        "    from advisor.services import scans\n"
        "    importlib.import_module('advisor.tasks')\n"
        "if TYPE_CHECKING:\n"
        "    from accounts.models import AwsAccount\n"
    )
    names = {name for name, _ in imported_names(source)}
    assert {
        "django.db",
        "pkg.sibling",
        "up.thing",
        "advisor.services.scans",
        "advisor.tasks",
        "accounts.models.AwsAccount",
    } <= names
    assert "accounts.models" not in {n for n, _ in imported_names(source, type_checking=False)}


# --- the pure core ----------------------------------------------------------------------------

PURE = ("advisor.collect", "advisor.rules", "advisor.decide")
# What the pure core never imports besides the rest of advisor: Django and its packages, the
# settings, the accounts app, the task queue.
NOT_PURE = {"config", "accounts", "celery", "kombu", "csp", "axes", "environ"}


def impure(module: str, name: str) -> bool:
    top = name.partition(".")[0]
    if top.startswith("django") or top in NOT_PURE:
        return True
    # advisor.* outside the three: the demo, services, models (the ORM), tasks, views...
    return within(name, "advisor") and name != "advisor" and not any(within(name, p) for p in PURE)


# Rules and the cost model receive their input: they read no AWS either (the collector does).
# relations.py is the collector's index that the rules use.
NO_AWS = ("advisor.rules", "advisor.decide", "advisor.collect.relations")


def reaches_aws(module: str, name: str) -> bool:
    return name.partition(".")[0] in {"boto3", "botocore"}


def test_collect_rules_and_decide_import_no_django_orm_accounts_or_the_rest_of_advisor():
    modules = modules_under(*PURE)
    assert {"advisor.collect.session", "advisor.rules.registry", "advisor.decide.cost"} <= set(
        modules
    )
    assert offences(modules, impure) == []


def test_the_analysis_step_is_as_pure_as_what_it_runs():
    # advisor/analysis.py runs rules and decide over an inventory: it reads nothing itself.
    modules = modules_under("advisor.analysis")
    assert list(modules) == ["advisor.analysis"]
    assert offences(modules, impure) == []


def test_rules_and_decide_read_no_aws():
    modules = modules_under(*NO_AWS)
    assert {"advisor.rules.base", "advisor.decide.prices", "advisor.collect.relations"} <= set(
        modules
    )
    assert offences(modules, reaches_aws) == []


def test_the_purity_guards_find_planted_imports(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    plant(
        tmp_path,
        {
            "advisor/collect/session.py": "from django.conf import settings\n",
            "advisor/collect/bench.py": "def f():\n    from advisor.demo.seed import seed_demo\n",
            "advisor/rules/one.py": (
                "import accounts.models\nfrom advisor.collect import inventory\nimport boto3\n"
            ),
            "advisor/decide/cost.py": (
                "from advisor.models import Scan\nfrom advisor.rules.base import Rule\n"
                "from config.settings import base\nimport django_celery_beat\n"
            ),
        },
    )
    assert offences(modules_under(*PURE), impure) == [
        "advisor.collect.bench:2 imports advisor.demo.seed",
        "advisor.collect.bench:2 imports advisor.demo.seed.seed_demo",
        "advisor.collect.session:1 imports django.conf",
        "advisor.collect.session:1 imports django.conf.settings",
        "advisor.decide.cost:1 imports advisor.models",
        "advisor.decide.cost:1 imports advisor.models.Scan",
        "advisor.decide.cost:3 imports config.settings",
        "advisor.decide.cost:3 imports config.settings.base",
        "advisor.decide.cost:4 imports django_celery_beat",
        "advisor.rules.one:1 imports accounts.models",
    ]
    assert offences(modules_under(*NO_AWS), reaches_aws) == ["advisor.rules.one:3 imports boto3"]


# --- accounts stands below advisor -------------------------------------------------------------


def accounts_importing_advisor(modules: dict[str, Path]) -> list[str]:
    return offences(modules, lambda module, name: within(name, "advisor"))


def test_accounts_imports_nothing_of_advisor():
    modules = modules_under("accounts")
    assert "accounts.models" in modules and "accounts.migrations" in modules
    assert accounts_importing_advisor(modules) == []


def test_the_accounts_guard_finds_a_planted_import(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "views.py").write_text(
        "def view(request):\n    from advisor.services.schedules import schedule_update\n"
    )
    assert accounts_importing_advisor(modules_under("accounts")) == [
        "accounts.views:2 imports advisor.services.schedules",
        "accounts.views:2 imports advisor.services.schedules.schedule_update",
    ]


# --- no cycle among services, tasks, selectors and reports -------------------------------------

LAYERED = ("advisor.services", "advisor.tasks", "advisor.selectors", "advisor.reports")


def layer_of(module: str) -> str | None:
    """The layer a module belongs to: a ``tasks`` module anywhere in advisor is a task module;
    the reports' views and URLs are views (which may call anything)."""
    if not within(module, "advisor"):
        return None
    last = module.rpartition(".")[2]
    if last == "tasks" or within(module, "advisor.tasks"):
        return "tasks"
    if within(module, "advisor.services"):
        return "services"
    if within(module, "advisor.selectors"):
        return "selectors"
    if within(module, "advisor.reports") and last not in ("views", "urls"):
        return "reports"
    return None


def layered_modules() -> dict[str, Path]:
    modules = modules_under("advisor")
    return {name: path for name, path in modules.items() if layer_of(name)}


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """module -> {imported module of ``modules``: line}, leaving out TYPE_CHECKING imports."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges = graph.setdefault(module, {})
        for name, line in imported_names(path, type_checking=False):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                edges.setdefault(name, line)
    return graph


def a_cycle(graph: dict[str, dict[str, int]]) -> list[str]:
    """One cycle of the graph (its nodes in order, the first repeated at the end), or []."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def layer_graph(graph: dict[str, dict[str, int]]) -> dict[str, dict[str, str]]:
    """layer -> {imported layer: the first ``module:line imports module`` that makes the edge}."""
    layers: dict[str, dict[str, str]] = {}
    for module, edges in sorted(graph.items()):
        here = layer_of(module)
        for target, line in sorted(edges.items()):
            there = layer_of(target)
            if there and there != here:
                layers.setdefault(here, {}).setdefault(there, f"{module}:{line} imports {target}")
    return layers


def test_no_import_cycle_among_the_modules_of_services_tasks_selectors_and_reports():
    modules = layered_modules()
    assert {"advisor.services.scans", "advisor.tasks", "advisor.selectors"} <= set(modules)
    assert "advisor.reports.digest" in modules and "advisor.reports.views" not in modules
    graph = import_graph(modules)
    assert a_cycle(graph) == []


def test_services_hand_work_to_tasks_without_importing_them():
    layers = layer_graph(import_graph(layered_modules()))
    assert "services" in layers.get("tasks", {}), "the tasks call the services"
    assert "tasks" not in layers.get("services", {}), layers["services"]["tasks"]


def test_the_cycle_guards_find_a_planted_cycle(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    plant(
        tmp_path,
        {
            "advisor/__init__.py": "",
            "advisor/services/__init__.py": "",
            "advisor/services/scans.py": "def enqueue():\n    from advisor.tasks import t\n",
            "advisor/tasks.py": "from advisor.services import scans\n",
            "advisor/reports/views.py": "from advisor.services import scans\n",
        },
    )
    modules = layered_modules()
    assert set(modules) == {"advisor.services", "advisor.services.scans", "advisor.tasks"}
    graph = import_graph(modules)
    assert a_cycle(graph) == ["advisor.services.scans", "advisor.tasks", "advisor.services.scans"]
    layers = layer_graph(graph)
    assert layers["services"]["tasks"] == "advisor.services.scans:2 imports advisor.tasks"
    with pytest.raises(AssertionError):
        test_services_hand_work_to_tasks_without_importing_them()


def explain(layers: dict[str, dict[str, str]], cycle: list[str]) -> str:
    """The cycle, and for each of its edges the import that makes it."""
    steps = [layers[here][there] for here, there in itertools.pairwise(cycle)]
    return " -> ".join(cycle) + ":\n" + "\n".join(steps)


def layer_cycle(layers: dict[str, dict[str, str]]) -> list[str]:
    return a_cycle({here: dict.fromkeys(there, 0) for here, there in layers.items()})


def test_services_tasks_selectors_and_reports_import_one_way():
    # Tasks call services; services build reports, which read stored results; selectors are
    # the pages' reads. None of them imports back up.
    layers = layer_graph(import_graph(layered_modules()))
    assert "services" in layers.get("tasks", {}) and "reports" in layers.get("services", {})
    cycle = layer_cycle(layers)
    assert not cycle, explain(layers, cycle)


def test_the_layer_guard_finds_a_planted_reach_back(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    plant(
        tmp_path,
        {
            "advisor/services/report_delivery.py": "from advisor.reports import scan_report\n",
            "advisor/reports/scan_report.py": "from advisor.selectors import findings\n",
            "advisor/selectors/findings.py": (
                "def open_q():\n    from advisor.services.suppressions import q\n"
            ),
            "advisor/services/suppressions.py": "",
        },
    )
    layers = layer_graph(import_graph(layered_modules()))
    cycle = layer_cycle(layers)
    assert cycle == ["reports", "selectors", "services", "reports"]
    assert explain(layers, cycle).splitlines()[1:] == [
        "advisor.reports.scan_report:1 imports advisor.selectors.findings",
        "advisor.selectors.findings:2 imports advisor.services.suppressions",
        "advisor.services.report_delivery:1 imports advisor.reports.scan_report",
    ]

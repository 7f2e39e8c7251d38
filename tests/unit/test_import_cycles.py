"""No import cycles in the production packages, and migrations that import no live code (read from the AST)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workflow", "web", "scheduler", "huanjie")
#: what a migration revision may import: Alembic, SQLAlchemy and the standard library, never the project
MIGRATION_IMPORTS = {"alembic", "sqlalchemy", "__future__"}


def modules(packages: tuple[str, ...] = PACKAGES, root: Path = ROOT) -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its own name)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _dynamic_import(call: ast.Call) -> bool:
    """`__import__("a.b")` or `importlib.import_module("a.b")` with a literal name."""
    name = ast.unparse(call.func)
    return (name in ("__import__", "importlib.import_module", "import_module") and bool(call.args)
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))


def imported_names(name: str, path: Path) -> list[str]:
    """The dotted names a module imports when it runs, at the top or inside functions (not under TYPE_CHECKING)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import):
                names.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[:len(package.split(".")) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                # `from pkg import sub` imports the submodule pkg.sub when there is one, else a name of pkg
                # (import_graph resolves pkg.name to the longest dotted prefix that is a module)
                names.extend(f"{source}.{alias.name}" for alias in child.names)
            elif isinstance(child, ast.Call) and _dynamic_import(child):
                names.append(child.args[0].value)  # type: ignore[attr-defined]
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return names


def import_graph(found: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the project modules it imports."""
    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in found:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        targets = {resolve(n) for n in imported_names(name, path)}
        graph[name] = {t for t in targets if t and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module, as a path a → … → a."""
    return [_path_in(graph, component) for component in components(graph)]


def components(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan): the modules caught in cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def _path_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """The shortest cycle through the component's first module (breadth-first inside the component)."""
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & component):
                if w == start:
                    chain = []
                    while v != start:
                        chain.append(v)
                        v = previous[v]
                    return [start, *reversed(chain), start]
                if w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    return sorted(component)  # pragma: no cover - a component always has a cycle through each member


def test_the_production_packages_have_no_import_cycle() -> None:
    graph = import_graph(modules())
    found = [f"{len(c)} modules ({', '.join(sorted(c))}), e.g. " + " → ".join(_path_in(graph, c))
             for c in components(graph)]
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_cycle_finder_reports_a_cycle_as_a_path_and_ignores_type_checking_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from pkg.c import g\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    (pkg / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n")
    (pkg / "e.py").write_text("from pkg import d\n")
    (pkg / "f.py").write_text("__import__('pkg.e')\n")
    graph = import_graph(modules(("pkg",), tmp_path))
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    (pkg / "d.py").write_text("import importlib\nimportlib.import_module('pkg.f')\n")
    assert [set(c) for c in cycles(import_graph(modules(("pkg",), tmp_path)))] == [
        {"pkg.a", "pkg.b", "pkg.c"}, {"pkg.d", "pkg.e", "pkg.f"}]
    (pkg / "c.py").write_text("import json\n")
    (pkg / "d.py").write_text("")
    assert cycles(import_graph(modules(("pkg",), tmp_path))) == []


def test_migrations_import_no_live_code() -> None:
    for path in sorted((ROOT / "migrations" / "versions").glob("[0-9]*.py")):
        roots = {n.split(".")[0] for n in imported_names(f"migrations.versions.{path.stem}", path)}
        live = {r for r in roots if r not in MIGRATION_IMPORTS and r not in sys.stdlib_module_names}
        assert not live, f"{path.name} imports {sorted(live)}: copy the constants it needs into it"

"""Imports point one way: the domain core knows no web framework, scheduler or (for its pure modules) database."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("flask", "flask_login", "flask_wtf", "flask_babel", "apiflask", "apscheduler", "werkzeug")
DOMAIN = ("guards", "rounds", "machines", "ruleset", "facts", "labels", "errors", "auth")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Return the absolute names a module's source imports (relative imports resolved)."""
    package = module if is_package else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            out.add(prefix)
            out.update(f"{prefix}.{alias.name}" for alias in node.names)
    return out


def modules_under(folder: str) -> dict[str, set[str]]:
    """Return {module: imported names} for every Python file under a top-level folder."""
    out = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        out[module_name(path)] = imports_of(path.read_text(encoding="utf-8"), module_name(path),
                                            path.name == "__init__.py")
    return out


def hits(imported: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(name for name in imported if name.split(".")[0] in roots)


def test_the_scanner_sees_absolute_relative_and_nested_imports():
    source = "import flask\nfrom ..web import views\nfrom . import guards\ndef f():\n    import apscheduler.schedulers\n"
    found = imports_of(source, "workflow.services.x")
    assert {"flask", "workflow.web.views", "workflow.services.guards", "apscheduler.schedulers"} <= found
    assert hits(found, ("flask", "apscheduler")) == ["apscheduler.schedulers", "flask"]
    assert hits(imports_of("from .. import web", "scheduler.jobs"), ("web",)) == []
    assert hits(imports_of("from web import create_app", "scheduler.jobs"), ("web",)) == ["web", "web.create_app"]


def test_the_workflow_package_imports_no_web_framework_scheduler_or_entry_point():
    bad = {m: hits(names, FRAMEWORKS + ("web", "scheduler", "huanjie")) for m, names in modules_under("workflow").items()}
    assert {m: h for m, h in bad.items() if h} == {}


def test_web_never_imports_the_scheduler():
    bad = {m: hits(names, ("scheduler", "apscheduler")) for m, names in modules_under("web").items()}
    assert {m: h for m, h in bad.items() if h} == {}


def test_the_scheduler_never_imports_web():
    bad = {m: hits(names, ("web", "flask", "apiflask", "flask_login", "flask_wtf", "flask_babel"))
           for m, names in modules_under("scheduler").items()}
    assert {m: h for m, h in bad.items() if h} == {}


def is_domain(module: str) -> bool:
    return module.split(".")[1] in DOMAIN if module.startswith("workflow.") else False


def test_domain_modules_import_no_sqlalchemy_and_only_other_domain_modules():
    problems = {}
    for module, names in modules_under("workflow").items():
        if not is_domain(module):
            continue
        wrong = hits(names, ("sqlalchemy", "alembic", "psycopg"))
        wrong += sorted(n for n in names if n.startswith("workflow.") and not is_domain(n) and n != "workflow")
        if wrong:
            problems[module] = wrong
    assert problems == {}


@pytest.mark.parametrize("module", [f"workflow.{m}" for m in DOMAIN])
def test_importing_a_domain_module_loads_no_database_or_framework(module: str):
    code = ("import sys, importlib; importlib.import_module(%r); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'flask', 'apiflask', 'apscheduler', 'web', 'scheduler')); print(bad)") % module
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

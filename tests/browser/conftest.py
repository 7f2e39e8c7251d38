"""Browser tests: Playwright drives Debian's Chromium against a real server (waitress in a thread, SQLite file).

A missing Chromium fails these tests under CI=true and skips them elsewhere. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import _missing
from tests.support import PASSWORD, World, build_world
from workflow.db import Database

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Every test here is a browser test, and slow (a real server, Chromium, the demo data set)."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    if not os.path.exists(CHROMIUM):
        _missing(f"Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _missing("Playwright for Python")
    from web.ui.i18n import compile_catalogues
    compile_catalogues()
    manager = sync_playwright().start()
    chromium = manager.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield chromium
    chromium.close()
    manager.stop()


@dataclass
class Live:
    """A running server over its own database."""

    url: str
    db: Database
    world: World | None = None


def serve(db: Database) -> tuple[str, Any, threading.Thread]:
    """Start waitress on a free port in a thread; return (base url, server, thread)."""
    from waitress.server import create_server

    from web import create_app
    app = create_app({"DATABASE": db, "SECRET_KEY": "browser-tests", "UI_PER_PAGE": 25})
    server = create_server(app, host="127.0.0.1", port=0, threads=4, clear_untrusted_proxy_headers=True)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.effective_port}", server, thread


def stop(server: Any, thread: threading.Thread) -> None:
    """Stop the server thread."""
    from waitress import wasyncore
    server.task_dispatcher.shutdown()
    wasyncore.close_all(server.map if hasattr(server, "map") else server._map)
    thread.join(timeout=10)


@pytest.fixture
def live(sqlite_template: Path, tmp_path: Path) -> Iterator[Live]:
    """The small world of tests.support behind a real HTTP server (clock frozen at 2014-12-10)."""
    path = tmp_path / "browser.sqlite3"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    world = build_world(db)
    url, server, thread = serve(db)
    yield Live(url, db, world)
    stop(server, thread)
    db.dispose()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page (tablet-sized) that records console errors; a screenshot is kept on failure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.console_errors.append(str(e)))
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    """Remember each phase's report on the test item (for screenshots of failures)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def shot(tab: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def sign_in(tab: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form."""
    tab.goto(f"{base}/login")
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.click("main form button[type=submit]")
    from playwright.sync_api import expect
    expect(tab.locator("form.langswitch")).to_have_count(1)
    expect(tab).not_to_have_url(f"{base}/login")

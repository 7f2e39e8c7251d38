"""Shared fixtures: a database per test on SQLite and on PostgreSQL (same tests, parametrized)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from workflow import clock, passwords
from workflow.db import Database
from workflow.schema import upgrade

# a fixed identity key under test: id-number hashes never touch the worktree's instance folder
os.environ.setdefault("HUANJIE_IDENTITY_KEY", "huanjie-test-identity-key")
PG_ADMIN_URL = os.environ.get("HUANJIE_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Test users get Argon2id at its cheapest (about 0.03 ms a hash instead of about 30 ms): the tests hash thousands of
# passwords and none of them is about the cost. Production keeps its parameters (tests/unit/test_passwords.py
# proves them in a fresh interpreter); servers started as subprocesses by the tests use them too.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _missing(what: str) -> None:
    """A missing test dependency fails under CI=true and skips elsewhere."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true", pytrace=False)
    pytest.skip(f"{what} is not available")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of its own for this test run."""
    name = f"huanjie_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means no PostgreSQL here
        _missing(f"PostgreSQL at {PG_ADMIN_URL} ({type(exc).__name__})")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    yield url
    admin.dispose()
    _drop_later(name)


def _drop_later(name: str) -> None:
    """Drop the run's database from a detached process.

    DROP DATABASE waits for a checkpoint, which takes from a second to half a minute on a busy server, and
    nothing in the run needs its result: the run ends without waiting for it.
    """
    code = ("import sys; from sqlalchemy import create_engine, text; "
            "c = create_engine(sys.argv[1], isolation_level='AUTOCOMMIT').connect(); "
            "c.execute(text(sys.argv[2])); c.close()")
    subprocess.Popen([sys.executable, "-c", code, PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                     start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once, copied for every test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


def _truncate(database: Database) -> None:
    from workflow.models import Base
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_no_change"))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_no_change"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "huanjie.sqlite3"
        shutil.copy(template, path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(request.getfixturevalue("pg_url"))
        _truncate(database)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _unfreeze_clock() -> Iterator[None]:
    yield
    clock.freeze(None)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked slow first (stable otherwise): with pytest-xdist the long ones start early and the
    workers finish together instead of one waiting on a browser test at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)

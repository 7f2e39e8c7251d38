"""The `huanjie` console script as a subprocess: init-db, create-user, bad input as one line and exit 2, demo."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from sqlalchemy import create_engine, inspect, select

from workflow.auth import SYSTEM
from workflow.db import Database
from workflow.models import Election, User
from workflow.passwords import check_password
from workflow.services.structure import create_region

ROOT = Path(__file__).resolve().parents[2]


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def run(url: str, *args: str, stdin: str = "", instance: Optional[Path] = None,
        timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m huanjie.cli ARGS` against the database at url."""
    env = {**os.environ, "HUANJIE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    if instance is not None:
        env["HUANJIE_INSTANCE"] = str(instance)
    return subprocess.run([sys.executable, "-m", "huanjie.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=timeout)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """Assert exit status 2 with exactly one line on stderr, and return it."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_init_db_creates_the_schema_and_is_safe_to_run_twice(db, tmp_path: Path):
    # SQLite: a file that does not exist yet; PostgreSQL: the test database, already migrated
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}" if db.is_sqlite else url_of(db)
    for _ in range(2):
        result = run(url, "init-db", instance=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "schema is up to date" in result.stdout
    engine = create_engine(url)
    assert {"elections", "audit_events", "facts", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_create_user_reads_the_password_from_stdin(db, tmp_path: Path):
    result = run(url_of(db), "create-user", "root", "--role", "admin", "--password-stdin",
                 stdin="a long secret 1\n", instance=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created user root (admin)" in result.stdout and "a long secret" not in result.stdout
    with db.uow(write=False) as uow:
        user = uow.session.scalars(select(User).where(User.username == "root")).one()
        assert user.role == "admin" and user.scope_id is None
        assert check_password(user.password_hash, "a long secret 1")
        assert "a long secret" not in user.password_hash
    duplicate = run(url_of(db), "create-user", "root", "--role", "admin", "--password-stdin",
                    stdin="another secret 2\n", instance=tmp_path)
    assert "already" in one_line_error(duplicate) or "taken" in duplicate.stderr


@pytest.mark.parametrize("args, stdin, words", [
    (["create-user", "bob", "--password-stdin"], "a long secret 1\n", "--role"),
    (["create-user", "bob", "--role", "emperor", "--password-stdin"], "a long secret 1\n", "emperor"),
    (["create-user", "bob", "--role", "admin"], "", "--password-stdin"),
    (["create-user", "bob", "--role", "cadre", "--password-stdin"], "a long secret 1\n", "scope"),
    (["create-user", "bob", "--role", "cadre", "--scope", "999999", "--password-stdin"], "a long secret 1\n",
     "not found"),
    (["create-user", "bob", "--role", "admin", "--password-stdin"], "short\n", "password"),
    (["create-user", "bad name!", "--role", "admin", "--password-stdin"], "a long secret 1\n", "username"),
    (["no-such-command"], "", "no-such-command"),
    (["demo", "--communities", "0"], "", "communities"),
], ids=["no-role", "bad-role", "no-stdin-flag", "no-scope", "unknown-scope", "short-password", "bad-name",
        "unknown-command", "bad-count"])
def test_bad_arguments_are_one_line_errors_with_exit_status_2(db, tmp_path: Path, args: list[str], stdin: str,
                                                              words: str):
    line = one_line_error(run(url_of(db), *args, stdin=stdin, instance=tmp_path))
    assert line.startswith("error:") and words.lower() in line.lower(), line
    with db.uow(write=False) as uow:
        assert uow.session.scalars(select(User)).first() is None


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "workflow" / "demo.py").exists(), reason="the demo is not written yet")
def test_the_demo_loads_a_small_data_set_once_and_refuses_a_database_with_other_data(db, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}" if db.is_sqlite else url_of(db)
    result = run(url, "demo", "--communities", "20", instance=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Demo logins" in result.stdout
    check = Database(url)
    with check.uow(write=False) as uow:
        roles = {u.role for u in uow.session.scalars(select(User))}
        states = {e.state for e in uow.session.scalars(select(Election))}
    check.dispose()
    assert roles >= {"admin", "supervisor", "cadre", "inspector", "observer"}
    assert len(states) >= 3
    again = run(url, "demo", "--communities", "20", instance=tmp_path)
    assert again.returncode == 0 and "already loaded" in again.stdout
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert run(other, "init-db", instance=tmp_path).returncode == 0
    holder = Database(other)
    with holder.uow() as uow:
        create_region(uow, SYSTEM, "210000", "辽宁省", "province")
    holder.dispose()
    assert "other data" in one_line_error(run(other, "demo", "--communities", "20", instance=tmp_path))

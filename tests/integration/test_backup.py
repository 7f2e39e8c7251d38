"""`huanjie backup` of a populated database while transitions run, `huanjie restore` into a fresh one, checked by
row counts, the history digest and `huanjie verify` (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL
from tests.support import build_world
from workflow.db import Database
from workflow.services.elections import fire_trigger

ROOT = Path(__file__).resolve().parents[2]


def cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUANJIE_DATABASE_URL": url, "HUANJIE_INSTANCE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "huanjie.cli", *args], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def fresh_url(db: Database, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the same kind (no schema at all)."""
    if db.is_sqlite:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"huanjie_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_taken_while_transitions_run_restores_with_the_same_rows_and_digest(db: Database, tmp_path: Path,
                                                                                   fresh_url: str) -> None:
    world = build_world(db)
    admin = world.actors["admin"]
    running, fired, errors = True, [0], []

    def transitions() -> None:  # suspend and resume one election for as long as the backup runs
        version = 1
        try:
            while running or fired[0] < 4:
                trigger = "suspend" if fired[0] % 2 == 0 else "resume"
                with db.uow() as w:
                    version = fire_trigger(w, admin, world.elections["a_party"], trigger, version,
                                           note="backup test").version
                fired[0] += 1
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    worker = threading.Thread(target=transitions)
    worker.start()
    try:
        done = cli(url_of(db), tmp_path, "backup", "--out", str(tmp_path / "backup"))
    finally:
        running = False
        worker.join(timeout=120)
    assert errors == [] and fired[0] >= 4
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dialect"] == db.engine.dialect.name and manifest["rows"]["communities"] == 3
    assert manifest["rows"]["audit_events"] > 0 and manifest["history"]["chains_ok"] is True

    restored = cli(fresh_url, tmp_path, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert restored.stdout.strip().endswith("ok") and "DIFFERS" not in restored.stdout
    check = Database(fresh_url)
    try:
        with check.engine.connect() as conn:
            for table, count in manifest["rows"].items():
                assert conn.scalar(text(f'SELECT count(*) FROM "{table}"')) == count, table
    finally:
        check.dispose()
    verify = cli(fresh_url, tmp_path, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f": {manifest['history']['digest']} (" in verify.stdout and verify.stdout.strip().endswith("ok")


def test_a_restore_refuses_a_database_that_is_not_empty(db: Database, tmp_path: Path) -> None:
    build_world(db)
    assert cli(url_of(db), tmp_path, "backup", "--out", str(tmp_path / "b")).returncode == 0
    done = cli(url_of(db), tmp_path, "restore", str(tmp_path / "b"))
    assert done.returncode == 2 and "not empty" in done.stderr and done.stderr.count("\n") == 1


def test_a_damaged_backup_is_refused_before_anything_is_loaded(db: Database, tmp_path: Path, fresh_url: str) -> None:
    build_world(db)
    assert cli(url_of(db), tmp_path, "backup", "--out", str(tmp_path / "b")).returncode == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    with (tmp_path / "b" / manifest["file"]).open("ab") as f:
        f.write(b"tampered")
    done = cli(fresh_url, tmp_path, "restore", str(tmp_path / "b"))
    assert done.returncode == 2 and "damaged" in done.stderr
    assert cli(url_of(db), tmp_path, "backup", "--out", str(tmp_path / "b")).returncode == 2  # not an empty folder

"""Worlds built once per test session and dialect, then restored into each test's empty database.

Building the small world through the services costs most of an integration test (regions, users, a campaign
launched with its elections and history). The first test that asks for a world builds it through the services
as before; its database is then saved as a snapshot (SQLite: the file through the backup API; PostgreSQL: every
table with binary COPY, and the sequences). Later tests get the same rows restored into their freshly migrated
database, the clock frozen where the builder left it, and a copy of the builder's result. A database that is not
empty when a world is asked for (a test that created rows first) is built through the services as before, and
so is every world when HUANJIE_TEST_REBUILD_WORLDS=1 (to compare a run with and without snapshots).
"""
from __future__ import annotations

import atexit
import copy
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from sqlalchemy import text

from workflow import clock
from workflow.db import Database

T = TypeVar("T")
_DIR: Optional[Path] = None


@dataclass
class Snapshot:
    """One built world: where its rows are, the clock the builder left, and the builder's result."""

    result: Any
    frozen: Any
    sqlite_file: Optional[Path] = None
    pg_tables: list[tuple[str, bytes]] = field(default_factory=list)
    pg_sequences: list[tuple[str, Any, Any]] = field(default_factory=list)


_SNAPSHOTS: dict[tuple[str, str], Snapshot] = {}


def _tables() -> list[str]:
    from workflow.models import Base
    return [t.name for t in Base.metadata.sorted_tables]


def _is_empty(db: Database) -> bool:
    """Whether every table of the schema is empty (a freshly migrated database)."""
    probe = " UNION ALL ".join(f'SELECT 1 FROM (SELECT 1 FROM "{t}" LIMIT 1) AS x' for t in _tables())
    with db.engine.connect() as conn:
        return conn.execute(text(probe)).first() is None


def _snapshot_dir() -> Path:
    global _DIR
    if _DIR is None:
        _DIR = Path(tempfile.mkdtemp(prefix="huanjie-worlds-"))
        atexit.register(shutil.rmtree, _DIR, True)
    return _DIR


def _sqlite_save(db: Database, key: str) -> Path:
    path = _snapshot_dir() / f"{os.getpid()}-{key}.sqlite3"
    raw = db.engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        raw.driver_connection.backup(target)
        target.close()
    finally:
        raw.close()
    return path


def _sqlite_restore(db: Database, path: Path) -> None:
    raw = db.engine.raw_connection()
    try:
        source = sqlite3.connect(path)
        source.backup(raw.driver_connection)
        source.close()
    finally:
        raw.close()


def _pg_save(db: Database) -> tuple[list[tuple[str, bytes]], list[tuple[str, Any, Any]]]:
    raw = db.engine.raw_connection()
    try:
        tables = []
        with raw.driver_connection.cursor() as cur:
            for name in _tables():
                with cur.copy(f'COPY "{name}" TO STDOUT (FORMAT binary)') as out:
                    tables.append((name, b"".join(bytes(chunk) for chunk in out)))
            cur.execute("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, start_value"
                        " FROM pg_sequences WHERE schemaname = current_schema()")
            sequences = [(str(r[0]), r[1], r[2]) for r in cur.fetchall()]
        raw.driver_connection.rollback()
    finally:
        raw.close()
    return tables, sequences


def _pg_restore(db: Database, snap: Snapshot) -> None:
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            # the rows are a faithful copy: no trigger runs (audit rows are inserted as they were) and the
            # foreign keys were checked when the world was built
            cur.execute("SET LOCAL session_replication_role = replica")
            for name, data in snap.pg_tables:
                if len(data) > 21:  # 19-byte header + 2-byte trailer: an empty table
                    with cur.copy(f'COPY "{name}" FROM STDIN (FORMAT binary)') as into:
                        into.write(data)
            for seq, last, start in snap.pg_sequences:
                if last is None:
                    cur.execute("SELECT setval(%s, %s, false)", (seq, start))
                else:
                    cur.execute("SELECT setval(%s, %s, true)", (seq, last))
        conn.commit()
    finally:
        raw.close()


def _clone(result: T, db: Database) -> T:
    """A copy of the builder's result over this test's database (mutable parts copied, the db swapped)."""
    clone = copy.copy(result)
    for name, value in vars(result).items():
        setattr(clone, name, db if isinstance(value, Database) else copy.deepcopy(value))
    return clone


def cached_world(db: Database, key: str, build: Callable[[Database], T]) -> T:
    """Return build(db), building it through the services once per session and dialect and restoring it after."""
    dialect = db.engine.dialect.name
    snap = _SNAPSHOTS.get((dialect, key))
    if os.environ.get("HUANJIE_TEST_REBUILD_WORLDS") or not _is_empty(db):
        return build(db)
    if snap is None:
        result = build(db)
        snap = Snapshot(_clone(result, db), clock._frozen)
        if dialect == "sqlite":
            snap.sqlite_file = _sqlite_save(db, key)
        else:
            snap.pg_tables, snap.pg_sequences = _pg_save(db)
        _SNAPSHOTS[(dialect, key)] = snap
        return result
    if snap.sqlite_file is not None:
        _sqlite_restore(db, snap.sqlite_file)
    else:
        _pg_restore(db, snap)
    clock.freeze(snap.frozen)
    return _clone(snap.result, db)

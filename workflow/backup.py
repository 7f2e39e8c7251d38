"""Backups that are proven by restoring them: `huanjie backup --out DIR` and `huanjie restore DIR`.

PostgreSQL: `pg_dump` in custom format, taken in the same snapshot as the manifest's row counts and history
digest (pg_export_snapshot), so the three agree although transitions run meanwhile. SQLite: the online backup
API (a consistent copy of a live database), counted and digested from the copy itself. The manifest
(manifest.json) says what a restore must give back; `restore` loads into an empty database and checks it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from .db import Database
from .errors import InvalidRequest

MANIFEST = "manifest.json"
PG_DUMP = "huanjie.dump"
SQLITE_COPY = "huanjie.sqlite3"
FORMAT = 1


def _libpq_url(engine: Engine) -> str:
    """The engine's URL as pg_dump and pg_restore read it (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tables(conn: Connection) -> list[str]:
    from .models import Base
    present = set(inspect(conn).get_table_names())
    return [t.name for t in Base.metadata.sorted_tables if t.name in present]


def row_counts(conn: Connection) -> dict[str, int]:
    """Return the number of rows of every table of the schema."""
    from .models import Base
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    return {name: int(conn.execute(select(func.count()).select_from(tables[name])).scalar_one())
            for name in _tables(conn)}


def history_figures(conn: Connection) -> dict[str, Any]:
    """Return the history's digest and whether every hash chain holds (evidence files are not part of a dump)."""
    from .services.chain import check_rows, current_digest
    session = Session(bind=conn)
    try:
        result = check_rows(session)
        digest, chains, top = current_digest(session)
    finally:
        session.close()
    return {"digest": digest, "chains": chains, "max_id": top, "chains_ok": bool(result.ok), "rows": result.rows}


def _revision(conn: Connection) -> list[str]:
    return sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup(database: Database, out: Path) -> dict[str, Any]:
    """Write a backup and its manifest into the folder `out` (created; it must be empty); return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise InvalidRequest.one("out", "must be an empty or new folder", "必须是空文件夹或新文件夹")
    manifest: dict[str, Any] = {"format": FORMAT, "taken_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                                "dialect": database.engine.dialect.name}
    if database.is_sqlite:
        target = out / SQLITE_COPY
        source = sqlite3.connect(database.engine.url.database or "")
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: a consistent copy while others write
        finally:
            copy.close()
            source.close()
        copied = Database(f"sqlite:///{target}")
        try:
            with copied.engine.connect() as conn:
                manifest.update(revision=_revision(conn), rows=row_counts(conn), history=history_figures(conn))
        finally:
            copied.dispose()
        manifest["file"] = SQLITE_COPY
    else:
        with database.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                # pg_dump reads the very snapshot the counts and the digest were taken in
                done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                       f"--snapshot={snapshot}", f"--file={out / PG_DUMP}", _libpq_url(database.engine)],
                                      capture_output=True, text=True)
                if done.returncode != 0:
                    raise RuntimeError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")
                manifest.update(revision=_revision(conn), rows=row_counts(conn), history=history_figures(conn))
        manifest["file"] = PG_DUMP
    manifest["sha256"] = _sha256(out / manifest["file"])
    manifest["bytes"] = (out / manifest["file"]).stat().st_size
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read and check a backup folder's manifest and file (present, same checksum)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise InvalidRequest.one("backup", f"{path} is missing: not a backup folder", f"缺少 {path}：不是备份文件夹")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data = folder / str(manifest.get("file", ""))
    if not data.is_file() or _sha256(data) != manifest.get("sha256"):
        raise InvalidRequest.one("backup", f"{data} is missing or damaged (checksum differs)",
                                 f"{data} 缺失或已损坏（校验值不符）")
    return manifest


def _is_empty(database: Database) -> bool:
    with database.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def restore(database: Database, folder: Path) -> dict[str, Any]:
    """Load a backup into an empty database and compare it with the manifest; return {"ok", "rows", ...}."""
    manifest = read_manifest(folder)
    dialect = database.engine.dialect.name
    if manifest["dialect"] != dialect:
        raise InvalidRequest.one("backup", f"a {manifest['dialect']} backup cannot be restored into {dialect}",
                                 f"{manifest['dialect']} 备份不能恢复到 {dialect}")
    if not _is_empty(database):
        raise InvalidRequest.one("database", "the target database is not empty: restore only into a new database",
                                 "目标数据库不是空的：只能恢复到新建的数据库")
    data = folder / manifest["file"]
    if database.is_sqlite:
        target = Path(database.engine.url.database or "")
        database.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(data, target)
    else:
        done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                               f"--dbname={_libpq_url(database.engine)}", str(data)], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"pg_restore failed: {done.stderr.strip().splitlines()[-1:]}")
    with database.engine.connect() as conn:
        rows, history, revision = row_counts(conn), history_figures(conn), _revision(conn)
    differ = {t: {"manifest": manifest["rows"].get(t), "restored": rows.get(t)}
              for t in sorted(set(rows) | set(manifest["rows"])) if rows.get(t) != manifest["rows"].get(t)}
    same_history = (history["digest"] == manifest["history"]["digest"] and history["chains_ok"])
    return {"ok": not differ and same_history and revision == manifest["revision"], "rows": rows,
            "differ": differ, "history": history, "manifest": manifest}

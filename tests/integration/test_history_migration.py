"""Migration 0003 on a populated database: the hashes it computes for existing rows are those fresh writes gave,
and an interrupted backfill resumes where it stopped (SQLite and PostgreSQL)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from tests.integration.engine_support import Engine
from tests.integration.test_history_chain import busy, triggers
from workflow.db import Database

ROOT = Path(__file__).resolve().parents[2]


def migration() -> Any:
    """The revision's module, loaded from its file (as Alembic does)."""
    path = next((ROOT / "migrations" / "versions").glob("*_history_hashes.py"))
    spec = importlib.util.spec_from_file_location("history_hashes_migration", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def revision(db: Database, step: str) -> None:
    """Run this revision's upgrade() or downgrade() alone, as Alembic runs it (a transaction per migration).

    Alone, not through `alembic downgrade`: the revisions landed after it have downgrades of their own, and the
    test is about this one.
    """
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    mod = migration()
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(connection=conn, opts={"transaction_per_migration": True})
        with Operations.context(ctx):
            with ctx.begin_transaction(_per_migration=True):
                getattr(mod, step)()
        conn.commit()


def hashes(db: Database) -> dict[int, str]:
    with db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id")).all())


def populated(db: Database) -> dict[int, str]:
    eng = Engine(db)
    busy(eng)
    eng.fire("v_residents", "apply_village_law", actor="street")
    fresh = hashes(db)
    assert len(fresh) > 30 and all(fresh.values())
    return fresh


def test_the_migration_on_a_populated_database_gives_the_hashes_fresh_writes_gave(db):
    fresh = populated(db)
    revision(db, "downgrade")  # the database as it was before the revision, rows and all
    db.engine.dispose()
    assert "hash" not in {c["name"] for c in inspect(db.engine).get_columns("audit_events")}
    revision(db, "upgrade")
    assert hashes(db) == fresh
    with db.engine.begin() as conn:  # the append-only triggers are back
        try:
            conn.execute(text("UPDATE audit_events SET note = 'x' WHERE id = 1"))
            raised = False
        except Exception:  # noqa: BLE001 - the trigger's refusal
            raised = True
    assert raised


def test_an_interrupted_backfill_resumes_and_ends_with_the_same_hashes(db):
    fresh = populated(db)
    triggers(db, on=False)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET hash = NULL"))
    mod = migration()
    with db.engine.begin() as conn:
        assert mod.backfill(conn, batch=4, max_batches=3) == 12  # stopped after three batches
    partial = hashes(db)
    assert [i for i, h in partial.items() if h] == sorted(fresh)[:12]
    with db.engine.begin() as conn:
        assert mod.backfill(conn, batch=7) == len(fresh) - 12
    triggers(db, on=True)
    assert hashes(db) == fresh

"""history hash chains, daily digests, evidence files

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 19:20:00

Adds `audit_events.hash` and computes it for every existing row, in id order, a batch at a time: each batch is one
UPDATE committed on its own, and a run picks up at the first row without a hash, reading the chains' heads from
the rows already done, so an interrupted upgrade resumes where it stopped. The encoding is copied from
workflow/history.py (migrations never import live code); tests check both give the same hashes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Optional

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FIELDS = ("action", "actor", "actor_id", "at", "community_id", "data", "election_id", "from_state", "id", "note",
          "to_state", "trigger")
BATCH = 5000
TRIGGERS_OFF = {"sqlite": ["DROP TRIGGER IF EXISTS audit_no_update"],
                "postgresql": ["ALTER TABLE audit_events DISABLE TRIGGER audit_no_change"]}
TRIGGERS_ON = {
    "sqlite": ["CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_events "
               "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"],
    "postgresql": ["ALTER TABLE audit_events ENABLE TRIGGER audit_no_change"],
}


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _instant(at: Any) -> Optional[str]:
    if at is None:
        return None
    if isinstance(at, str):  # SQLite without type processing
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode(row: dict[str, Any]) -> str:
    values = dict(row)
    values["at"] = _instant(values["at"])
    if isinstance(values["data"], str):
        values["data"] = json.loads(values["data"])
    values["data"] = values["data"] or {}
    return _dumps({name: values[name] for name in FIELDS})


def _heads_before(conn: Any, table: sa.Table, first: int, keys: set[Optional[int]]) -> dict[Optional[int], str]:
    """The latest hash of each chain among the rows before the first row without one (a resumed run)."""
    a = table.c
    out: dict[Optional[int], str] = {}
    if None in keys:
        found = conn.execute(sa.select(a.hash).where(a.election_id.is_(None), a.id < first)
                             .order_by(a.id.desc()).limit(1)).scalar()
        if found:
            out[None] = found
    wanted = sorted(k for k in keys if k is not None)
    for i in range(0, len(wanted), 1000):
        last = (sa.select(sa.func.max(a.id)).where(a.election_id.in_(wanted[i:i + 1000]), a.id < first)
                .group_by(a.election_id))
        out.update(dict(conn.execute(sa.select(a.election_id, a.hash).where(a.id.in_(last))).all()))
    return out


def backfill(conn: Any, batch: int = BATCH, max_batches: Optional[int] = None,
             commit: Any = None) -> int:
    """Hash the rows without a hash, in id order, a batch per UPDATE; return the rows hashed."""
    table = sa.table("audit_events", *(sa.column(n) for n in ("hash",) + FIELDS))
    table.c.data.type = sa.JSON()
    table.c.at.type = sa.DateTime(timezone=True)
    a = table.c
    first = conn.execute(sa.select(sa.func.min(a.id)).where(a.hash.is_(None))).scalar()
    if first is None:
        return 0
    heads: dict[Optional[int], str] = {}
    looked: set[Optional[int]] = set()
    done, batches, last = 0, 0, first - 1
    update = (sa.update(table).where(a.id == sa.bindparam("b_id")).values(hash=sa.bindparam("b_hash")))
    # PostgreSQL: one UPDATE joined to the batch's (id, hash) arrays; SQLite: the batch's rows in one executemany
    pg_update = sa.text("UPDATE audit_events AS a SET hash = v.h FROM unnest(CAST(:ids AS integer[]), "
                        "CAST(:hs AS varchar[])) AS v(id, h) WHERE a.id = v.id")
    postgresql = conn.dialect.name == "postgresql"
    while max_batches is None or batches < max_batches:
        rows = conn.execute(sa.select(*(a[n] for n in FIELDS)).where(a.id > last).order_by(a.id).limit(batch)).all()
        if not rows:
            break
        keys = {r.election_id for r in rows} - looked
        if keys:
            heads.update(_heads_before(conn, table, first, keys))
            looked |= keys
        values = []
        for r in rows:
            row = dict(r._mapping)
            digest = hashlib.sha256((heads.get(row["election_id"], GENESIS) + _encode(row)).encode("utf-8"))
            heads[row["election_id"]] = digest.hexdigest()
            values.append({"b_id": row["id"], "b_hash": digest.hexdigest()})
        if postgresql:
            conn.execute(pg_update, {"ids": [v["b_id"] for v in values], "hs": [v["b_hash"] for v in values]})
        else:
            conn.execute(update, values)
        if commit is not None:
            commit()
        done += len(rows)
        batches += 1
        last = rows[-1].id
    return done


def _commit_each_batch(conn: Any) -> Any:
    """Inside an autocommit block: PostgreSQL commits each statement; SQLite's connection is told to."""
    if conn.dialect.name != "sqlite":
        return None
    raw = conn.connection.driver_connection

    def commit() -> None:
        if raw.in_transaction:
            raw.execute("COMMIT")
            raw.execute("BEGIN IMMEDIATE")
    return commit


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if "hash" not in {c["name"] for c in sa.inspect(bind).get_columns("audit_events")}:
        op.add_column("audit_events", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        "history_digests",
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("chains", sa.Integer(), nullable=False),
        sa.Column("max_id", sa.Integer(), nullable=False),
        sa.Column("rows_checked", sa.Integer(), nullable=False),
        sa.Column("broken", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("on_date"),
        if_not_exists=True,
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["election_id"], ["elections.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_attachments_election", "attachments", ["election_id", "id"], if_not_exists=True)
    for statement in TRIGGERS_OFF[dialect]:
        op.execute(statement)
    # the schema above is committed first; each batch then commits on its own (a rerun resumes)
    with op.get_context().autocommit_block():
        conn = op.get_bind()
        backfill(conn, commit=_commit_each_batch(conn))
    for statement in TRIGGERS_ON[dialect]:
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_attachments_election", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("history_digests")
    # a plain DROP COLUMN (SQLite 3.35+): a batch rebuild of the table would lose its append-only triggers
    op.execute("ALTER TABLE audit_events DROP COLUMN hash")

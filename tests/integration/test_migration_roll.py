"""Migration 0004 (voter roll, objections, announcements) on a populated database, SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from alembic import command

from tests.integration.test_migration_people import fresh, populate  # noqa: F401
from workflow.schema import alembic_config


def migrate(engine: Engine, target: str) -> None:
    """Upgrade as init-db does: each migration in a transaction of its own (the history one commits as it goes)."""
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def test_the_roll_migration_keeps_every_row_and_puts_election_day_on_the_election(fresh: Engine) -> None:
    migrate(fresh, "0001")
    populate(fresh)
    with fresh.begin() as conn:
        conn.execute(text("INSERT INTO facts (id, election_id, key, value, recorded_at) VALUES "
                          "(90, 2, 'election_day', :v, :now)"),
                     {"v": json.dumps("2015-03-20"), "now": dt.datetime(2015, 3, 1, tzinfo=dt.timezone.utc)})
        before = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("elections", "facts")}
    migrate(fresh, "head")
    tables = set(inspect(fresh).get_table_names())
    assert {"voters", "voter_objections", "announcements"} <= tables
    with fresh.begin() as conn:
        after = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("elections", "facts")}
        days = dict(conn.execute(text("SELECT id, election_day FROM elections")).all())
    assert after["elections"] == before["elections"] and after["facts"] >= before["facts"] - 1
    assert str(days[2])[:10] == "2015-03-20" and days[1] is None

"""Migration 0006 (sessions and login throttles) on a populated database, SQLite and PostgreSQL: users kept."""
from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from tests.integration.test_migration_people import fresh  # noqa: F401
from workflow.schema import alembic_config

PREVIOUS = "0005"


def migrate(engine: Engine, target: str) -> None:
    cfg = alembic_config(engine)
    with engine.connect() as conn:  # migrations run in transactions of their own (0003 commits as it goes)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def test_users_and_tokens_survive_and_start_at_auth_version_zero(fresh):  # noqa: F811
    migrate(fresh, PREVIOUS)
    stamp = dt.datetime(2015, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
    with fresh.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, display_name, password_hash, role, language, active, "
                          "password_changed_at, failed_logins, created_at) VALUES "
                          "(1, 'admin', '', 'x', 'admin', 'zh', true, :t, 3, :t), "
                          "(2, 'cadre', '', 'y', 'cadre', 'en', true, :t, 0, :t)"), {"t": stamp})
        conn.execute(text("INSERT INTO api_tokens (id, user_id, token_hash, created_at, expires_at) "
                          "VALUES (1, 1, 'h', :t, :t)"), {"t": stamp})
    migrate(fresh, "0006")
    with fresh.connect() as conn:
        rows = conn.execute(text("SELECT username, auth_version, failed_logins FROM users ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("admin", 0, 3), ("cadre", 0, 0)]
        assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
    tables = set(inspect(fresh).get_table_names())
    assert {"ui_sessions", "login_throttles"} <= tables
    migrate(fresh, "head")

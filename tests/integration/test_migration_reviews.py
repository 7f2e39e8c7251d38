"""Migration 0007 (joint review) on a populated database, SQLite and PostgreSQL: users kept, no department,
candidates keep their flags with no review status, verdicts can be stored."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from tests.integration.test_migration_people import fresh  # noqa: F401
from tests.integration.test_migration_sessions import migrate

PREVIOUS = "0006"


def test_users_survive_without_a_department_and_the_review_table_is_created(fresh):  # noqa: F811
    migrate(fresh, PREVIOUS)
    stamp = dt.datetime(2015, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
    with fresh.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, display_name, password_hash, role, language, active, "
                          "password_changed_at, failed_logins, created_at) VALUES "
                          "(1, 'admin', '', 'x', 'admin', 'zh', true, :t, 0, :t), "
                          "(2, 'cadre', '', 'y', 'cadre', 'en', true, :t, 0, :t)"), {"t": stamp})
    migrate(fresh, "0007")
    with fresh.connect() as conn:
        rows = conn.execute(text("SELECT username, role, department FROM users ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("admin", "admin", None), ("cadre", "cadre", None)]
    assert "candidate_reviews" in set(inspect(fresh).get_table_names())
    assert "review_status" in {c["name"] for c in inspect(fresh).get_columns("candidates")}
    migrate(fresh, "head")

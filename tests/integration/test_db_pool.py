"""Pooled PostgreSQL connections: pinged only after sitting idle, and a dead one is replaced, not handed out."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from workflow import db as db_module
from workflow.db import Database


def _backend_pid(database: Database) -> int:
    with database.uow(write=False) as uow:
        return int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    """Kill a server process from a connection of its own (outside the pool under test)."""
    other = create_engine(url, poolclass=NullPool)
    with other.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    other.dispose()


@pytest.fixture
def pg(pg_url: str):
    database = Database(pg_url)
    database.engine.pool.dispose()
    yield database
    database.dispose()


def test_a_connection_killed_while_idle_is_replaced_before_use(pg: Database, pg_url: str,
                                                              monkeypatch: pytest.MonkeyPatch):
    dead = _backend_pid(pg)
    _terminate(pg_url, dead)
    monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.0)  # every checkout counts as idle
    assert _backend_pid(pg) != dead  # no error: the ping found it dead and the pool connected afresh


def test_a_recently_used_connection_is_not_pinged(pg: Database, monkeypatch: pytest.MonkeyPatch):
    pings: list[object] = []
    real = pg.engine.dialect.do_ping
    monkeypatch.setattr(pg.engine.dialect, "do_ping", lambda conn: pings.append(conn) or real(conn))
    for _ in range(3):
        _backend_pid(pg)
    assert pings == []
    monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.0)
    _backend_pid(pg)
    assert len(pings) == 1


def test_after_the_whole_pool_is_killed_at_most_one_request_fails_and_the_rest_get_fresh_connections(
        pg: Database, pg_url: str):
    held = [pg.engine.connect() for _ in range(6)]
    pids = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in held]
    for c in held:
        c.close()  # six recently used connections wait in the pool: none would be pinged for its idleness
    for pid in pids:
        _terminate(pg_url, pid)
    failures = 0
    for _ in range(10):
        try:
            _backend_pid(pg)
        except Exception:  # noqa: BLE001 - the request that meets the first dead connection
            failures += 1
    assert failures <= 1

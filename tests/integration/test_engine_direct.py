"""The transition's statements on PostgreSQL bypass SQLAlchemy's execution, with the same outcome and errors."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from workflow.errors import VersionConflict
from workflow.services import direct
from workflow.services.elections import fire_trigger
from tests.integration.engine_support import Engine


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the SQL of every statement that takes the direct way."""
    seen: list[str] = []
    real = direct._compile

    def compile_(stmt, dialect):
        found = real(stmt, dialect)
        seen.append(found[0])
        return found

    monkeypatch.setattr(direct, "_compile", compile_)
    return seen


def test_a_transition_goes_direct_on_postgresql_only(db, monkeypatch: pytest.MonkeyPatch):
    eng = Engine(db)
    seen = _counting(monkeypatch)
    e = eng.fire("a_party", "suspend", actor="street", note="暂停")
    assert e.state == "suspended" and e.version == 2
    assert eng.get("a_party").state == "suspended" and eng.get("a_party").version == 2
    assert [row.trigger for row in eng.audit("a_party", "transition")] == ["suspend"]
    if db.is_sqlite:
        assert seen == []
    else:  # the election's row and the write with its history row
        assert len(seen) == 2 and seen[0].startswith("SELECT") and "INSERT INTO audit_events" in seen[1]


def test_a_stale_version_on_the_direct_way_writes_nothing(db, monkeypatch: pytest.MonkeyPatch):
    eng = Engine(db)
    eng.fire("a_party", "suspend", actor="street", note="暂停")
    with pytest.raises(VersionConflict):
        eng.call(fire_trigger, eng.world.elections["a_party"], "resume", 1, actor="street")
    assert eng.get("a_party").version == 2
    assert len(eng.audit("a_party", "transition")) == 1


def test_listeners_see_every_statement_of_a_transition(db, monkeypatch: pytest.MonkeyPatch):
    eng = Engine(db)
    seen = _counting(monkeypatch)
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        eng.fire("a_party", "suspend", actor="street", note="暂停")
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert seen == []  # somebody listens: everything goes through SQLAlchemy
    assert any(s.lstrip().startswith("SELECT") and "FROM elections" in s for s in statements)
    assert any("UPDATE elections" in s for s in statements)


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # the direct way exists on PostgreSQL only
def test_a_connection_lost_on_the_direct_way_is_sqlalchemys_operational_error(db, pg_url: str):
    eng = Engine(db)
    eid = eng.world.elections["a_party"]
    killer = create_engine(pg_url, poolclass=NullPool)
    with db.uow() as uow:
        pid = uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(OperationalError) as raised:
            fire_trigger(uow, eng.actors["street"], eid, "suspend", 1, note="暂停")
        assert raised.value.connection_invalidated
        uow.session.rollback()
    killer.dispose()
    assert eng.fire("a_party", "suspend", actor="street", note="暂停").version == 2  # the pool recovered

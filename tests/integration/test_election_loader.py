"""Loading an election the unit of work already holds: no second query, and the scope still decides."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from workflow.errors import NotFound
from workflow.services.common import get_election
from tests.support import build_world


def test_an_election_already_loaded_is_served_from_the_session_and_the_scope_still_holds(db):
    world = build_world(db)
    eid = world.elections["a_party"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with db.uow() as uow:
        first = get_election(uow.session, world.actors["cadre"], eid)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            again = get_election(uow.session, world.actors["cadre"], eid)
            with pytest.raises(NotFound):  # another street's cadre: hidden, although it sits in the session
                get_election(uow.session, world.actors["othercadre"], eid)
            locked = get_election(uow.session, world.actors["cadre"], eid, for_update=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert again is first and locked is first
    # SQLite: nothing to ask the database; PostgreSQL: only the row lock of the for_update load
    assert len(statements) == (0 if db.is_sqlite else 1)
    assert db.is_sqlite or "FOR UPDATE" in statements[0]

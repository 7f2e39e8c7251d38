"""The transition's hot statements on PostgreSQL, run straight on the session's DB-API cursor.

SQLAlchemy's execution machinery (execution context, parameter and result processing, result objects) costs
about 0.25 ms of CPU per statement on the 2-core machine, as much as psycopg and the server together, and a
transition's statements run on every one of them. Here the same Core statements are compiled once for the
dialect, their bind processors kept, and each run hands the SQL and the processed parameters to the cursor of
the connection the unit of work already holds, so they are part of its transaction. Nothing is hand-written:
the SQL is SQLAlchemy's. Errors are translated into SQLAlchemy's exceptions (a lost connection is invalidated,
as SQLAlchemy would), and when anything listens to the engine's statements (echo, statement counting) the
statements go through SQLAlchemy as usual, so that every statement stays visible. Other databases (SQLite)
always go through SQLAlchemy.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Compiled = tuple[str, dict[str, Any], dict[str, Callable[[Any], Any]]]
_compiled: dict[tuple[int, str], Compiled] = {}


def _compile(stmt: Any, dialect: Dialect) -> Compiled:
    key = (id(stmt), dialect.name)
    found = _compiled.get(key)
    if found is None:
        compiled = stmt.compile(dialect=dialect)
        literals = {name: value for name, value in compiled.params.items() if value is not None}
        processors = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
        found = _compiled[key] = (compiled.string, literals, processors)
    return found


def _direct(conn: Connection) -> bool:
    """Whether statements may bypass SQLAlchemy's execution here (PostgreSQL, nobody listening)."""
    return (conn.dialect.name == "postgresql" and not conn.engine.echo
            and not conn.dispatch.before_cursor_execute and not conn.dispatch.after_cursor_execute)


class Outcome:
    """What a direct statement returns: its first row (or None) and the rows it changed."""

    __slots__ = ("row", "rowcount")

    def __init__(self, row: Optional[tuple[Any, ...]], rowcount: int) -> None:
        self.row, self.rowcount = row, rowcount

    def first(self) -> Optional[tuple[Any, ...]]:
        return self.row


def run(s: Session, stmt: Any, params: dict[str, Any], returns_rows: bool = False) -> Any:
    """Execute a prebuilt statement in the session's transaction; the result answers first() and rowcount."""
    conn = s.connection()
    if not _direct(conn):
        return conn.execute(stmt, params)
    sql, literals, processors = _compile(stmt, conn.dialect)
    values = {**literals, **params}
    for name, process in processors.items():
        if name in values:
            values[name] = process(values[name])
    dbapi_conn = conn.connection.driver_connection
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(sql, values)
        return Outcome(cursor.fetchone() if returns_rows else None, cursor.rowcount)
    except conn.dialect.loaded_dbapi.Error as exc:
        invalidated = conn.dialect.is_disconnect(exc, dbapi_conn, cursor)
        if invalidated:
            conn.invalidate(exc)
        raise DBAPIError.instance(sql, values, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect,
                                  connection_invalidated=invalidated) from exc
    finally:
        cursor.close()

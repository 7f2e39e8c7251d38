"""Engines, sessions and the unit of work: every service runs inside one and commits atomically."""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from .config import database_url


def make_engine(url: Optional[str] = None, **kw: Any) -> Engine:
    """Create an engine: SQLite in WAL mode with foreign keys on, or PostgreSQL through psycopg 3."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kw)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, see below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # writers take the lock up front so that two writers queue instead of deadlocking
            mode = "IMMEDIATE" if conn.get_execution_options().get("huanjie_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")
        return engine
    # JIT compiling costs 0.3-1 s per statement whose estimate passes jit_above_cost (the dashboard's GROUP BYs and
    # the sweep at national scale) and never pays back on these short statements
    kw.setdefault("connect_args", {}).setdefault("options", "-c jit=off")
    kw.setdefault("pool_size", 10)
    kw.setdefault("max_overflow", 20)
    engine = create_engine(url, **kw)
    if not kw.get("pool_pre_ping"):
        _ping_idle_connections(engine)
    return engine


#: a pooled connection idle for longer than this is pinged before use (the server may have dropped it meanwhile)
PING_IDLE_SECONDS = 10.0


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection on checkout only when it sat idle for a while.

    SQLAlchemy's pool_pre_ping costs a round trip on every checkout, i.e. on every unit of work; a connection
    checked in moments ago was alive moments ago. One that was idle longer is pinged, and a dead one is
    replaced (DisconnectionError makes the pool retry with a fresh connection). A server restart in between is
    still caught: SQLAlchemy invalidates the whole pool on the first disconnect error it sees.
    """
    seen = {"disconnect": -1.0}

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        # one dead backend often means more (a restart, a killed pool): from now on every connection that was
        # idle before this moment is pinged before use, so that the others are replaced instead of failing
        if context.is_disconnect:
            seen["disconnect"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["huanjie_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("huanjie_idle_since")
        if idle_since is None:
            return
        if time.monotonic() - idle_since < PING_IDLE_SECONDS and idle_since > seen["disconnect"]:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure means the connection is unusable
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc
        if not alive:
            raise DisconnectionError("pooled connection failed its ping")


class Database:
    """An engine with a write and a read session factory."""

    def __init__(self, url: Optional[str] = None, engine: Optional[Engine] = None) -> None:
        self.engine = engine or make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_engine = self.engine.execution_options(huanjie_write=True)
        self._write = sessionmaker(bind=write_engine, expire_on_commit=False)
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)

    def uow(self, write: bool = True) -> "UnitOfWork":
        """Open a unit of work; use it as a context manager."""
        return UnitOfWork((self._write if write else self._read)())

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


class UnitOfWork:
    """One database transaction: commit on a clean exit, roll back on any error, then run after-commit hooks."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        """Commit, then run the hooks registered for after the commit (e.g. e-mail)."""
        self.session.commit()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run hook once this unit of work has committed (never if it rolls back)."""
        self._after_commit.append(hook)

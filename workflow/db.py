"""Engines, sessions and the unit of work: every service runs inside one and commits atomically."""
from __future__ import annotations

import contextvars
import os
import logging
import math
import threading
import time
from typing import Any, Callable, Optional

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from . import metrics
from .config import database_url, read_database_url, read_max_lag_seconds

log = logging.getLogger("huanjie.db")


def make_engine(url: Optional[str] = None, role: Optional[str] = None, **kw: Any) -> Engine:
    """Create an engine: SQLite in WAL mode with foreign keys on, or PostgreSQL through psycopg 3."""
    url = url or database_url()
    # statement parameters (id numbers, password hashes) never appear in an error message, a log or a traceback
    kw.setdefault("hide_parameters", True)
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
    _count_pool_use(engine, "primary" if role is None else role)
    return engine


def _count_pool_use(engine: Engine, role: str) -> None:
    """Keep the pool gauges of this process (connections checked out, configured size) up to date."""
    gauges = metrics.metrics()
    in_use = gauges.pool_in_use.labels(role)
    size = engine.pool.size() if hasattr(engine.pool, "size") else 0
    sized: set[int] = set()

    @event.listens_for(engine, "checkout")
    def _out(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        record.info["huanjie_counted"] = True
        in_use.inc()
        # set by the process that uses the pool (a gunicorn master that only forks must not count)
        if os.getpid() not in sized:
            sized.add(os.getpid())
            gauges.pool_size.labels(role).set(size)

    @event.listens_for(engine, "checkin")
    def _in(_dbapi_conn: Any, record: Any) -> None:
        if record.info.pop("huanjie_counted", False):
            in_use.dec()


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


#: read-your-writes: while set, this context's read-only units of work run on the primary (see pin_primary)
_PRIMARY_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("huanjie_primary_only", default=False)


def pin_primary(pinned: bool = True) -> contextvars.Token[bool]:
    """Send this context's read-only units of work to the primary (a user who just wrote); returns a reset token."""
    return _PRIMARY_ONLY.set(pinned)


def unpin(token: contextvars.Token[bool]) -> None:
    """Undo pin_primary."""
    _PRIMARY_ONLY.reset(token)


#: the standby's health is looked at no more often than this (one small query per process and interval)
STANDBY_CHECK_SECONDS = 1.0
#: how long a standby that failed a connection is left alone before it is tried again
STANDBY_RETRY_SECONDS = 5.0

_LAG_SQL = text(
    "SELECT pg_is_in_recovery(),"
    " COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false),"
    " pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")


class Standby:
    """A streaming-replication standby for read-only units of work, used only while it is up and caught up."""

    def __init__(self, url: str, max_lag: float) -> None:
        self.engine = make_engine(url, role="standby")
        self.max_lag = max_lag
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._lock = threading.Lock()
        self._checked = -math.inf
        self._reason: Optional[str] = "not checked yet"
        self.lag: Optional[float] = None

    def session(self) -> Optional[Session]:
        """Return a session on the standby with its connection open, or None (and a warning) when it is unusable."""
        reason = self.unusable_reason()
        if reason is None:
            session = self._sessions()
            try:
                session.connection()
                return session
            except SQLAlchemyError as exc:
                session.close()
                reason = self._mark_down(exc)
        metrics.metrics().standby_skipped.labels(reason.split(" ", 1)[0]).inc()
        return None

    def unusable_reason(self) -> Optional[str]:
        """Return why the standby is skipped now (down, lagging, not a standby), or None when it may be used."""
        if time.monotonic() - self._checked < STANDBY_CHECK_SECONDS:
            return self._reason
        with self._lock:
            if time.monotonic() - self._checked >= STANDBY_CHECK_SECONDS:
                self._set(self._probe(), STANDBY_CHECK_SECONDS)
        return self._reason

    def _probe(self) -> Optional[str]:
        try:
            with self.engine.connect() as conn:
                recovering, streaming, caught_up, age = conn.execute(_LAG_SQL).one()
        except SQLAlchemyError as exc:
            return f"down ({type(exc.orig if getattr(exc, 'orig', None) else exc).__name__})"
        if not recovering:
            return "not_standby (the read database is not in recovery: promoted or not a standby)"
        # a standby that streams and has replayed all it received is current, however long the primary was idle
        self.lag = 0.0 if streaming and caught_up else (math.inf if age is None else float(age))
        if self.lag > self.max_lag:
            return f"lagging ({self.lag:.1f} s behind, limit {self.max_lag:g} s)"
        return None

    def _mark_down(self, exc: Exception) -> str:
        reason = f"down ({type(getattr(exc, 'orig', None) or exc).__name__})"
        with self._lock:
            self._set(reason, STANDBY_RETRY_SECONDS)
        return reason

    def _set(self, reason: Optional[str], valid_for: float) -> None:
        if reason != self._reason:
            if reason is None:
                log.warning("read standby usable again: read-only work goes to the standby")
            else:
                log.warning("read standby skipped, read-only work goes to the primary: %s", reason)
        self._reason = reason
        self._checked = time.monotonic() + valid_for - STANDBY_CHECK_SECONDS

    def dispose(self) -> None:
        """Close the standby's pooled connections."""
        self.engine.dispose()


class Database:
    """An engine with a write and a read session factory, and optionally a standby for read-only work."""

    def __init__(self, url: Optional[str] = None, engine: Optional[Engine] = None,
                 read_url: Optional[str] = None) -> None:
        self.engine = engine or make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_engine = self.engine.execution_options(huanjie_write=True)
        self._write = sessionmaker(bind=write_engine, expire_on_commit=False)
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        if read_url is None and url is None and engine is None:
            read_url = read_database_url()
        if read_url and self.is_sqlite:
            raise ValueError("HUANJIE_READ_DATABASE_URL needs PostgreSQL as the primary database")
        self.standby: Optional[Standby] = Standby(read_url, read_max_lag_seconds()) if read_url else None

    def uow(self, write: bool = True) -> "UnitOfWork":
        """Open a unit of work; use it as a context manager. Read-only work may run on the standby."""
        if write:
            return UnitOfWork(self._write())
        if self.standby is not None:
            if _PRIMARY_ONLY.get():
                metrics.metrics().standby_skipped.labels("own_write").inc()
            else:
                session = self.standby.session()
                if session is not None:
                    metrics.metrics().reads.labels("standby").inc()
                    return UnitOfWork(session, on_standby=True)
        metrics.metrics().reads.labels("primary").inc()
        return UnitOfWork(self._read())

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.standby is not None:
            self.standby.dispose()


class UnitOfWork:
    """One database transaction: commit on a clean exit, roll back on any error, then run after-commit hooks."""

    def __init__(self, session: Session, on_standby: bool = False) -> None:
        self.session = session
        self.on_standby = on_standby
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

"""Database locks so that two processes never sweep (or send mail) at once.

PostgreSQL: a session advisory lock taken on a dedicated connection and held for the work; if the process dies
the connection drops and the lock goes with it. SQLite: a row in scheduler_locks with its holder and a lease;
a holder that is dead (same host, pid gone) or whose lease ran out is taken over.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import time
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import OperationalError

from ..models import SchedulerLock

LEASE_SECONDS = 600
HOST = socket.gethostname()


def advisory_key(name: str) -> int:
    """Return a stable signed 64-bit advisory-lock key for a lock name."""
    return int.from_bytes(hashlib.sha1(f"huanjie:{name}".encode()).digest()[:8], "big", signed=True)


def _utcnow() -> dt.datetime:
    # leases run on the real clock, never on the frozen or 'as if' clock of a sweep
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def holder_is_dead(holder: str) -> bool:
    """Return whether a holder string names a process on this host that no longer runs."""
    parts = holder.split(":")
    if len(parts) < 2 or parts[0] != HOST:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _try_row_lock(database: Any, name: str, holder: str, lease: float) -> bool:
    # a short busy timeout: while another process sweeps it holds SQLite's write lock, and then we are busy too
    conn = database.engine.execution_options(huanjie_write=True).connect()
    _pragma(conn, "PRAGMA busy_timeout=250")
    try:
        try:
            with conn.begin():  # BEGIN IMMEDIATE: the check-and-set below is atomic
                row = conn.execute(select(SchedulerLock.holder, SchedulerLock.expires_at)
                                   .where(SchedulerLock.name == name)).first()
                moment = _utcnow()
                until = moment + dt.timedelta(seconds=lease)
                if row is None:
                    conn.execute(insert(SchedulerLock).values(name=name, holder=holder, expires_at=until))
                    return True
                if row.holder == holder or _aware(row.expires_at) <= moment or holder_is_dead(row.holder):
                    conn.execute(update(SchedulerLock).where(SchedulerLock.name == name)
                                 .values(holder=holder, expires_at=until))
                    return True
                return False
        except OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return False
            raise
    finally:
        _pragma(conn, "PRAGMA busy_timeout=30000")
        conn.close()


def _pragma(conn: Any, statement: str) -> None:
    # on the DBAPI connection directly: through SQLAlchemy it would open a transaction first
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def _release_row_lock(database: Any, name: str, holder: str) -> None:
    with database.uow() as uow:
        uow.session.execute(delete(SchedulerLock).where(SchedulerLock.name == name, SchedulerLock.holder == holder))


@contextmanager
def db_lock(database: Any, name: str, wait: float = 0.0, lease: float = LEASE_SECONDS) -> Iterator[bool]:
    """Hold the named lock for the block; yields False (and holds nothing) if it stayed busy for `wait` seconds."""
    deadline = time.monotonic() + max(wait, 0.0)
    if database.engine.dialect.name == "postgresql":
        key = advisory_key(name)
        conn = database.engine.connect()
        got = False
        try:
            while True:
                got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
                conn.commit()  # a session-level lock outlives the transaction that took it
                if got or time.monotonic() >= deadline:
                    break
                time.sleep(0.2)
            yield got
        finally:
            try:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
                conn.close()
            except Exception:  # noqa: BLE001 - never hand a pooled connection back still holding the lock
                conn.invalidate()
        return
    holder = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    while True:
        got = _try_row_lock(database, name, holder, lease)
        if got or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    try:
        yield got
    finally:
        if got:
            _release_row_lock(database, name, holder)


class HeldLock:
    """A named lock held for as long as a process lives (the scheduler's): renew it now and then, release at exit."""

    def __init__(self, database: Any, name: str, lease: float = LEASE_SECONDS) -> None:
        self.database, self.name, self.lease = database, name, lease
        self.holder = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._conn: Any = None
        self.held = False

    def renew(self) -> bool:
        """Take the lock, or keep it (a new lease; on PostgreSQL, check the holding connection); return whether held."""
        if self.database.engine.dialect.name != "postgresql":
            self.held = _try_row_lock(self.database, self.name, self.holder, self.lease)
            return self.held
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()
                return True
            except Exception:  # noqa: BLE001 - the connection died and the lock with it: take it again below
                self._drop()
        conn = self.database.engine.connect()
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": advisory_key(self.name)}).scalar())
            conn.commit()
        except Exception:
            conn.invalidate()
            raise
        if got:
            self._conn = conn
        else:
            conn.close()
        self.held = got
        return got

    def _drop(self) -> None:
        try:
            self._conn.invalidate()
        finally:
            self._conn, self.held = None, False

    def release(self) -> None:
        """Give the lock up."""
        if self.database.engine.dialect.name != "postgresql":
            if self.held:
                _release_row_lock(self.database, self.name, self.holder)
        elif self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key(self.name)})
                self._conn.commit()
                self._conn.close()
            except Exception:  # noqa: BLE001 - a dropped connection released the lock already
                self._drop()
            self._conn = None
        self.held = False


def lock_held(database: Any, name: str) -> bool:
    """Return whether some live process holds the named lock right now."""
    if database.engine.dialect.name == "postgresql":
        unsigned = advisory_key(name) & 0xFFFFFFFFFFFFFFFF
        with database.engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"),
                {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF}).scalar())
    with database.engine.connect() as conn:
        row = conn.execute(select(SchedulerLock.holder, SchedulerLock.expires_at)
                           .where(SchedulerLock.name == name)).first()
    return row is not None and _aware(row.expires_at) > _utcnow() and not holder_is_dead(row.holder)

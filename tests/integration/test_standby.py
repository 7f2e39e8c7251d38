"""Read-only units of work on a real streaming standby (scripts/pg_standby.sh: primary 5433, standby 5434); writes
and a user's reads right after a write on the primary; a standby that is down or lagging is skipped with a warning."""
from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any, Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import _missing
from tests.support import PASSWORD, build_world
from workflow.db import Database
from workflow.schema import upgrade

PRIMARY = os.environ.get("HUANJIE_TEST_PG_PRIMARY", "postgresql+psycopg://postgres@127.0.0.1:5433/postgres")
STANDBY = os.environ.get("HUANJIE_TEST_PG_STANDBY", "postgresql+psycopg://postgres@127.0.0.1:5434/postgres")


def on(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + f"/{name}"


def wait_replayed(timeout: float = 60) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    primary, standby = create_engine(PRIMARY), create_engine(STANDBY)
    try:
        with primary.connect() as p:
            target = p.scalar(text("SELECT pg_current_wal_lsn()::text"))
        deadline = time.time() + timeout
        while True:
            with standby.connect() as s:
                if s.scalar(text("SELECT pg_last_wal_replay_lsn() >= CAST(:t AS pg_lsn)"), {"t": target}):
                    return
            assert time.time() < deadline, "the standby does not catch up"
            time.sleep(0.1)
    finally:
        primary.dispose()
        standby.dispose()


def replay(paused: bool) -> None:
    engine = create_engine(STANDBY, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()"))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[str, str]]:
    """A new database on the primary, migrated, and its URL on the standby once it has arrived there."""
    name = f"huanjie_standby_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PRIMARY, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        with create_engine(STANDBY).connect() as conn:
            assert conn.scalar(text("SELECT pg_is_in_recovery()"))
    except Exception as exc:  # noqa: BLE001 - no primary/standby pair on this machine
        _missing(f"a PostgreSQL primary and streaming standby ({PRIMARY}, {STANDBY}: scripts/pg_standby.sh; "
                 f"{type(exc).__name__})")
    database = Database(on(PRIMARY, name))
    upgrade(database.engine)
    database.dispose()
    yield on(PRIMARY, name), on(STANDBY, name)
    replay(False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db(pair: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The primary with the standby for reads (lag limit 2 s), holding the small test world."""
    monkeypatch.setenv("HUANJIE_READ_MAX_LAG_SECONDS", "2")
    database = Database(pair[0], read_url=pair[1])
    with database.engine.begin() as conn:
        from workflow.models import Base
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    database.world = build_world(database)  # type: ignore[attr-defined]
    wait_replayed()
    yield database
    replay(False)
    database.dispose()


def where(database: Database, write: bool = False) -> bool:
    with database.uow(write=write) as w:
        return bool(w.session.execute(text("SELECT pg_is_in_recovery()")).scalar())


def test_read_only_work_runs_on_the_standby_and_writes_on_the_primary(db: Database) -> None:
    assert where(db) is True
    with db.uow(write=False) as w:
        assert w.on_standby
    assert where(db, write=True) is False


def test_a_lagging_standby_is_skipped_with_a_warning_and_used_again_once_it_caught_up(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    from workflow import db as dbmod
    replay(True)
    try:
        with db.uow() as w:  # the primary moves on; the paused standby falls behind
            w.session.execute(text("UPDATE communities SET name = name || '（改）' WHERE code = '210102001001'"))
        time.sleep(2.5)
        db.standby._checked = -1e9  # type: ignore[union-attr] # look again now, not at the next second
        with caplog.at_level(logging.WARNING, logger="huanjie.db"):
            assert where(db) is False
        assert any("lagging" in r.getMessage() for r in caplog.records)
        assert db.standby.lag is not None and db.standby.lag > 2  # type: ignore[union-attr]
    finally:
        replay(False)
    wait_replayed()
    deadline = time.time() + 60  # caught up: within the limit again (other writers on the primary may keep it busy)
    with caplog.at_level(logging.WARNING, logger="huanjie.db"):
        while not where(db):
            assert time.time() < deadline, "the standby was never used again"
            time.sleep(dbmod.STANDBY_CHECK_SECONDS)
    assert any("usable again" in r.getMessage() for r in caplog.records)


def test_a_standby_that_is_down_is_skipped_with_a_warning(pair: tuple[str, str],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    database = Database(pair[0], read_url="postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    try:
        with caplog.at_level(logging.WARNING, logger="huanjie.db"):
            with database.uow(write=False) as w:
                assert not w.on_standby
                assert w.session.execute(text("SELECT pg_is_in_recovery()")).scalar() is False
        assert any("skipped" in r.getMessage() and "down" in r.getMessage() for r in caplog.records)
    finally:
        database.dispose()


def test_a_user_reads_their_own_write_from_the_primary_while_others_read_the_standby(db: Database) -> None:
    from web import create_app
    app = create_app({"DATABASE": db, "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    writer = app.test_client()
    token = writer.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).get_json()["token"]
    assert writer.get_cookie("huanjie_wrote") is not None  # the sign-in was a write
    auth = {"Authorization": f"Bearer {token}"}
    page = app.test_client()  # a supervisor signed in before (the session is on the standby too)
    page.post("/login", data={"username": "city", "password": PASSWORD})
    wait_replayed()
    replay(True)  # the standby stops replaying: whatever is written now is on the primary only
    try:
        db.standby.max_lag = 3600  # type: ignore[union-attr] # lag is not what this test is about
        db.standby._checked = -1e9  # type: ignore[union-attr]
        r = writer.post("/api/v1/regions", headers=auth, json={"code": "210104", "name": "大东区", "level": "county",
                                                                "parent": "210100"})
        assert r.status_code == 201, r.get_json()
        seen: list[bool] = []
        original = db.uow

        def spy(write: bool = True) -> Any:
            unit = original(write)
            seen.append(unit.on_standby)
            return unit
        db.uow = spy  # type: ignore[method-assign]
        mine = writer.get("/api/v1/regions/210104", headers=auth)
        assert mine.status_code == 200 and mine.get_json()["name"] == "大东区"
        assert seen and not any(seen)  # all on the primary
        seen.clear()
        page.delete_cookie("huanjie_wrote")
        seen.clear()
        dashboard = page.get("/supervise")
        assert dashboard.status_code == 200 and any(seen)  # the dashboard read the standby
        db.uow = original  # type: ignore[method-assign]
        with db.uow(write=False) as w:  # the standby has not replayed the new county: the pin was needed
            assert w.on_standby and w.session.scalar(text("SELECT count(*) FROM regions WHERE code = '210104'")) == 0
    finally:
        replay(False)


def test_the_pages_of_cadres_and_supervisors_answer_from_the_standby(db: Database) -> None:
    from web import create_app
    app = create_app({"DATABASE": db, "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    election = db.world.elections["a_party"]  # type: ignore[attr-defined]
    for user, paths in (("cadre", ["/", f"/elections/{election}"]), ("city", ["/supervise", "/notices/escalations"]),
                        ("province", ["/supervise"])):
        client = app.test_client()
        assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
        wait_replayed()  # the session row has reached the standby (until then the cookie keeps them on the primary)
        client.delete_cookie("huanjie_wrote")
        for path in paths:
            r = client.get(path)
            assert r.status_code == 200, (user, path, r.status_code)

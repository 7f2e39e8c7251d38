"""A world restored from the session's snapshot is the world the services build, and it keeps working."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Column, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import PG_ADMIN_URL, _drop_later
from tests.snapshots import cached_world
from tests.support import PASSWORD, TODAY, World, build_world, build_world_through_services
from workflow import clock
from workflow.auth import SYSTEM
from workflow.db import Database
from workflow.models import Base, Region, User
from workflow.passwords import check_password
from workflow.schema import upgrade
from workflow.services.structure import create_region

SALTED = {"password_hash"}


def _wall_clock(column: Column[Any]) -> bool:
    """A column stamped with the wall clock (not the frozen domain clock) differs between two builds."""
    default = column.default
    return default is not None and getattr(getattr(default, "arg", None), "__name__", "") == "utcnow"


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in primary-key order, without salted hashes and wall-clock stamps."""
    out = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if c.name not in SALTED and not _wall_clock(c)]
            order = list(table.primary_key.columns) or cols
            out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*order))]
    return out


@pytest.fixture
def second_db(db: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """Another empty, migrated database of the same dialect."""
    if db.is_sqlite:
        path = tmp_path / "second.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        other = Database(f"sqlite:///{path}")
        yield other
        other.dispose()
        return
    name = f"huanjie_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    other = Database(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    upgrade(other.engine)
    yield other
    other.dispose()
    _drop_later(name)


def test_a_restored_world_has_every_row_of_the_world_the_services_built(db: Database, second_db: Database) -> None:
    key = f"test-{uuid.uuid4().hex}"
    built = cached_world(db, key, build_world_through_services)

    def build_again(_: Database) -> World:
        raise AssertionError("the second empty database must get the snapshot, not a new build")

    restored = cached_world(second_db, key, build_again)
    assert restored.db is second_db and built.db is db
    assert restored.elections == built.elections and restored.actors == built.actors
    assert clock.now() == TODAY
    rows = _rows(second_db)
    assert rows["elections"] and rows["audit_events"] and rows == _rows(db)


def test_a_database_with_rows_gets_its_world_through_the_services(db: Database) -> None:
    with db.uow() as uow:
        create_region(uow, SYSTEM, "110000", "北京市", "province")
    world = build_world(db)
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Region)) == 7
    assert len(world.elections) == 6


def test_a_restored_world_keeps_its_sequences_its_passwords_and_its_append_only_history(
        db: Database, second_db: Database) -> None:
    build_world(db)
    world = build_world(second_db)  # the snapshot exists now: restored
    with second_db.uow() as uow:
        region = create_region(uow, SYSTEM, "210104", "大东区", "county", "210100")
        uow.session.flush()
        assert region.id == uow.session.scalar(select(func.max(Region.id)))
        user = uow.session.scalars(select(User).where(User.username == "cadre")).one()
        assert check_password(user.password_hash, PASSWORD)
        assert world.actors["cadre"].user_id == user.id
    with pytest.raises(DBAPIError):
        with second_db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET action = 'x'"))

"""Migration 0002 (people and posts) on a populated database, SQLite and PostgreSQL: rows kept, the retired fact moved."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from tests.conftest import PG_ADMIN_URL, _missing
from workflow.schema import alembic_config

PREVIOUS = "0001"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (no schema yet), SQLite then PostgreSQL."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield engine
        engine.dispose()
        return
    name = f"huanjie_mig_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here
        _missing(f"PostgreSQL at {PG_ADMIN_URL} ({type(exc).__name__})")
    engine = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(engine: Engine, target: str) -> None:
    """Upgrade to a revision the way workflow.schema.upgrade does (each migration in its own transaction)."""
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def populate(engine: Engine) -> None:
    """Rows as the previous schema held them: a campaign, a party election in certification, facts, candidates."""
    now = dt.datetime(2015, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO regions (id, code, name, level) VALUES (1, '210000', '辽宁省', 'province'), "
                          "(2, '210102001', '太原街街道', 'street')"))
        conn.execute(text("INSERT INTO communities (id, code, name, street_id, county_id, city_id, province_id, "
                          "households, voters, party_org_type, party_members, urban_rural_fringe, village_converted, "
                          "collective_reform_done, migrant_dense, new_residential, key_difficult) VALUES "
                          "(1, '210102001001', '北市社区', 2, 1, 1, 1, 10, 10, 'branch', 30, false, false, false, "
                          "false, false, false)"))
        conn.execute(text("INSERT INTO campaigns (id, code, name, rule_set, scope_id, order_default, due, created_at) "
                          "VALUES (1, 'LN2014', '换届', 'liaoning-2014', 1, 'party_first', :due, :now)"),
                     {"due": json.dumps({}), "now": now})
        conn.execute(text("INSERT INTO elections (id, campaign_id, community_id, body, state, version, "
                          "due_shift_days, village_law, seats, state_entered_at, updated_at) VALUES "
                          "(1, 1, 1, 'party', 'certification', 5, 0, false, :seats, :now, :now), "
                          "(2, 1, 1, 'residents', 'voting', 4, 0, false, :seats, :now, :now)"),
                     {"seats": json.dumps({"member": 3}), "now": now})
        for i, (key, value) in enumerate((("secretary_elected", True), ("secretary_approved", True),
                                          ("result_filed", False)), start=1):
            conn.execute(text("INSERT INTO facts (id, election_id, key, value, recorded_at) "
                              "VALUES (:id, 1, :key, :value, :now)"), {"id": i, "key": key,
                                                                      "value": json.dumps(value), "now": now})
        for i in range(1, 4):
            conn.execute(text("INSERT INTO candidates (id, election_id, name, post, party_member, full_member, "
                              "qualified, on_election_committee, presented, graduate_recruit, withdrawn, "
                              "disqualified, voided, elected, created_at) VALUES (:id, 1, :name, 'member', true, "
                              "true, true, false, false, false, false, false, false, true, :now)"),
                         {"id": i, "name": f"候选人{i}", "now": now})
        conn.execute(text("INSERT INTO audit_events (at, actor, election_id, community_id, action, data) "
                          "VALUES (:now, 'cadre', 1, 1, 'fact_recorded', :data)"),
                     {"now": now, "data": json.dumps({"key": "secretary_elected", "value": True, "previous": None})})


def test_the_upgrade_keeps_every_row_and_moves_the_retired_fact_into_the_history(fresh: Engine) -> None:
    migrate(fresh, PREVIOUS)
    populate(fresh)
    migrate(fresh, "head")
    migrate(fresh, "head")  # safe to run twice
    columns = {c["name"] for c in inspect(fresh).get_columns("candidates")}
    assert {"id_hash", "id_masked", "incumbent", "party_post", "full_time_deputy"} <= columns
    assert "roster_members" in inspect(fresh).get_table_names()
    with fresh.connect() as conn:
        keys = sorted(k for (k,) in conn.execute(text("SELECT key FROM facts WHERE election_id = 1")))
        assert keys == ["result_filed", "secretary_approved"]
        cands = conn.execute(text("SELECT id, incumbent, party_post, full_time_deputy, id_hash FROM candidates "
                                  "ORDER BY id")).all()
        assert [(c.id, bool(c.incumbent), c.party_post, bool(c.full_time_deputy), c.id_hash) for c in cands] == [
            (i, False, None, False, None) for i in (1, 2, 3)]
        rows = conn.execute(text("SELECT action, actor, election_id, community_id, data FROM audit_events "
                                 "ORDER BY id")).all()
        hashes = [h for (h,) in conn.execute(text("SELECT hash FROM audit_events ORDER BY id"))]
    assert all(h and len(h) == 64 for h in hashes)  # the later history-hash migration chains the moved row too
    assert [r.action for r in rows] == ["fact_recorded", "facts_cleared"]
    cleared = rows[1]
    data = cleared.data if isinstance(cleared.data, dict) else json.loads(cleared.data)
    assert (cleared.actor, cleared.election_id, cleared.community_id) == ("system", 1, 1)
    assert data["facts"] == {"secretary_elected": True} and "posts" in data["reason"]


def test_the_upgraded_database_computes_secretary_elected_from_the_posts(fresh: Engine) -> None:
    migrate(fresh, PREVIOUS)
    populate(fresh)
    migrate(fresh, "head")
    from workflow.db import Database
    from workflow.auth import SYSTEM
    from workflow.services.people import set_posts
    from workflow.services.reads import describe_election
    db = Database(fresh.url.render_as_string(hide_password=False))
    try:
        with db.uow(write=False) as w:
            view = describe_election(w, SYSTEM, 1, "en")
        certify = next(t for t in view["transitions"] if t["trigger"] == "certify")
        assert "secretary_elected" in [u["code"] for u in certify["unmet"]]
        assert "secretary_elected" not in view["facts"]
        with db.uow() as w:
            set_posts(w, SYSTEM, 1, {"secretary": 2, "deputy_secretaries": [1], "full_time_deputy": 1})
        with db.uow(write=False) as w:
            view = describe_election(w, SYSTEM, 1, "en")
        certify = next(t for t in view["transitions"] if t["trigger"] == "certify")
        assert [u["code"] for u in certify["unmet"]] == ["result_filed"]
    finally:
        db.dispose()

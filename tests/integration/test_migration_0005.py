"""Revision 0005 on a populated database (SQLite and PostgreSQL): rows survive, the new columns exist, long round
kinds fit, and a report date copied from the rule set falls back to the campaign's default."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from tests.conftest import PG_ADMIN_URL, _missing
from workflow.schema import alembic_config


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (the shared fixtures are already at head)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
        yield engine
        engine.dispose()
        return
    name = f"huanjie_mig_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here
        _missing(f"PostgreSQL ({type(exc).__name__})")
    engine = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _upgrade(engine: Engine, to: str) -> None:
    cfg = alembic_config(engine)
    with engine.connect() as conn:  # each migration runs in a transaction of its own (as workflow.schema does)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, to)
        conn.commit()


def test_revision_0005_upgrades_a_populated_database(blank: Engine):
    _upgrade(blank, "0004")
    with blank.begin() as conn:
        conn.execute(text("INSERT INTO regions (id, code, name, level) VALUES (1, '210000', '辽宁省', 'province')"))
        conn.execute(text("INSERT INTO communities (id, code, name, street_id, county_id, city_id, province_id, "
                          "households, voters, party_org_type, party_members, urban_rural_fringe, village_converted, "
                          "collective_reform_done, migrant_dense, new_residential, key_difficult) VALUES "
                          "(1, 'c1', '社区', 1, 1, 1, 1, 0, 0, 'branch', 0, false, false, false, false, false, false)"))
        for cid, code, summary in ((1, "LN2014", "2015-03-31"), (2, "LN2026", "2026-03-20")):
            conn.execute(text("INSERT INTO campaigns (id, code, name, rule_set, scope_id, order_default, due, "
                              "report_due, created_at) VALUES (:id, :code, :code, 'liaoning-2014', 1, 'party_first', "
                              ":due, '2015-04-10', CURRENT_TIMESTAMP)"),
                         {"id": cid, "code": code, "due": '{"summary": "%s"}' % summary})
        conn.execute(text("INSERT INTO elections (id, campaign_id, community_id, body, state, version, "
                          "due_shift_days, village_law, seats, state_entered_at, updated_at) VALUES "
                          "(1, 2, 1, 'party', 'voting', 1, 0, false, '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO candidates (id, election_id, name, post, party_member, full_member, qualified, "
                          "on_election_committee, presented, graduate_recruit, withdrawn, disqualified, voided, elected, "
                          "created_at) VALUES (1, 1, '甲', 'member', true, true, true, false, true, false, false, "
                          "false, false, true, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO rounds (id, election_id, number, kind, basis, expected, present, "
                          "ballots_issued, ballots_returned, ballots_invalid, votes, open_seats, valid, problems, "
                          "elected, unfilled, superseded, recorded_at) VALUES (1, 1, 1, 'first', 'first', 10, 9, 9, "
                          "9, 0, '{}', '{}', true, '[]', '[1]', '{}', false, CURRENT_TIMESTAMP)"))
    _upgrade(blank, "head")
    with blank.begin() as conn:
        due = dict(conn.execute(text("SELECT code, report_due FROM campaigns")).all())
        assert str(due["LN2014"]) == "2015-04-10" and due["LN2026"] is None
        assert conn.execute(text("SELECT write_in FROM candidates")).scalar() in (False, 0)
        assert conn.execute(text("SELECT elected, tied FROM rounds")).one()[1] is None
        conn.execute(text("UPDATE rounds SET kind = 'by_election', basis = 'tie_break'"))
        conn.execute(text("UPDATE elections SET round_permit = 'by_election'"))
        assert conn.execute(text("SELECT kind FROM rounds")).scalar() == "by_election"

"""The history's hash chains (domain.md §14): written in the writing transaction, checked row by row, tampering
behind the application's back (append-only triggers switched off) found at its first bad row, on both databases."""
from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest
from sqlalchemy import select, text

from tests.integration.engine_support import PREP_COMMON, Engine
from tests.integration.test_cli import run as run_cli, url_of
from workflow.auth import SYSTEM
from workflow.db import Database
from workflow.errors import InvalidTrigger, VersionConflict
from workflow.history import GENESIS, encode, row_hash
from workflow.models import AuditEvent
from workflow.services.common import audit
from workflow.services.election_data import record_fact
from workflow.services.elections import fire_trigger
from workflow.services.integrity import verify_all, verify_election


@pytest.fixture
def eng(db: Database) -> Iterator[Engine]:
    engine = Engine(db)
    yield engine
    triggers(db, on=True)


def triggers(db: Database, on: bool) -> None:
    """Switch the append-only triggers off (as a database owner could) or back on."""
    from workflow.models import AUDIT_TRIGGERS
    with db.engine.begin() as conn:
        if db.is_sqlite:
            if on:
                for statement in AUDIT_TRIGGERS["sqlite"]:
                    conn.exec_driver_sql(statement)
            else:
                conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_update")
                conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_delete")
        else:
            conn.exec_driver_sql(f"ALTER TABLE audit_events {'ENABLE' if on else 'DISABLE'} TRIGGER audit_no_change")


def tamper(db: Database, sql: str, **params: Any) -> None:
    triggers(db, on=False)
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def rows_of(db: Database, election_id: Any = None) -> list[AuditEvent]:
    with db.uow(write=False) as uow:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if election_id is not None:
            stmt = stmt.where(AuditEvent.election_id == election_id)
        return list(uow.session.scalars(stmt))


def busy(eng: Engine) -> int:
    """Give the plain Party election a history of facts, seats and transitions; return its id."""
    eng.facts("a_party", PREP_COMMON)
    eng.fire("a_party", "suspend", actor="street", note="暂停检查")
    eng.fire("a_party", "resume", actor="street")
    eng.fact("a_party", "publicity_done", False)
    return eng.world.elections["a_party"]


def check(db: Database, election_id: int) -> dict[str, Any]:
    with db.uow(write=False) as uow:
        return verify_election(uow, SYSTEM, election_id)


def test_every_row_written_by_the_services_carries_the_hash_of_its_chain(eng):
    eid = busy(eng)
    rows = rows_of(eng.db)
    assert rows and all(r.hash and len(r.hash) == 64 for r in rows)
    heads: dict[Any, str] = {}
    for r in rows:
        fields = {name: getattr(r, name) for name in ("id", "at", "actor_id", "actor", "election_id", "community_id",
                                                    "action", "from_state", "to_state", "trigger", "note", "data")}
        assert r.hash == row_hash(heads.get(r.election_id, GENESIS), fields), r.id
        heads[r.election_id] = r.hash
    assert [r.action for r in rows_of(eng.db, eid)][-3:] == ["transition", "transition", "fact_recorded"]
    assert check(eng.db, eid) == {"ok": True, "rows": len(rows_of(eng.db, eid)), "first_bad": None,
                                  "chain_ok": True, "files_bad": []}
    with eng.db.uow(write=False) as uow:
        whole = verify_all(uow)
    assert whole["ok"] and whole["rows"] == len(rows) and whole["broken"] == []


def test_the_encoding_is_sorted_key_json_with_utc_instants_and_null(eng):
    eid = busy(eng)
    row = rows_of(eng.db, eid)[0]
    encoded = encode({name: getattr(row, name) for name in ("id", "at", "actor_id", "actor", "election_id",
                                                             "community_id", "action", "from_state", "to_state",
                                                             "trigger", "note", "data")})
    assert encoded.startswith('{"action":"fact_recorded","actor":"cadre","actor_id":')
    assert '"at":"2014-12-10T04:00:00.000000Z"' in encoded and '"from_state":null' in encoded


@pytest.mark.parametrize("how", ["edited", "deleted", "inserted", "reordered"])
def test_a_row_changed_behind_the_applications_back_is_named_as_the_first_bad_row(eng, how):
    eid = busy(eng)
    rows = rows_of(eng.db, eid)
    victim, after = rows[2], rows[3]
    if how == "edited":
        tamper(eng.db, "UPDATE audit_events SET note = 'rewritten' WHERE id = :id", id=victim.id)
        expected = victim.id
    elif how == "deleted":
        tamper(eng.db, "DELETE FROM audit_events WHERE id = :id", id=victim.id)
        expected = after.id  # the row after a gap no longer follows its predecessor's hash
    elif how == "inserted":
        tamper(eng.db, "INSERT INTO audit_events (id, at, actor, election_id, community_id, action, data, hash) "
                       "SELECT :nid, at, actor, election_id, community_id, 'fact_recorded', data, hash "
                       "FROM audit_events WHERE id = :id", nid=rows[-1].id + 1000, id=victim.id)
        expected = rows[-1].id + 1000
    else:  # two rows swap their whole contents, hashes included
        tamper(eng.db, "UPDATE audit_events SET id = -1 WHERE id = :a", a=victim.id)
        tamper(eng.db, "UPDATE audit_events SET id = :a WHERE id = :b", a=victim.id, b=after.id)
        tamper(eng.db, "UPDATE audit_events SET id = :b WHERE id = -1", b=after.id)
        expected = victim.id
    result = check(eng.db, eid)
    assert result["ok"] is False and result["first_bad"] == expected
    with eng.db.uow(write=False) as uow:
        whole = verify_all(uow)
    assert whole["broken"] == [{"election": eid, "first_bad": expected}]
    cli = run_cli(url_of(eng.db), "verify")
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert f"BROKEN chain of election {eid}: first bad row {expected}" in cli.stdout
    assert "digest" in cli.stdout
    one = run_cli(url_of(eng.db), "verify", "--election", str(eid))
    assert one.returncode == 1 and f"first bad row {expected}" in one.stdout


def test_a_rewritten_chain_end_is_found_against_the_stored_days_digest(eng):
    from workflow.services.integrity import daily_check
    eid = busy(eng)
    with eng.db.uow() as uow:
        day = daily_check(uow.session)
    assert day["ok"] and day["rows_checked"] == len(rows_of(eng.db)) - 1  # its own row comes after
    last = rows_of(eng.db, eid)[-1]
    tamper(eng.db, "DELETE FROM audit_events WHERE id = :id", id=last.id)  # the chain itself stays consistent
    with eng.db.uow(write=False) as uow:
        whole = verify_all(uow)
    assert whole["broken"] == [] and whole["day_check"]["ok"] is False and whole["ok"] is False
    assert run_cli(url_of(eng.db), "verify").returncode == 1


def test_an_untouched_history_verifies_with_exit_status_0_and_prints_the_digest(eng):
    busy(eng)
    cli = run_cli(url_of(eng.db), "verify")
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "rows checked:" in cli.stdout and cli.stdout.strip().endswith("ok")
    assert run_cli(url_of(eng.db), "verify", "--election", "999999").returncode == 2


def test_rows_without_an_election_form_one_chain_of_their_own(eng):
    rows = [r for r in rows_of(eng.db) if r.election_id is None]
    assert len(rows) > 3
    tamper(eng.db, "UPDATE audit_events SET actor = 'someone' WHERE id = :id", id=rows[1].id)
    with eng.db.uow(write=False) as uow:
        assert verify_all(uow)["broken"] == [{"election": None, "first_bad": rows[1].id}]


def test_24_concurrent_writers_on_one_election_leave_one_valid_chain(eng):
    eid = eng.world.elections["a_party"]
    before = len(rows_of(eng.db, eid))
    barrier = threading.Barrier(24)
    errors: list[str] = []

    def worker(i: int) -> None:
        barrier.wait()
        try:
            for n in range(3):
                with eng.db.uow() as uow:
                    record_fact(uow, eng.actors["cadre"], eid, PREP_COMMON[(i + n) % len(PREP_COMMON)], n % 2 == 0,
                                note=f"writer {i}.{n}")
            for _ in range(50):  # one suspend or resume each, retried on a version conflict
                try:
                    with eng.db.uow() as uow:
                        current = eng.get("a_party")
                        trigger = "resume" if current.state == "suspended" else "suspend"
                        fire_trigger(uow, eng.actors["street"], eid, trigger, current.version, note=f"writer {i}")
                    break
                except (VersionConflict, InvalidTrigger):
                    continue
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    rows = rows_of(eng.db, eid)
    assert len([r for r in rows if r.action == "fact_recorded"]) - len(
        [r for r in rows[:before] if r.action == "fact_recorded"]) == 72
    assert len([r for r in rows if r.action == "transition"]) == 24
    assert check(eng.db, eid)["ok"] is True


def test_24_concurrent_writers_of_rows_without_an_election_leave_one_valid_chain(eng):
    barrier = threading.Barrier(24)
    errors: list[str] = []

    def worker(i: int) -> None:
        barrier.wait()
        try:
            for n in range(3):
                with eng.db.uow() as uow:
                    audit(uow.session, SYSTEM, "test_note", data={"writer": i, "n": n})
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with eng.db.uow(write=False) as uow:
        whole = verify_all(uow)
    assert whole["ok"] and len([r for r in rows_of(eng.db) if r.action == "test_note"]) == 72


def test_the_stand_alone_script_of_the_readme_agrees_with_the_application(eng):
    import subprocess
    import sys
    from pathlib import Path
    script = Path(__file__).resolve().parents[2] / "docs" / "verify-history.py"
    eid = busy(eng)

    def run_script() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(script), url_of(eng.db)], capture_output=True, text=True,
                              timeout=120)
    clean = run_script()
    with eng.db.uow(write=False) as uow:
        whole = verify_all(uow)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip().endswith(f"digest {whole['digest']}")
    victim = rows_of(eng.db, eid)[4]
    tamper(eng.db, "UPDATE audit_events SET at = at WHERE id = :id", id=victim.id)  # a no-op: still fine
    assert run_script().returncode == 0
    tamper(eng.db, "UPDATE audit_events SET trigger = 'x' WHERE id = :id", id=victim.id)
    broken = run_script()
    assert broken.returncode == 1 and f"chain {eid}: first bad row {victim.id}" in broken.stdout


@pytest.mark.parametrize("column,value", [("at", "yesterday at noon"), ("data", "{not json")])
def test_a_value_no_type_can_take_is_a_bad_row_not_a_failed_check(eng, column, value):
    from sqlalchemy.exc import DBAPIError
    eid = busy(eng)
    victim = rows_of(eng.db, eid)[1]
    if not eng.db.is_sqlite:  # PostgreSQL's timestamptz and json refuse such text outright
        with pytest.raises(DBAPIError):
            tamper(eng.db, f"UPDATE audit_events SET {column} = :v WHERE id = :id", v=value, id=victim.id)
        return
    tamper(eng.db, f"UPDATE audit_events SET {column} = :v WHERE id = :id", v=value, id=victim.id)
    assert check(eng.db, eid)["first_bad"] == victim.id
    cli = run_cli(url_of(eng.db), "verify")
    assert cli.returncode == 1 and f"first bad row {victim.id}" in cli.stdout

"""Optimistic locking and atomic transitions: a stale version or a failing side effect changes nothing."""
from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import text

from workflow.errors import VersionConflict
from workflow.models import AuditEvent, Certificate, Complaint, Election, Fact
from workflow.services import elections as elections_service
from workflow.services.complaints import file_complaint, resolve_complaint
from workflow.services.elections import fire_trigger
from tests.integration.engine_support import Engine


def snapshot_of(eng: Engine, key: str) -> tuple[Any, ...]:
    """What a transition could change: the election row, its facts, certificates, complaints and the history."""
    e = eng.get(key)
    with eng.db.uow(write=False) as uow:
        s = uow.session
        certs = sorted((c.id, c.revoked_at is None) for c in s.query(Certificate))
        complaints = sorted((c.id, c.outcome) for c in s.query(Complaint))
        voided = sorted(c.id for c in eng.candidates(key) if c.voided)
    return (e.state, e.version, e.due_on, e.suspended_from, e.round_permit, e.state_entered_at,
            sorted(eng.fact_values(key).items()), certs, complaints, voided, eng.count(AuditEvent))


def test_a_stale_version_is_a_conflict_and_changes_nothing(db):
    eng = Engine(db)
    old = eng.get("a_party").version
    eng.fire("a_party", "suspend", actor="street", note="第一次", version=old)
    before = snapshot_of(eng, "a_party")
    with pytest.raises(VersionConflict):
        eng.fire("a_party", "resume", actor="street", version=old)
    assert snapshot_of(eng, "a_party") == before
    assert eng.fire("a_party", "resume", actor="street", version=old + 1).version == old + 2


def test_only_transitions_move_the_version(db):
    eng = Engine(db)
    v = eng.get("a_party").version
    eng.fact("a_party", "publicity_done")
    eng.seats("a_party", {"member": 5})
    assert eng.get("a_party").version == v


def test_two_concurrent_transitions_from_the_same_version_let_exactly_one_through(db):
    eng = Engine(db)
    version = eng.get("v_residents").version  # apply_village_law stays valid from preparation: losers see the version
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def worker(i: int) -> None:
        barrier.wait()
        try:
            with db.uow() as uow:
                fire_trigger(uow, eng.actors["street"], eng.world.elections["v_residents"], "apply_village_law",
                             version, note=f"worker {i}")
            outcomes.append("ok")
        except VersionConflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert eng.get("v_residents").version == version + 1
    assert len(eng.audit("v_residents", "transition")) == 1


def test_a_version_changed_after_the_check_is_still_a_conflict(db, monkeypatch: pytest.MonkeyPatch):
    eng = Engine(db)
    before = snapshot_of(eng, "a_party")
    real = elections_service._write_transition

    def interfering(s, election, history):
        # another writer moves the version between the version check and the update
        s.execute(text("UPDATE elections SET version = version + 1 WHERE id = :id"), {"id": election.id})
        return real(s, election, history)

    monkeypatch.setattr(elections_service, "_write_transition", interfering)
    with pytest.raises(VersionConflict):
        eng.fire("a_party", "suspend", actor="street", note="x")
    assert snapshot_of(eng, "a_party") == before
    assert eng.audit("a_party", "transition") == []


def failing_transition_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the transition's audit row fail after everything before it has been written to the database."""
    real = elections_service._write_transition

    def write_transition(s, *args):
        real(s, *args)
        raise RuntimeError("disk full after writing the history")

    monkeypatch.setattr(elections_service, "_write_transition", write_transition)


def test_a_failing_side_effect_rolls_back_a_suspension(db, monkeypatch: pytest.MonkeyPatch):
    eng = Engine(db)
    before = snapshot_of(eng, "a_party")
    failing_transition_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        eng.fire("a_party", "suspend", actor="street", note="暂停")
    assert snapshot_of(eng, "a_party") == before
    monkeypatch.undo()
    assert eng.fire("a_party", "suspend", actor="street", note="暂停").state == "suspended"


def test_a_failing_side_effect_rolls_back_cleared_facts(db, monkeypatch: pytest.MonkeyPatch):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    eng.round("a_party", kind="first", expected=100, present=95, ballots_issued=95, ballots_returned=95,
              ballots_invalid=0, votes={str(x): 80 for x in c[:3]})
    eng.facts("a_party", ("public_count_done", "result_announced"))
    before = snapshot_of(eng, "a_party")
    failing_transition_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        eng.fire("a_party", "another_round")
    after = snapshot_of(eng, "a_party")
    assert after == before and ("public_count_done", True) in after[6]
    assert eng.get("a_party").round_permit is None


def test_a_failing_side_effect_rolls_back_a_voided_election(db, monkeypatch: pytest.MonkeyPatch):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "handover")
    winner = eng.elected("a_residents")[0]
    complaint = eng.call(file_complaint, eng.world.elections["a_residents"], "bribery", winner, "2014-12-10", "贿选")
    before = snapshot_of(eng, "a_residents")
    failing_transition_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        eng.call(resolve_complaint, complaint.id, "void_election", actor="inspector")
    assert snapshot_of(eng, "a_residents") == before
    with db.uow(write=False) as uow:
        assert uow.session.get(Complaint, complaint.id).resolved_at is None
        assert uow.session.get(Election, eng.world.elections["a_residents"]).state == "handover"
        assert uow.session.query(Fact).filter(Fact.key == "handover_done").count() == 0  # never recorded here

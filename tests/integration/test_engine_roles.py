"""Who may do what (api.md), scope as not-found, and the order in which a transition request is checked."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from workflow.errors import Forbidden, GuardsFailed, InvalidRequest, InvalidTrigger, NotFound, VersionConflict
from workflow.models import AuditEvent, Fact
from workflow.services.complaints import file_complaint
from workflow.services.election_data import (add_candidate, issue_certificate, record_fact, record_round,
                                             set_seats)
from workflow.services.elections import fire_trigger
from workflow.services.reads import describe_election, history
from tests.integration.engine_support import Engine


def test_a_cadre_may_not_suspend(db):
    eng = Engine(db)
    with pytest.raises(Forbidden):
        eng.fire("a_party", "suspend", actor="cadre", note="想暂停")
    for role in ("inspector", "observer"):
        with pytest.raises(Forbidden):
            eng.fire("a_party", "suspend", actor=role, note="想暂停")
    eng.fire("a_party", "suspend", actor="street", note="应急处置")
    with pytest.raises(Forbidden):
        eng.fire("a_party", "resume", actor="cadre")
    eng.fire("a_party", "resume", actor="county")


@pytest.mark.parametrize("actor, allowed", [("cadre", False), ("street", False), ("county", False),
                                            ("inspector", False), ("city", True), ("province", True),
                                            ("admin", True)])
def test_accept_summary_needs_a_supervisor_at_city_level_or_above(db, actor: str, allowed: bool):
    eng = Engine(db)
    eng.advance("a_party", "summary")
    eng.facts("a_party", ("summary_written",))
    eng.fact("a_party", "inspection_accepted", actor="city")
    if allowed:
        assert eng.fire("a_party", "accept_summary", actor=actor).state == "closed"
    else:
        with pytest.raises(Forbidden):
            eng.fire("a_party", "accept_summary", actor=actor)
        assert eng.state("a_party") == "summary"


@pytest.mark.parametrize("role", ["inspector", "observer"])
def test_inspectors_and_observers_record_nothing(db, role: str):
    eng = Engine(db)
    for call in (lambda: eng.fact("a_party", "publicity_done", actor=role),
                 lambda: eng.seats("a_party", {"member": 5}, actor=role),
                 lambda: eng.fire("a_party", "open_nomination", actor=role)):
        with pytest.raises(Forbidden):
            call()
    assert eng.count(Fact) == 0


@pytest.mark.parametrize("fact", ["seats_exception_approved", "candidate_list_approved"])
def test_supervisor_facts_are_recorded_by_a_supervisor_only(db, fact: str):
    eng = Engine(db)
    with pytest.raises(Forbidden):
        eng.fact("a_party", fact, actor="cadre")
    eng.fact("a_party", fact, actor="street")
    eng.fact("a_party", fact, False, actor="admin")
    assert eng.fact_values("a_party")[fact] is False


@pytest.mark.parametrize("actor, allowed", [("cadre", False), ("street", False), ("county", False),
                                            ("city", True), ("province", True), ("admin", True)])
def test_inspection_acceptance_is_recorded_at_city_level_or_above(db, actor: str, allowed: bool):
    eng = Engine(db)
    if allowed:
        eng.fact("a_residents", "inspection_accepted", actor=actor)
    else:
        with pytest.raises(Forbidden):
            eng.fact("a_residents", "inspection_accepted", actor=actor)
    assert ("inspection_accepted" in eng.fact_values("a_residents")) is allowed


SCOPED: list[tuple[str, Callable[[Engine, int], Any]]] = [
    ("fire", lambda eng, eid: eng.call(fire_trigger, eid, "open_nomination", 1, actor="othercadre")),
    ("fact", lambda eng, eid: eng.call(record_fact, eid, "publicity_done", True, actor="othercadre")),
    ("seats", lambda eng, eid: eng.call(set_seats, eid, {"member": 5}, actor="othercadre")),
    ("candidate", lambda eng, eid: eng.call(add_candidate, eid, {"name": "王五", "post": "member"},
                                            actor="othercadre")),
    ("round", lambda eng, eid: eng.call(record_round, eid, {"kind": "first"}, actor="othercadre")),
    ("certificate", lambda eng, eid: eng.call(issue_certificate, eid, 1, "S-1", actor="othercadre")),
    ("complaint", lambda eng, eid: eng.call(file_complaint, eid, "bribery", None, "2014-12-01", "x",
                                            actor="othercadre")),
    ("describe", lambda eng, eid: eng.call(describe_election, eid, actor="othercadre")),
    ("history", lambda eng, eid: eng.call(history, eid, actor="othercadre")),
]


@pytest.mark.parametrize("name, call", SCOPED, ids=[n for n, _ in SCOPED])
def test_an_election_outside_the_callers_region_is_not_found(db, name: str, call: Callable[[Engine, int], Any]):
    eng = Engine(db)
    before = eng.count(AuditEvent)
    with pytest.raises(NotFound):
        call(eng, eng.world.elections["a_party"])
    with pytest.raises(NotFound):  # a missing election looks the same
        call(eng, 10**9)
    assert eng.count(AuditEvent) == before
    assert eng.call(describe_election, eng.world.elections["b_party"], actor="othercadre")["state"] == "preparation"


@pytest.mark.parametrize("eid", ["abc", None, "1.5", [1]])
def test_a_malformed_election_id_is_not_found(db, eid: Any):
    eng = Engine(db)
    with pytest.raises(NotFound):
        eng.call(fire_trigger, eid, "open_nomination", 1)


def test_admin_acts_in_every_region_but_states_and_guards_still_apply(db):
    eng = Engine(db)
    eng.fire("b_party", "suspend", actor="admin", note="省级督导暂停")
    eng.fire("b_party", "resume", actor="admin")
    with pytest.raises(GuardsFailed):
        eng.fire("b_party", "open_nomination", actor="admin")
    with pytest.raises(InvalidTrigger):
        eng.fire("b_party", "certify", actor="admin")


# ---------------------------------------------------------------- check order: 404 → 400 → 409 trigger → 403 → 409

def test_a_transition_request_is_checked_in_the_contract_order(db):
    eng = Engine(db)
    stale = eng.get("a_party").version - 1
    with pytest.raises(InvalidRequest):  # a trigger no machine has: 400, before anything else
        eng.fire("a_party", "close_everything", actor="observer", version=stale)
    with pytest.raises(InvalidRequest):
        eng.fire("a_party", "open_nomination", version="1")
    with pytest.raises(InvalidTrigger):  # not valid from preparation: before the role
        eng.fire("a_party", "accept_summary", actor="cadre", version=stale)
    with pytest.raises(Forbidden):  # the role: before the version
        eng.fire("a_party", "suspend", actor="cadre", note="x", version=stale)
    with pytest.raises(VersionConflict):  # the version: before the guards
        eng.fire("a_party", "open_nomination", version=stale)
    with pytest.raises(GuardsFailed):
        eng.fire("a_party", "open_nomination")
    assert eng.audit("a_party", "transition") == []

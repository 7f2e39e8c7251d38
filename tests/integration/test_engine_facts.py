"""Facts: the key must belong to the body, the value to its type; nothing changes once closed; history keeps all."""
from __future__ import annotations

import pytest

from workflow.errors import GuardsFailed, InvalidRequest, InvalidState
from workflow.models import AuditEvent, Fact
from tests.integration.engine_support import Engine


WRONG_KEYS = [
    ("a_residents", "org_setup_confirmed"),      # a party fact
    ("a_residents", "secretary_elected"),
    ("a_party", "election_mode"),                # a residents' fact
    ("a_party", "voter_list_published_on"),
    ("a_party", "seats_in_range"),               # a computed guard, never a fact
    ("a_party", "candidate_surplus"),
    ("a_party", "no_such_fact"),
]
WRONG_VALUES = [
    ("publicity_done", "true"), ("publicity_done", 1), ("publicity_done", "是"),
    ("election_day", "2015-02-30"), ("election_day", "20150130"), ("election_day", 20150130),
    ("election_day", True), ("election_day", "2015-1-3"),
    ("election_mode", "lottery"), ("election_mode", True), ("election_mode", ["direct"]),
]


def test_a_key_that_is_not_a_fact_of_the_body_is_refused(db):
    eng = Engine(db)
    audit_before = eng.count(AuditEvent)
    for key, fact in WRONG_KEYS:
        with pytest.raises(InvalidRequest) as err:
            eng.fact(key, fact, True)
        assert fact in err.value.fields("en"), (key, fact)
    assert eng.count(Fact) == 0 and eng.count(AuditEvent) == audit_before


def test_a_value_of_the_wrong_type_is_refused_and_nothing_is_recorded(db):
    eng = Engine(db)
    audit_before = eng.count(AuditEvent)
    for fact, value in WRONG_VALUES:
        with pytest.raises(InvalidRequest) as err:
            eng.fact("a_residents", fact, value)
        assert "value" in err.value.fields("en") and err.value.fields("zh")["value"], (fact, value)
    assert eng.count(Fact) == 0 and eng.count(AuditEvent) == audit_before


def test_facts_can_be_recorded_changed_and_retracted_and_history_keeps_every_value(db):
    eng = Engine(db)
    for value in (True, False, None, True):
        eng.fact("a_party", "publicity_done", value)
    eng.fact("a_residents", "election_day", "2015-01-30")
    eng.fact("a_residents", "election_day", "2015-02-02")
    eng.fact("a_residents", "election_mode", "household")
    assert eng.fact_values("a_party") == {"publicity_done": True}
    assert eng.fact_values("a_residents") == {"election_day": "2015-02-02", "election_mode": "household"}
    rows = [(r.data["value"], r.data["previous"]) for r in eng.audit("a_party", "fact_recorded")]
    assert rows == [(True, None), (False, True), (None, False), (True, None)]
    days = [(r.data["value"], r.data["previous"]) for r in eng.audit("a_residents", "fact_recorded")
            if r.data["key"] == "election_day"]
    assert days == [("2015-01-30", None), ("2015-02-02", "2015-01-30")]


def test_a_retracted_fact_no_longer_satisfies_its_guard(db):
    eng = Engine(db)
    eng.advance("a_party", "nomination")
    eng.fact("a_party", "superior_recommendation_done", None)
    for _ in range(6):
        eng.add("a_party")
    eng.facts("a_party", ("member_mass_recommendation_done", "candidate_list_reported"))
    eng.fact("a_party", "candidate_list_approved", actor="street")
    eng.fact("a_party", "candidate_list_approved", False, actor="street")
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "open_candidate_meeting")
    assert [u.code for u in err.value.unmet] == ["superior_recommendation_done", "candidate_list_approved"]


def test_a_fact_keeps_its_note_and_recorder(db):
    eng = Engine(db)
    from workflow.services.election_data import record_fact
    eng.call(record_fact, eng.world.elections["a_party"], "funding_secured", True, "已纳入2015年预算")
    with db.uow(write=False) as uow:
        fact = uow.session.query(Fact).one()
        assert (fact.note, fact.recorded_by) == ("已纳入2015年预算", eng.actors["cadre"].user_id)
    with pytest.raises(InvalidRequest):
        eng.call(record_fact, eng.world.elections["a_party"], "funding_secured", True, 42)


def test_facts_may_be_recorded_while_suspended_but_never_once_closed(db):
    eng = Engine(db)
    eng.fire("a_party", "suspend", actor="street", note="暂停")
    eng.fact("a_party", "publicity_done")
    eng.fire("a_party", "resume", actor="street")
    eng.advance("a_party", "closed")
    before = eng.fact_values("a_party")
    for fact, value in (("publicity_done", False), ("summary_written", None), ("annual_plan_made", True)):
        with pytest.raises(InvalidState):
            eng.fact("a_party", fact, value)
    with pytest.raises(InvalidState):
        eng.fact("a_party", "inspection_accepted", False, actor="city")
    assert eng.fact_values("a_party") == before

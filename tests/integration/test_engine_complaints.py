"""Complaints (举报, N3(4)): when each outcome is possible, what blocks certification, interference escalates."""
from __future__ import annotations

import datetime as dt

import pytest

from workflow.errors import Forbidden, GuardsFailed, InvalidRequest, InvalidState
from workflow.models import Complaint, Escalation
from workflow.services.complaints import file_complaint, resolve_complaint
from tests.integration.engine_support import Engine


def complain(eng: Engine, key: str, category: str, candidate: int | None = None, actor: str = "cadre") -> int:
    return eng.call(file_complaint, eng.world.elections[key], category, candidate, "2014-12-08", "群众举报",
                    actor=actor).id


def resolve(eng: Engine, complaint: int, outcome: str, actor: str = "inspector", **kw) -> Complaint:
    return eng.call(resolve_complaint, complaint, outcome, actor=actor, **kw)


def test_a_complaint_is_due_thirty_days_after_receipt(db):
    eng = Engine(db)
    cid = complain(eng, "a_party", "procedure")
    with db.uow(write=False) as uow:
        row = uow.session.get(Complaint, cid)
        assert row.due_on == dt.date(2015, 1, 7) and row.resolved_at is None


def test_disqualifying_needs_a_named_candidate_in_nomination_or_candidate_meeting(db):
    eng = Engine(db)
    unnamed = complain(eng, "a_party", "improper_competition")
    with pytest.raises(InvalidState):
        resolve(eng, unnamed, "disqualify_candidate")
    eng.advance("a_party", "nomination")
    cands = [eng.add("a_party") for _ in range(6)]
    with pytest.raises(InvalidState):
        resolve(eng, unnamed, "disqualify_candidate")
    named = complain(eng, "a_party", "improper_competition", cands[0])
    resolve(eng, named, "disqualify_candidate", note="查实", referral="police")
    assert [c.disqualified for c in eng.candidates("a_party")][0] is True
    with pytest.raises(InvalidState):  # a second resolution
        resolve(eng, named, "unfounded")

    # the surplus now fails: the election cannot leave nomination until a candidate is added
    eng.facts("a_party", ("member_mass_recommendation_done", "superior_recommendation_done",
                          "candidate_list_reported"))
    eng.fact("a_party", "candidate_list_approved", actor="street")
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "open_candidate_meeting")
    assert [u.code for u in err.value.unmet] == ["candidate_surplus"]
    eng.add("a_party")
    # rev. 2: the added candidate changed the list: it is reported and approved again
    eng.fact("a_party", "candidate_list_reported")
    eng.fact("a_party", "candidate_list_approved", actor="street")
    eng.fire("a_party", "open_candidate_meeting")
    late = complain(eng, "a_party", "bribery", cands[1])
    resolve(eng, late, "disqualify_candidate")  # still possible at the candidate meeting
    eng.add("a_party")  # the list changed twice: approved again before voting (rev. 2)
    eng.fact("a_party", "candidate_list_reported")
    eng.fact("a_party", "candidate_list_approved", actor="street")
    eng.advance("a_party", "certification")
    too_late = complain(eng, "a_party", "bribery", cands[2])
    with pytest.raises(InvalidState):  # rev. 2: possible between rounds, not after the result
        resolve(eng, too_late, "disqualify_candidate")


def test_voiding_needs_a_named_elected_person_after_the_result(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    eng.winning_round("a_party")
    winner, loser = eng.elected("a_party")[0], eng.standing("a_party")[0]
    early = complain(eng, "a_party", "bribery", winner)
    with pytest.raises(InvalidState):  # still voting: the result is not announced
        resolve(eng, early, "void_election")
    eng.advance("a_party", "certification")
    for cid in (None, loser):
        with pytest.raises(InvalidState):
            resolve(eng, complain(eng, "a_party", "bribery", cid), "void_election")
    resolve(eng, early, "void_election", note="查实贿选")
    assert eng.state("a_party") == "voting"
    with pytest.raises(InvalidState):
        resolve(eng, early, "void_election")
    with pytest.raises(InvalidState):  # the voided person cannot be voided twice
        resolve(eng, complain(eng, "a_party", "bribery", winner), "void_election")


def test_a_bribery_complaint_naming_an_elected_person_blocks_certification(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    winner = eng.elected("a_party")[0]
    bribery = complain(eng, "a_party", "bribery", winner)
    complain(eng, "a_party", "procedure", winner)  # shown, never blocking
    complain(eng, "a_party", "bribery", eng.standing("a_party")[0])  # names a loser: not blocking
    complain(eng, "a_party", "improper_competition")  # names nobody: not blocking
    eng.posts("a_party")
    eng.facts("a_party", ("secretary_approved", "result_filed"))
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "certify")
    assert [u.code for u in err.value.unmet] == ["no_open_complaints"]
    resolve(eng, bribery, "unfounded", actor="street")
    eng.fire("a_party", "certify")
    assert eng.state("a_party") == "handover"


@pytest.mark.parametrize("category", ["improper_competition", "bribery"])
def test_an_improper_competition_complaint_blocks_like_bribery(db, category: str):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    complain(eng, "a_party", category, eng.elected("a_party")[2])
    eng.posts("a_party")
    eng.facts("a_party", ("secretary_approved", "result_filed"))
    with pytest.raises(GuardsFailed):
        eng.fire("a_party", "certify")


def test_a_procedure_complaint_does_not_block_certification(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    for category in ("procedure", "other", "interference"):
        complain(eng, "a_party", category, eng.elected("a_party")[0])
    eng.advance("a_party", "handover")


def test_an_interference_complaint_escalates_at_once_to_county_and_city(db):
    eng = Engine(db)
    cid = complain(eng, "a_party", "interference")
    with db.uow(write=False) as uow:
        rungs = list(uow.session.query(Escalation).order_by(Escalation.level))
    assert [(r.kind, r.subject_id, r.level, r.state) for r in rungs] == [("complaint", cid, 2, "open"),
                                                                          ("complaint", cid, 3, "open")]
    users = {name: a.user_id for name, a in eng.actors.items()}
    assert [r.notified_user_id for r in rungs] == [users["county"], users["city"]]
    complain(eng, "a_party", "bribery")
    assert eng.count(Escalation) == 2


def test_who_may_file_and_resolve_complaints(db):
    eng = Engine(db)
    with pytest.raises(Forbidden):
        complain(eng, "a_party", "bribery", actor="observer")
    cid = complain(eng, "a_party", "bribery", actor="inspector")
    with pytest.raises(Forbidden):
        resolve(eng, cid, "unfounded", actor="cadre")
    with pytest.raises(Exception) as err:
        resolve(eng, cid, "unfounded", actor="othercadre")
    assert err.value.code == "not_found"  # out of scope looks like missing
    resolve(eng, cid, "unfounded", actor="county")


@pytest.mark.parametrize("field, kw", [
    ("category", {"category": "rumour"}),
    ("received_on", {"received_on": "2014-13-01"}),
    ("summary", {"summary": ""}),
    ("candidate", {"candidate": "张三"}),
    ("candidate", {"candidate": 999999}),
])
def test_a_malformed_complaint_is_refused(db, field: str, kw: dict):
    eng = Engine(db)
    raw = {"category": "bribery", "candidate": None, "received_on": "2014-12-08", "summary": "举报", **kw}
    with pytest.raises(InvalidRequest) as err:
        eng.call(file_complaint, eng.world.elections["a_party"], raw["category"], raw["candidate"],
                 raw["received_on"], raw["summary"])
    assert field in err.value.fields("en")
    assert eng.count(Complaint) == 0


def test_a_bad_outcome_or_referral_is_refused(db):
    eng = Engine(db)
    cid = complain(eng, "a_party", "bribery")
    for kw in ({"outcome": "dismissed"}, {"outcome": "unfounded", "referral": "army"}):
        with pytest.raises(InvalidRequest):
            eng.call(resolve_complaint, cid, kw.pop("outcome"), actor="inspector", **kw)

"""Counting rules of rev. 2 (domain.md §4.4): ties among the tied, write-ins, ballots against voters, vacancies,
by-elections with first-round thresholds, the residents' another-round cut, polling places."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from workflow.errors import GuardsFailed, InvalidRequest, InvalidState
from workflow.models import Community, Round
from workflow.services.complaints import file_complaint, resolve_complaint
from workflow.services.election_data import record_round, vacant_seats
from tests.integration.engine_support import Engine


def counts(present: int = 100, expected: int = 100, returned: int | None = None,
           issued: int | None = None, invalid: int = 0) -> dict[str, int]:
    returned = present if returned is None else returned
    return {"expected": expected, "present": present, "ballots_issued": returned if issued is None else issued,
            "ballots_returned": returned, "ballots_invalid": invalid}


def unmet(err: Any) -> list[str]:
    return [u.code for u in err.value.unmet]


def set_community(eng: Engine, key: str, **values: Any) -> None:
    with eng.db.uow() as uow:
        e = eng.world.election(uow, key)
        community = uow.session.get(Community, e.community_id)
        for k, v in values.items():
            setattr(community, k, v)


def party_voting(eng: Engine, seats: int = 5, candidates: int | None = None) -> list[int]:
    eng.advance("a_party", "voting", seats=seats, candidates=candidates)
    return eng.standing("a_party")


def announce_guards(eng: Engine, key: str) -> list[str]:
    eng.facts(key, ("public_count_done", "result_announced"))
    with pytest.raises(GuardsFailed) as err:
        eng.fire(key, "announce_result")
    return unmet(err)


# ---------------------------------------------------------------- ties

def test_a_tie_between_two_at_the_last_seat_goes_to_a_tie_break_between_those_two(db):
    eng = Engine(db)
    c = party_voting(eng)  # 5 seats, 6 candidates
    r = eng.round("a_party", kind="first", votes={**{str(x): 80 for x in c[:4]}, str(c[4]): 60, str(c[5]): 60},
                  **counts())
    assert r.valid and sorted(r.elected) == sorted(c[:4]) and r.tied == {"member": sorted(c[4:6])}
    assert announce_guards(eng, "a_party") == ["seats_filled"]
    eng.fire("a_party", "another_round")
    with pytest.raises(InvalidState):  # a tie pending: the next round must be the tie-break
        eng.round("a_party", kind="another", votes={}, **counts())
    win = eng.round("a_party", kind="tie_break", votes={str(c[4]): 40, str(c[5]): 39}, **counts())
    # no share threshold in a tie-break: the most votes win (40 of 100 is not a majority)
    assert win.valid and win.elected == [c[4]] and win.tied == {} and win.unfilled == {}
    eng.facts("a_party", ("public_count_done", "result_announced"))  # the count of this round, announced
    eng.fire("a_party", "announce_result")


def test_a_tie_among_three_for_one_seat_and_a_tie_break_that_ties_again(db):
    eng = Engine(db)
    c = party_voting(eng, seats=5, candidates=7)
    votes = {**{str(x): 80 for x in c[:4]}, **{str(x): 60 for x in c[4:7]}}
    r = eng.round("a_party", kind="first", votes=votes, **counts())
    assert r.tied == {"member": sorted(c[4:7])} and r.unfilled == {"member": 1}
    eng.fire("a_party", "another_round")
    with pytest.raises(InvalidRequest) as err:  # only the tied stand, and the elected do not
        eng.round("a_party", kind="tie_break", votes={str(c[0]): 1}, **counts())
    assert f"votes.{c[0]}" in err.value.fields("en")
    again = eng.round("a_party", kind="tie_break", votes={str(c[4]): 30, str(c[5]): 30, str(c[6]): 10},
                      **counts())
    assert again.valid and again.elected == [] and again.tied == {"member": sorted(c[4:6])}
    eng.fire("a_party", "another_round")
    assert eng.get("a_party").round_permit == "tie_break"
    with pytest.raises(InvalidRequest):  # the third tied is out now
        eng.round("a_party", kind="tie_break", votes={str(c[6]): 5}, **counts())
    last = eng.round("a_party", kind="tie_break", votes={str(c[5]): 51, str(c[4]): 49}, **counts())
    assert last.elected == [c[5]]


def test_a_write_in_tied_at_the_last_seat_gets_a_record_and_stands_in_the_tie_break(db):
    eng = Engine(db)
    c = party_voting(eng)
    r = eng.round("a_party", kind="first", votes={**{str(x): 80 for x in c[:4]}, str(c[4]): 60},
                  write_ins=[{"name": "另选甲", "post": "member", "votes": 60}], **counts())
    record = [x for x in eng.candidates("a_party") if x.write_in]
    assert len(record) == 1 and record[0].name == "另选甲" and not record[0].elected
    assert r.tied == {"member": sorted([c[4], record[0].id])}
    eng.fire("a_party", "another_round")
    win = eng.round("a_party", kind="tie_break", votes={str(record[0].id): 70, str(c[4]): 20}, **counts())
    assert win.elected == [record[0].id]


# ---------------------------------------------------------------- write-ins

def test_a_write_in_who_wins_becomes_an_elected_candidate_record_and_one_who_loses_leaves_none(db):
    eng = Engine(db)
    c = party_voting(eng)
    approvals = eng.fact_values("a_party")["candidate_list_approved"]
    r = eng.round("a_party", kind="first", votes={str(x): 80 for x in c[:4]},
                  write_ins=[{"name": "王另选", "post": "member", "votes": 70},
                             {"name": "李落选", "post": "member", "votes": 30}], **counts())
    written = [x for x in eng.candidates("a_party") if x.write_in]
    assert [(x.name, x.elected) for x in written] == [("王另选", True)]
    assert sorted(r.elected) == sorted(c[:4] + [written[0].id])
    assert {w["name"]: w["candidate"] for w in r.write_ins} == {"王另选": written[0].id, "李落选": None}
    assert eng.fact_values("a_party")["candidate_list_approved"] == approvals  # the list's approval stands
    eng.facts("a_party", ("public_count_done", "result_announced"))
    eng.fire("a_party", "announce_result")


def test_a_write_in_with_a_candidates_name_or_a_disqualified_persons_name_is_refused(db):
    eng = Engine(db)
    eng.advance("a_party", "nomination")
    barred = eng.add("a_party", name="被取消者")
    complaint = eng.call(file_complaint, eng.world.elections["a_party"], "bribery", barred, "2014-12-09", "贿选")
    eng.call(resolve_complaint, complaint.id, "disqualify_candidate", actor="inspector")
    c = party_voting(eng)
    name = next(x.name for x in eng.candidates("a_party") if x.id == c[0])
    before = len(eng.rounds("a_party"))
    for person in (name, "被取消者"):
        with pytest.raises(InvalidRequest) as err:
            eng.round("a_party", kind="first", votes={str(c[1]): 80},
                      write_ins=[{"name": person, "post": "member", "votes": 10}], **counts())
        assert "write_ins.0.name" in err.value.fields("en")
    assert len(eng.rounds("a_party")) == before


# ---------------------------------------------------------------- ballots against voters

def test_ballots_returned_equal_to_voters_present_is_valid_and_one_more_voids_the_round(db):
    eng = Engine(db)
    c = party_voting(eng)
    five = {str(x): 85 for x in c[:5]}
    with pytest.raises(InvalidRequest) as err:  # more present than expected is a typo, not an event
        eng.round("a_party", kind="first", votes=five, **counts(present=101, expected=100))
    assert "present" in err.value.fields("en")
    void = eng.round("a_party", kind="first", votes=five, **counts(present=90, returned=91, issued=93))
    assert (void.valid, void.problems, void.elected) == (False, ["ballots_inconsistent"], [])
    eng.fire("a_party", "revote")
    ok = eng.round("a_party", kind="revote", votes=five, **counts(present=90, returned=90, issued=93))
    assert ok.valid and sorted(ok.elected) == sorted(c[:5])


# ---------------------------------------------------------------- vacant seats

def _vacancy_party(eng: Engine, elected_first: int) -> list[int]:
    set_community(eng, "a_party", party_org_type="committee")
    c = party_voting(eng, seats=7)  # 9 candidates
    eng.round("a_party", kind="first", votes={str(x): 80 for x in c[:elected_first]}, **counts())
    eng.fire("a_party", "another_round")
    eng.round("a_party", kind="another", votes={}, **counts())  # nobody reaches half: seats stay open
    return c


def test_seats_left_vacant_hold_with_approval_when_five_of_seven_are_elected(db):
    eng = Engine(db)
    _vacancy_party(eng, 5)
    eng.fact("a_party", "vacancy_approved", actor="street")
    eng.facts("a_party", ("public_count_done", "result_announced"))
    eng.fire("a_party", "announce_result")
    with eng.db.uow(write=False) as uow:
        assert vacant_seats(uow, eng.actors["cadre"], eng.world.elections["a_party"]) == {"member": 2}


def test_seats_left_vacant_do_not_hold_with_four_of_seven_elected(db):
    eng = Engine(db)
    _vacancy_party(eng, 4)
    eng.fact("a_party", "vacancy_approved", actor="street")
    assert announce_guards(eng, "a_party") == ["seats_filled"]


def test_the_vacancy_approval_counts_only_after_an_another_round_and_is_a_supervisors_fact(db):
    eng = Engine(db)
    set_community(eng, "a_party", party_org_type="committee")
    c = party_voting(eng, seats=7)
    with pytest.raises(Exception) as err:
        eng.fact("a_party", "vacancy_approved", actor="cadre")
    assert err.value.code == "forbidden"
    eng.fact("a_party", "vacancy_approved", actor="street")
    eng.round("a_party", kind="first", votes={str(x): 80 for x in c[:6]}, **counts())
    assert announce_guards(eng, "a_party") == ["seats_filled"]  # after the first round: not yet


def test_an_approval_recorded_before_another_round_is_cleared_by_it_and_kept_in_the_history(db):
    eng = Engine(db)
    _vacancy_party(eng, 5)
    eng.fact("a_party", "vacancy_approved", actor="street")
    eng.fire("a_party", "another_round")  # the street approved leaving seats vacant after the last round
    assert "vacancy_approved" not in eng.fact_values("a_party")
    assert eng.audit("a_party", "facts_cleared")[-1].data["facts"]["vacancy_approved"] is True


def test_residents_seats_cannot_stay_vacant_without_a_director(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "voting", seats={"director": 1, "deputy_director": 1, "member": 4})
    by_post = {p: eng.standing("a_residents", p) for p in ("director", "deputy_director", "member")}
    votes = {str(by_post["deputy_director"][0]): 80, **{str(x): 80 for x in by_post["member"][:4]}}
    eng.round("a_residents", kind="first", votes=votes, **counts())  # 5 of 6 elected (the minimum), no director
    eng.fire("a_residents", "another_round")
    eng.round("a_residents", kind="another", votes={}, **counts())
    eng.fact("a_residents", "vacancy_approved", actor="street")
    assert announce_guards(eng, "a_residents") == ["seats_filled"]


# ---------------------------------------------------------------- by-election after a void

@pytest.mark.parametrize("votes, elected", [(300, False), (301, True)])
def test_a_by_election_uses_the_first_rounds_majority(db, votes: int, elected: bool):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "certification")
    director = next(x.id for x in eng.candidates("a_residents") if x.post == "director" and x.elected)
    complaint = eng.call(file_complaint, eng.world.elections["a_residents"], "bribery", director, "2015-02-01",
                         "贿选")
    eng.call(resolve_complaint, complaint.id, "void_election", actor="inspector")
    other = eng.standing("a_residents", "director")[0]
    with pytest.raises(InvalidState):  # the vacated seat is filled by a by-election, nothing else
        eng.round("a_residents", kind="another", votes={str(other): votes}, **counts(600, 1000))
    r = eng.round("a_residents", kind="by_election", votes={str(other): votes}, **counts(600, 1000))
    assert (other in r.elected) is elected  # 300 of 600 is half: never a majority


def test_voiding_a_closed_election_reopens_voting_and_it_must_be_accepted_again(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "closed")
    member = next(x.id for x in eng.candidates("a_residents") if x.post == "member" and x.elected)
    complaint = eng.call(file_complaint, eng.world.elections["a_residents"], "bribery", member, "2015-04-20", "贿选")
    eng.call(resolve_complaint, complaint.id, "void_election", actor="inspector")
    e = eng.get("a_residents")
    assert (e.state, e.round_permit) == ("voting", "by_election")
    assert "inspection_accepted" not in eng.fact_values("a_residents")


# ---------------------------------------------------------------- disqualification between rounds

def test_a_candidate_disqualified_between_rounds_loses_the_seat_and_another_round_fills_it(db):
    eng = Engine(db)
    c = party_voting(eng)
    eng.round("a_party", kind="first", votes={str(x): 80 for x in c[:5]}, **counts())
    complaint = eng.call(file_complaint, eng.world.elections["a_party"], "bribery", c[0], "2015-01-10", "贿选")
    eng.call(resolve_complaint, complaint.id, "disqualify_candidate", actor="inspector")
    cand = next(x for x in eng.candidates("a_party") if x.id == c[0])
    assert cand.disqualified and not cand.elected
    assert announce_guards(eng, "a_party") == ["seats_filled"]
    eng.fire("a_party", "another_round")
    with pytest.raises(InvalidRequest):
        eng.round("a_party", kind="another", votes={str(c[0]): 60}, **counts())
    r = eng.round("a_party", kind="another", votes={str(c[5]): 60}, **counts())
    assert r.elected == [c[5]]


# ---------------------------------------------------------------- the residents' another round

def test_the_residents_another_round_is_among_the_top_vote_getters_plus_one_and_more_when_tied(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "nomination", seats={"director": 1, "deputy_director": 1, "member": 3})
    for _ in range(3):
        eng.add("a_residents", "member", party_member=False, full_member=False)
    eng.advance("a_residents", "voting")
    d, dd, m = (eng.standing("a_residents", p) for p in ("director", "deputy_director", "member"))
    assert len(m) == 7
    votes = {str(d[0]): 80, str(dd[0]): 80, str(m[0]): 80, str(m[1]): 40, str(m[2]): 30, str(m[3]): 30,
             str(m[4]): 30, str(m[5]): 10}
    eng.round("a_residents", kind="first", votes=votes, **counts())
    eng.fire("a_residents", "another_round")
    # 2 open member seats + 1 = 3 stand: 40, and the three tied at 30 (more when tied at the cut); not 10 or 0
    with pytest.raises(InvalidRequest) as err:
        eng.round("a_residents", kind="another", votes={str(m[5]): 1, str(m[6]): 1}, **counts())
    assert {f"votes.{m[5]}", f"votes.{m[6]}"} <= set(err.value.fields("en"))
    r = eng.round("a_residents", kind="another", votes={str(x): 40 - i for i, x in enumerate(m[1:5])}, **counts())
    assert sorted(r.elected) == sorted(m[1:3])


# ---------------------------------------------------------------- polling places

def test_counts_per_polling_place_are_summed_by_the_engine_and_both_forms_at_once_are_refused(db):
    eng = Engine(db)
    c = party_voting(eng)
    stations = [{"name": "中心会场", "ballots_issued": 60, "ballots_returned": 60, "ballots_invalid": 1,
                 "votes": {**{str(x): 50 for x in c[:4]}, str(c[4]): 40}},
                {"name": "流动票箱", "ballots_issued": 35, "ballots_returned": 35, "ballots_invalid": 0,
                 "votes": {str(x): 30 for x in c[:4]}, "write_ins": [{"name": "另选乙", "post": "member",
                                                                      "votes": 3}]}]
    with pytest.raises(InvalidRequest) as err:
        eng.round("a_party", kind="first", expected=100, present=95, ballots_returned=95, stations=stations)
    assert "ballots_returned" in err.value.fields("en")
    r = eng.round("a_party", kind="first", expected=100, present=95, stations=stations)
    assert (r.ballots_issued, r.ballots_returned, r.ballots_invalid) == (95, 95, 1)
    assert r.votes[str(c[0])] == 80 and r.votes[str(c[4])] == 40
    assert sorted(r.elected) == sorted(c[:4]) and [s["name"] for s in r.stations] == ["中心会场", "流动票箱"]
    assert r.write_ins == [{"name": "另选乙", "post": "member", "votes": 3, "candidate": None}]


# ---------------------------------------------------------------- order of checks and preview

def test_round_checks_run_shape_then_the_kind_awaited_then_who_stands(db):
    eng = Engine(db)
    c = party_voting(eng)
    with pytest.raises(InvalidRequest):  # shape before kind
        eng.round("a_party", kind="another", votes={str(c[0]): -1}, **counts())
    with pytest.raises(InvalidState):  # kind before who stands
        eng.round("a_party", kind="another", votes={"999999": 1}, **counts())
    with pytest.raises(InvalidRequest):
        eng.round("a_party", kind="first", votes={"999999": 1}, **counts())


def test_a_preview_evaluates_the_round_and_records_nothing(db):
    eng = Engine(db)
    c = party_voting(eng)
    before = (eng.count(Round), len(eng.audit("a_party")))
    with eng.db.uow() as uow:
        r = record_round(uow, eng.actors["cadre"], eng.world.elections["a_party"],
                         {"kind": "first", "votes": {str(x): 80 for x in c[:5]}, **counts(present=90, returned=91)},
                         preview=True)
    assert (r.valid, r.problems) == (False, ["ballots_inconsistent"])
    assert (eng.count(Round), len(eng.audit("a_party"))) == before
    with eng.db.uow(write=False) as uow:
        assert uow.session.scalar(select(Round.id)) is None

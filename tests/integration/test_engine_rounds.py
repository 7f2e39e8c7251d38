"""Round input refusals (nothing recorded), round kinds in their order, and what may change in which state."""
from __future__ import annotations

from typing import Any

import pytest

from workflow.errors import InvalidRequest, InvalidState
from workflow.models import AuditEvent, Round
from workflow.services.complaints import file_complaint, resolve_complaint
from tests.integration.engine_support import Engine

COUNTS = {"expected": 100, "present": 95, "ballots_issued": 95, "ballots_returned": 95, "ballots_invalid": 5}


def refused(eng: Engine, key: str, raw: dict[str, Any], field: str) -> None:
    """Assert the round is refused as invalid_request naming field, and that nothing was recorded."""
    before = (eng.count(Round), eng.count(AuditEvent), eng.get(key).version)
    with pytest.raises(InvalidRequest) as err:
        eng.round(key, **raw)
    assert field in err.value.fields("en"), (raw, err.value.fields("en"))
    assert (eng.count(Round), eng.count(AuditEvent), eng.get(key).version) == before


def disqualify(eng: Engine, key: str, cid: int) -> None:
    complaint = eng.call(file_complaint, eng.world.elections[key], "improper_competition", cid, "2014-12-09",
                         "以不正当手段拉票")
    eng.call(resolve_complaint, complaint.id, "disqualify_candidate", actor="inspector")


def test_impossible_first_round_input_is_refused_and_nothing_is_recorded(db):
    eng = Engine(db)
    eng.advance("a_party", "nomination", seats=5)
    cands = [eng.add("a_party") for _ in range(8)]
    eng.update(cands[6], withdrawn=True)
    disqualify(eng, "a_party", cands[7])
    eng.advance("a_party", "voting")
    good = {str(c): 60 for c in cands[:5]}
    cases = [
        ({**COUNTS, "present": -1}, "present"),
        ({**COUNTS, "expected": 99.5}, "expected"),
        ({**COUNTS, "ballots_issued": "95"}, "ballots_issued"),
        ({**COUNTS, "ballots_returned": None}, "ballots_returned"),
        ({**COUNTS, "ballots_invalid": 96}, "ballots_invalid"),
        ({**COUNTS, "votes": {**good, "999999": 1}}, "votes.999999"),
        ({**COUNTS, "votes": {**good, str(cands[6]): 1}}, f"votes.{cands[6]}"),   # withdrawn
        ({**COUNTS, "votes": {**good, str(cands[7]): 1}}, f"votes.{cands[7]}"),   # disqualified
        ({**COUNTS, "votes": {str(cands[0]): -3}}, f"votes.{cands[0]}"),
        ({**COUNTS, "votes": {str(cands[0]): 1.5}}, f"votes.{cands[0]}"),
        ({**COUNTS, "votes": {str(cands[0]): 91}}, f"votes.{cands[0]}"),           # 90 valid ballots
        ({**COUNTS, "votes": {str(c): 90 for c in cands[:6]}}, "votes"),            # 540 > 90 x 5 seats
        ({**COUNTS, "votes": [1, 2]}, "votes"),
        ({**COUNTS, "kind": "second"}, "kind"),
        ({**COUNTS, "verdict": "valid"}, "verdict"),
    ]
    for raw, field in cases:
        refused(eng, "a_party", {"kind": "first", **raw}, field)
    r = eng.round("a_party", kind="first", votes={str(c): 90 for c in cands[:5]}, **COUNTS)
    assert r.valid and sorted(r.elected) == sorted(cands[:5])


def test_another_round_refuses_the_already_elected_and_votes_beyond_the_open_seats(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    eng.round("a_party", kind="first", votes={str(x): 80 for x in c[:4]}, **COUNTS)
    eng.fire("a_party", "another_round")
    refused(eng, "a_party", {"kind": "another", **COUNTS, "votes": {str(c[0]): 10}}, f"votes.{c[0]}")
    refused(eng, "a_party", {"kind": "another", **COUNTS, "votes": {str(c[4]): 50, str(c[5]): 41}}, "votes")
    r = eng.round("a_party", kind="another", votes={str(c[4]): 50, str(c[5]): 40}, **COUNTS)
    assert r.open_seats == {"member": 1} and r.elected == [c[4]]


def test_a_revote_refuses_candidates_elected_in_an_earlier_valid_round(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    eng.round("a_party", kind="first", votes={str(x): 80 for x in c[:4]}, **COUNTS)
    eng.fire("a_party", "another_round")
    eng.round("a_party", kind="another", votes={str(c[4]): 50}, **{**COUNTS, "present": 60})
    eng.fire("a_party", "revote")
    refused(eng, "a_party", {"kind": "revote", **COUNTS, "votes": {str(c[1]): 10}}, f"votes.{c[1]}")
    r = eng.round("a_party", kind="revote", votes={str(c[5]): 60}, **COUNTS)
    assert r.valid and r.elected == [c[5]]
    assert sorted(eng.elected("a_party")) == sorted(c[:4] + [c[5]])  # the first round's winners stand


def test_round_kinds_come_in_their_order(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    four = {str(x): 80 for x in c[:4]}
    for kind in ("another", "revote"):
        with pytest.raises(InvalidState):
            eng.round("a_party", kind=kind, votes=four, **COUNTS)
    eng.round("a_party", kind="first", votes=four, **COUNTS)
    with pytest.raises(InvalidState):  # the first round happens once
        eng.round("a_party", kind="first", votes={}, **COUNTS)
    for kind in ("another", "revote"):  # not without their trigger
        with pytest.raises(InvalidState):
            eng.round("a_party", kind=kind, votes={}, **COUNTS)
    eng.fire("a_party", "another_round")
    with pytest.raises(InvalidState):  # another_round allows an another round, not a revote
        eng.round("a_party", kind="revote", votes={}, **COUNTS)
    eng.round("a_party", kind="another", votes={}, **{**COUNTS, "present": 50})
    with pytest.raises(InvalidState):  # one round per trigger
        eng.round("a_party", kind="another", votes={}, **COUNTS)
    eng.fire("a_party", "revote")
    with pytest.raises(InvalidState):
        eng.round("a_party", kind="another", votes={}, **COUNTS)
    eng.round("a_party", kind="revote", votes={str(c[4]): 60}, **COUNTS)
    kinds = [(r.kind, r.superseded) for r in eng.rounds("a_party")]
    assert kinds == [("first", False), ("another", True), ("revote", False)]
    eng.facts("a_party", ("public_count_done", "result_announced"))
    eng.fire("a_party", "announce_result")


@pytest.mark.parametrize("state", ["candidate_meeting", "certification"])
def test_a_round_outside_voting_is_refused_as_invalid_state(db, state: str):
    eng = Engine(db)
    eng.advance("a_party", state)
    before = eng.count(Round)
    with pytest.raises(InvalidState):
        eng.round("a_party", kind="first", votes={}, **COUNTS)
    with pytest.raises(InvalidState):
        eng.round("a_party", kind="another", votes={}, **COUNTS)
    assert eng.count(Round) == before


def test_a_revote_replaces_the_invalid_round_with_the_same_thresholds(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "voting")
    d1, d2 = eng.standing("a_residents", "director")
    votes = {str(d1): 47, str(d2): 40}  # 47 of 95 is not a majority
    for post in ("deputy_director", "member"):
        for i, cid in enumerate(eng.standing("a_residents", post)):
            votes[str(cid)] = 80 - i if i < eng.open_seats("a_residents")[post] else 5
    first = eng.round("a_residents", kind="first", votes=votes, **{**COUNTS, "ballots_invalid": 0})
    assert first.unfilled == {"director": 1}
    eng.fire("a_residents", "another_round")
    bad = eng.round("a_residents", kind="another", votes={str(d1): 40}, **{**COUNTS, "ballots_issued": 90})
    assert bad.problems == ["ballots_inconsistent"]
    eng.fire("a_residents", "revote")
    # 32 of 96 ballots is exactly one third: enough under the another-round rule the revote inherits
    redo = eng.round("a_residents", kind="revote", votes={str(d1): 32, str(d2): 31},
                     **{**COUNTS, "present": 96, "ballots_issued": 96, "ballots_returned": 96,
                        "ballots_invalid": 0})  # rev. 2: ballots returned never exceed voters present
    assert redo.valid and redo.elected == [d1]
    assert {post: n for post, n in redo.open_seats.items() if n} == {"director": 1}
    rounds = eng.rounds("a_residents")
    assert [(r.kind, r.basis, r.superseded) for r in rounds] == [
        ("first", "first", False), ("another", "another", True), ("revote", "another", False)]


def test_a_revote_of_a_first_round_keeps_the_majority_rule(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "voting")
    eng.round("a_residents", kind="first", votes={}, **{**COUNTS, "present": 20, "ballots_issued": 20,
                                                        "ballots_returned": 20, "ballots_invalid": 0})
    eng.fire("a_residents", "revote")
    d1, d2 = eng.standing("a_residents", "director")
    r = eng.round("a_residents", kind="revote", votes={str(d1): 40, str(d2): 30},
                  **{**COUNTS, "ballots_invalid": 0, "ballots_returned": 95})
    assert r.valid and d1 not in r.elected and r.unfilled["director"] == 1


def test_seats_change_only_in_preparation(db):
    eng = Engine(db)
    eng.seats("a_party", {"member": 6})
    assert eng.get("a_party").seats == {"member": 6}
    eng.advance("a_party", "nomination", seats=7)
    with pytest.raises(InvalidState):
        eng.seats("a_party", {"member": 5})
    assert eng.get("a_party").seats == {"member": 7}


def test_candidates_change_only_in_nomination_and_candidate_meeting(db):
    eng = Engine(db)
    with pytest.raises(InvalidState):
        eng.add("a_party")
    eng.advance("a_party", "nomination")
    first = eng.add("a_party")
    eng.advance("a_party", "candidate_meeting")
    eng.add("a_party")
    eng.update(first, education="本科")
    # rev. 2: the added candidate changed the list, so it is reported and approved again before voting
    eng.fact("a_party", "candidate_list_reported")
    eng.fact("a_party", "candidate_list_approved", actor="street")
    eng.advance("a_party", "voting")
    with pytest.raises(InvalidState):
        eng.add("a_party")
    with pytest.raises(InvalidState):
        eng.update(first, withdrawn=True)
    assert not [c for c in eng.candidates("a_party") if c.withdrawn]

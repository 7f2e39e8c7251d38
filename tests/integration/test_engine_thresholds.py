"""Every threshold of domain.md §4.4 at its edge, through the services, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

from workflow.errors import GuardsFailed
from tests.integration.engine_support import ELECTION_DAY, Engine


def unmet_codes(err: pytest.ExceptionInfo[GuardsFailed]) -> list[str]:
    return [u.code for u in err.value.unmet]


def counts(expected: int, present: int, returned: int | None = None, issued: int | None = None,
           invalid: int = 0) -> dict[str, int]:
    returned = present if returned is None else returned
    return {"expected": expected, "present": present, "ballots_issued": returned if issued is None else issued,
            "ballots_returned": returned, "ballots_invalid": invalid}


def test_party_quorum_of_exactly_four_fifths_fails_and_one_more_passes(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    votes = {str(cid): 70 - i for i, cid in enumerate(c[:5])}
    first = eng.round("a_party", kind="first", votes=votes, **counts(100, 80))
    assert (first.valid, first.problems, first.elected) == (False, ["quorum_not_met"], [])
    eng.fire("a_party", "revote")
    second = eng.round("a_party", kind="revote", votes=votes, **counts(100, 81))
    assert second.valid and sorted(second.elected) == sorted(c[:5])


def test_exactly_half_of_those_present_never_wins_a_party_seat(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")  # 5 seats, 6 candidates
    votes = {str(c[0]): 50, **{str(cid): 60 for cid in c[1:5]}, str(c[5]): 10}
    r = eng.round("a_party", kind="first", votes=votes, **counts(100, 100))
    assert r.valid and c[0] not in r.elected and r.unfilled == {"member": 1}
    eng.fire("a_party", "another_round")
    again = eng.round("a_party", kind="another", votes={str(c[0]): 51, str(c[5]): 40}, **counts(100, 100))
    assert again.elected == [c[0]] and again.unfilled == {}


def test_exactly_one_third_wins_a_residents_seat_in_another_round(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "voting")
    d1, d2 = eng.standing("a_residents", "director")
    votes = {str(d1): 300, str(d2): 290}  # exactly half of the 600 ballots returned: no director
    for post in ("deputy_director", "member"):
        for i, cid in enumerate(eng.standing("a_residents", post)):
            votes[str(cid)] = 400 - i if i < eng.open_seats("a_residents")[post] else 10
    first = eng.round("a_residents", kind="first", votes=votes, **counts(1000, 600))
    assert first.valid and first.unfilled == {"director": 1} and d1 not in first.elected
    eng.fire("a_residents", "another_round")
    short = eng.round("a_residents", kind="another", votes={str(d1): 199, str(d2): 198}, **counts(1000, 600))
    assert short.valid and short.elected == [] and short.unfilled == {"director": 1}
    eng.fire("a_residents", "another_round")
    enough = eng.round("a_residents", kind="another", votes={str(d1): 200, str(d2): 199}, **counts(1000, 600))
    assert enough.elected == [d1]


def test_representative_election_is_valid_at_exactly_two_thirds_returned(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "voting", mode="representative")
    votes = {}
    for post, seats in eng.open_seats("a_residents").items():
        for i, cid in enumerate(eng.standing("a_residents", post)):
            votes[str(cid)] = 150 - i if i < seats else 5
    low = eng.round("a_residents", kind="first", votes=votes, **counts(300, 199))
    assert low.problems == ["quorum_not_met"]
    eng.fire("a_residents", "revote")
    ok = eng.round("a_residents", kind="revote", votes=votes, **counts(300, 200))
    assert ok.valid and ok.unfilled == {}


@pytest.mark.parametrize("voter_days, candidate_days, unmet", [
    (19, 5, ["voter_list_timely"]),
    (20, 4, ["candidate_list_timely"]),
    (19, 4, ["voter_list_timely", "candidate_list_timely"]),
    (20, 5, []),
])
def test_voter_list_needs_twenty_days_and_candidate_list_five(db, voter_days: int, candidate_days: int,
                                                                unmet: list[str]):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "nomination")
    for post, seats in eng.get("a_residents").seats.items():
        for _ in range(seats + 1 if seats else 0):
            eng.add("a_residents", post)
    eng.facts("a_residents", ("voter_objections_resolved",))
    eng.fact("a_residents", "voter_list_published_on", (ELECTION_DAY - dt.timedelta(days=voter_days)).isoformat())
    eng.fact("a_residents", "candidate_list_published_on",
             (ELECTION_DAY - dt.timedelta(days=candidate_days)).isoformat())
    if unmet:
        with pytest.raises(GuardsFailed) as err:
            eng.fire("a_residents", "open_candidate_meeting")
        assert unmet_codes(err) == unmet
        assert eng.state("a_residents") == "nomination"
    else:
        eng.fire("a_residents", "open_candidate_meeting")
        assert eng.state("a_residents") == "candidate_meeting"


def test_more_ballots_returned_than_issued_is_recorded_as_an_invalid_round(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    votes = {str(cid): 70 for cid in c[:5]}
    r = eng.round("a_party", kind="first", votes=votes, **counts(100, 95, returned=91, issued=90))
    assert (r.valid, r.problems, r.elected) == (False, ["ballots_inconsistent"], [])
    assert len(eng.rounds("a_party")) == 1 and eng.elected("a_party") == []
    eng.facts("a_party", ("public_count_done", "result_announced"))
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "announce_result")
    assert unmet_codes(err) == ["round_valid", "seats_filled"]
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "another_round")
    assert unmet_codes(err) == ["round_valid"]
    eng.fire("a_party", "revote")
    assert eng.get("a_party").round_permit == "revote"


def test_a_tie_at_the_last_seat_leaves_it_unfilled_and_the_tied_vote_again_among_themselves(db):
    # rev. 2: the another round is a tie-break among the tied only (PR1990 Art. 21), not open to everyone
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    votes = {str(c[0]): 80, str(c[1]): 79, str(c[2]): 78, str(c[3]): 60, str(c[4]): 60, str(c[5]): 60}
    r = eng.round("a_party", kind="first", votes=votes, **counts(100, 100))
    assert sorted(r.elected) == sorted(c[:3]) and r.unfilled == {"member": 2}
    assert r.tied == {"member": sorted(c[3:6])}
    eng.facts("a_party", ("public_count_done", "result_announced"))
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "announce_result")
    assert unmet_codes(err) == ["seats_filled"]
    eng.fire("a_party", "another_round")
    assert eng.get("a_party").round_permit == "tie_break"
    tied = eng.round("a_party", kind="tie_break", votes={str(c[3]): 55, str(c[4]): 54, str(c[5]): 54},
                     **counts(100, 100))
    assert tied.elected == [c[3]] and tied.unfilled == {"member": 1}
    assert tied.tied == {"member": sorted(c[4:6])}


@pytest.mark.parametrize("seats, needed", [(5, 6), (7, 9), (9, 11)])
def test_party_seats_need_a_twenty_percent_surplus_of_candidates(db, seats: int, needed: int):
    eng = Engine(db)
    if seats > 7:  # a general branch normally has 5-7 members; more needs the superior's approval
        eng.fact("a_party", "seats_exception_approved", actor="street")
    eng.advance("a_party", "nomination", seats=seats)
    for _ in range(needed - 1):
        eng.add("a_party")
    eng.facts("a_party", ("member_mass_recommendation_done", "superior_recommendation_done",
                          "candidate_list_reported"))
    eng.fact("a_party", "candidate_list_approved", actor="street")
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "open_candidate_meeting")
    assert unmet_codes(err) == ["candidate_surplus"]
    eng.add("a_party")
    # rev. 2: the added candidate changed the list: it is reported and approved again
    eng.fact("a_party", "candidate_list_reported")
    eng.fact("a_party", "candidate_list_approved", actor="street")
    eng.fire("a_party", "open_candidate_meeting")
    assert eng.state("a_party") == "candidate_meeting"

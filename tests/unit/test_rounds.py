"""Round evaluation at every threshold edge, in integers, and the refusals of impossible counts."""
from __future__ import annotations

from typing import Any

import pytest

from workflow.errors import InvalidRequest
from workflow.rounds import RoundCounts, evaluate_round, parse_counts, parse_votes
from workflow.ruleset import Threshold, get_rule_set

RULES = get_rule_set("liaoning-2014")
PARTY_Q, PARTY_WIN = RULES.party.quorum, RULES.party.win_first
RES = RULES.residents
DIRECT_Q, REPR_Q = RES.quorum["direct"], RES.quorum["representative"]


def counts(expected: int = 100, present: int = 90, issued: int = 90, returned: int = 90,
           invalid: int = 0) -> RoundCounts:
    return RoundCounts(expected, present, issued, returned, invalid)


def party(votes: dict[int, int], seats: int = 1, **kw: Any):
    """Evaluate a party first round where every candidate in votes stands for member."""
    standing = {cid: "member" for cid in votes}
    return evaluate_round(counts(**kw), votes, standing, {"member": seats}, PARTY_Q, PARTY_WIN)


# ---------------------------------------------------------------- quorum

@pytest.mark.parametrize("expected, present, valid", [(100, 80, False), (100, 81, True), (5, 4, False), (5, 5, True),
                                                      (0, 0, False)])
def test_party_quorum_is_strictly_more_than_four_fifths_present(expected: int, present: int, valid: bool):
    result = party({1: present}, expected=expected, present=present, issued=present, returned=present)
    assert result.valid is valid
    assert ("quorum_not_met" in result.problems) is (not valid)


@pytest.mark.parametrize("returned, valid", [(500, False), (501, True)])
def test_direct_election_needs_more_than_half_of_the_voters_returning_ballots(returned: int, valid: bool):
    result = evaluate_round(counts(1000, returned, returned, returned), {}, {}, {"member": 1}, DIRECT_Q,
                            RES.win_first)
    assert result.valid is valid


@pytest.mark.parametrize("returned, valid", [(199, False), (200, True)])
def test_representative_election_is_valid_at_exactly_two_thirds(returned: int, valid: bool):
    result = evaluate_round(counts(300, returned, returned, returned), {}, {}, {"member": 1}, REPR_Q,
                            RES.win_first)
    assert result.valid is valid


def test_household_election_uses_the_half_quorum_on_ballots_returned():
    q = RES.quorum["household"]
    assert (q.num, q.den, q.strict, q.base) == (1, 2, True, "returned")
    # many present but few ballots returned: quorum counts the ballots
    result = evaluate_round(counts(100, 90, 50, 50), {}, {}, {"member": 1}, q, RES.win_first)
    assert result.problems == ("quorum_not_met",)


# ---------------------------------------------------------------- winning

@pytest.mark.parametrize("votes, elected", [(50, False), (51, True)])
def test_exactly_half_of_those_present_never_wins_a_party_seat(votes: int, elected: bool):
    result = party({1: votes, 2: 100 - votes - 1}, present=100, issued=100, returned=100, expected=100)
    assert result.valid
    assert (1 in result.elected) is elected


@pytest.mark.parametrize("votes, elected", [(300, False), (301, True)])
def test_exactly_half_of_the_ballots_returned_never_wins_a_residents_seat(votes: int, elected: bool):
    standing = {1: "director", 2: "director"}
    result = evaluate_round(counts(1000, 600, 600, 600), {1: votes, 2: 600 - votes}, standing, {"director": 1},
                            DIRECT_Q, RES.win_first)
    assert (1 in result.elected) is elected


@pytest.mark.parametrize("votes, elected", [(99, False), (100, True)])
def test_exactly_one_third_wins_a_residents_seat_in_another_round(votes: int, elected: bool):
    standing = {1: "member", 2: "member", 3: "member"}
    result = evaluate_round(counts(500, 300, 300, 300), {1: votes, 2: 90, 3: 80}, standing, {"member": 1},
                            DIRECT_Q, RES.win_another)
    assert result.elected == ((1,) if elected else ())
    assert result.unfilled == ({} if elected else {"member": 1})


def test_another_round_takes_the_most_votes_among_those_reaching_one_third():
    standing = {1: "member", 2: "member"}
    result = evaluate_round(counts(500, 300, 300, 300), {1: 120, 2: 150}, standing, {"member": 1},
                            DIRECT_Q, RES.win_another)
    assert result.elected == (2,)


def test_invalid_ballots_count_in_the_base_of_the_thresholds():
    # 100 returned, 30 invalid: 50 votes is half of the returned ballots, not a majority
    standing = {1: "director", 2: "director"}
    result = evaluate_round(counts(150, 100, 100, 100, 30), {1: 50, 2: 20}, standing, {"director": 1},
                            DIRECT_Q, RES.win_first)
    assert result.valid and result.elected == ()


def test_thresholds_are_computed_in_integers_without_rounding():
    big = 3 * 10**17 + 3
    third = Threshold(1, 3, False)
    assert third.met(10**17 + 1, big) is True
    assert third.met(10**17, big) is False
    half = Threshold(1, 2, True)
    assert half.met(10**17 + 2, 2 * 10**17 + 3) is True
    assert half.met(10**17 + 1, 2 * 10**17 + 3) is False


# ---------------------------------------------------------------- seats

def test_highest_votes_take_the_seats_when_more_candidates_pass():
    result = party({1: 60, 2: 70, 3: 65}, seats=2, present=100, issued=100, returned=100)
    assert result.elected == (2, 3) and result.unfilled == {}


def test_a_tie_at_the_last_seat_leaves_it_unfilled():
    result = party({1: 70, 2: 55, 3: 55}, seats=2, present=100, issued=100, returned=100)
    assert result.elected == (1,)
    assert result.unfilled == {"member": 1}


def test_a_tie_for_the_only_seat_elects_nobody():
    result = party({1: 55, 2: 55}, seats=1, present=100, issued=100, returned=100)
    assert result.valid and result.elected == () and result.unfilled == {"member": 1}


def test_a_tie_above_the_last_seat_elects_both():
    result = party({1: 70, 2: 70, 3: 60, 4: 51}, seats=3, present=100, issued=100, returned=100)
    assert sorted(result.elected) == [1, 2, 3]


def test_a_tie_among_those_below_the_threshold_does_not_matter():
    result = party({1: 60, 2: 30, 3: 30}, seats=1, present=100, issued=100, returned=100)
    assert result.elected == (1,)


def test_residents_posts_are_evaluated_separately():
    standing = {1: "director", 2: "director", 3: "deputy_director", 4: "deputy_director", 5: "member", 6: "member"}
    votes = {1: 400, 2: 300, 3: 350, 4: 350, 5: 500, 6: 200}
    result = evaluate_round(counts(1000, 700, 700, 700), votes, standing,
                            {"director": 1, "deputy_director": 1, "member": 1, "unused": 0}, DIRECT_Q, RES.win_first)
    assert result.elected == (1, 5)
    assert result.unfilled == {"deputy_director": 1}


# ---------------------------------------------------------------- ballots

def test_more_ballots_returned_than_issued_makes_the_round_invalid():
    result = party({1: 60}, present=95, issued=90, returned=91)
    assert not result.valid
    assert result.problems == ("ballots_inconsistent",)
    assert result.elected == () and result.unfilled == {"member": 1}


def test_every_problem_of_a_round_is_reported():
    result = party({1: 60}, expected=100, present=50, issued=40, returned=41)
    assert result.problems == ("quorum_not_met", "ballots_inconsistent")


# ---------------------------------------------------------------- refusals

GOOD = {"expected": 100, "present": 90, "ballots_issued": 90, "ballots_returned": 90, "ballots_invalid": 2}


@pytest.mark.parametrize("field", sorted(GOOD))
@pytest.mark.parametrize("bad", [-1, 1.5, 3.0, "5", True, None, [], {}])
def test_counts_that_are_not_non_negative_integers_are_refused(field: str, bad: Any):
    with pytest.raises(InvalidRequest) as err:
        parse_counts({**GOOD, field: bad})
    assert field in err.value.fields("en")
    assert err.value.fields("zh")[field]


@pytest.mark.parametrize("field", sorted(GOOD))
def test_a_missing_count_is_refused(field: str):
    raw = {k: v for k, v in GOOD.items() if k != field}
    with pytest.raises(InvalidRequest) as err:
        parse_counts(raw)
    assert field in err.value.fields()


def test_more_invalid_ballots_than_returned_is_refused():
    with pytest.raises(InvalidRequest) as err:
        parse_counts({**GOOD, "ballots_invalid": 91})
    assert "ballots_invalid" in err.value.fields("en")
    assert parse_counts({**GOOD, "ballots_invalid": 90}).valid_ballots == 0


def test_more_ballots_returned_than_issued_is_accepted_as_a_real_event():
    assert parse_counts({**GOOD, "ballots_returned": 95, "ballots_invalid": 0}).ballots_returned == 95


STANDING = {1: "member", 2: "member", 3: "member"}
C = counts(100, 90, 90, 90, 10)  # 80 valid ballots


def test_votes_are_returned_as_integers_per_candidate():
    assert parse_votes({"1": 80, "2": 0, 3: 40}, C, STANDING, {"member": 2}) == {1: 80, 2: 0, 3: 40}


@pytest.mark.parametrize("votes, field", [
    ({"9": 10}, "votes.9"),                 # not standing (unknown, withdrawn, disqualified, voided or elected)
    ({"x": 10}, "votes.x"),                 # not an id
    ({"1": -1}, "votes.1"),
    ({"1": 2.5}, "votes.1"),
    ({"1": "10"}, "votes.1"),
    ({"1": True}, "votes.1"),
    ({"1": 81}, "votes.1"),                 # above the valid ballots (returned - invalid)
    ({"1": 80, "2": 80, "3": 1}, "votes"),  # the post's votes above valid ballots x seats
])
def test_impossible_votes_are_refused(votes: dict[Any, Any], field: str):
    with pytest.raises(InvalidRequest) as err:
        parse_votes(votes, C, STANDING, {"member": 2})
    assert field in err.value.fields("en")


def test_votes_must_be_an_object():
    with pytest.raises(InvalidRequest):
        parse_votes([80, 10], C, STANDING, {"member": 2})


def test_a_posts_votes_are_bounded_by_the_seats_still_open():
    with pytest.raises(InvalidRequest):
        parse_votes({"1": 50, "2": 40}, C, STANDING, {"member": 1})
    assert parse_votes({"1": 50, "2": 30}, C, STANDING, {"member": 1}) == {1: 50, 2: 30}


def test_votes_for_a_post_with_no_open_seat_are_refused():
    with pytest.raises(InvalidRequest):
        parse_votes({"1": 1}, C, {1: "deputy_director"}, {"deputy_director": 0})

"""Rev. 2 counting in the pure engine: tied in every evaluation, the tie-break's most votes, ballots against voters,
the residents' another-round cut, polling places and write-ins, and the rule set's new keys with their defaults."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from workflow import guards as G
from workflow.errors import InvalidRequest
from workflow.rounds import (RoundCounts, evaluate_round, parse_counts, parse_write_ins, sum_stations,
                             top_vote_getters)
from workflow.ruleset import RULESET_DIR, RuleSetError, get_rule_set, parse_rule_set

RULES = get_rule_set("liaoning-2014")
Q, WIN = RULES.party.quorum, RULES.party.win_first
SHIPPED = json.loads((RULESET_DIR / "liaoning-2014.json").read_text(encoding="utf-8"))


def c(present: int = 100, returned: int = 100, issued: int = 100, expected: int = 100) -> RoundCounts:
    return RoundCounts(expected, present, issued, returned, 0)


def members(votes: dict[int, int]) -> dict[int, str]:
    return {cid: "member" for cid in votes}


def test_a_tie_among_two_and_among_three_is_named_in_tied():
    two = {1: 70, 2: 60, 3: 60}
    r = evaluate_round(c(), two, members(two), {"member": 2}, Q, WIN)
    assert r.elected == (1,) and r.tied == {"member": (2, 3)} and r.unfilled == {"member": 1}
    three = {1: 70, 2: 60, 3: 60, 4: 60}
    r = evaluate_round(c(), three, members(three), {"member": 3}, Q, WIN)
    assert r.elected == (1,) and r.tied == {"member": (2, 3, 4)} and r.unfilled == {"member": 2}
    clear = {1: 70, 2: 60}
    assert evaluate_round(c(), clear, members(clear), {"member": 2}, Q, WIN).tied == {}


def test_a_tie_break_elects_the_most_votes_without_a_share_and_may_tie_again():
    votes = {2: 30, 3: 20}
    assert evaluate_round(c(), votes, members(votes), {"member": 1}, Q, None).elected == (2,)
    again = {2: 30, 3: 30}
    r = evaluate_round(c(), again, members(again), {"member": 1}, Q, None)
    assert r.elected == () and r.tied == {"member": (2, 3)}
    nobody = {2: 0, 3: 0}
    assert evaluate_round(c(), nobody, members(nobody), {"member": 1}, Q, None).elected == ()


@pytest.mark.parametrize("returned, valid", [(90, True), (91, False)])
def test_ballots_returned_above_voters_present_void_the_round(returned: int, valid: bool):
    r = evaluate_round(c(present=90, returned=returned, issued=95), {1: 80}, {1: "member"}, {"member": 1}, Q, WIN)
    assert r.valid is valid and (r.problems == ("ballots_inconsistent",)) is (not valid)


def test_present_above_expected_is_a_typo():
    good = {"expected": 100, "present": 100, "ballots_issued": 100, "ballots_returned": 100, "ballots_invalid": 0}
    assert parse_counts(good).present == 100
    with pytest.raises(InvalidRequest) as err:
        parse_counts({**good, "present": 101})
    assert "present" in err.value.fields("en")


def test_the_residents_cut_takes_open_seats_plus_one_and_everyone_tied_at_the_cut():
    standing = {i: "member" for i in range(1, 8)}
    votes = {1: 40, 2: 30, 3: 30, 4: 30, 5: 10}
    assert top_vote_getters(standing, votes, {"member": 2}, 1) == {1, 2, 3, 4}
    assert top_vote_getters(standing, {1: 40, 2: 35, 3: 30, 4: 20}, {"member": 2}, 1) == {1, 2, 3}
    assert top_vote_getters(standing, votes, {"member": 0}, 1) == set()


def test_polling_places_are_summed_and_a_bad_one_is_named():
    total = sum_stations([
        {"name": "中心会场", "ballots_issued": 5, "ballots_returned": 5, "ballots_invalid": 1, "votes": {"1": 3},
         "write_ins": [{"name": "甲", "post": "member", "votes": 1}]},
        {"name": "流动票箱", "ballots_issued": 2, "ballots_returned": 2, "ballots_invalid": 0, "votes": {"1": 2},
         "write_ins": [{"name": "甲", "post": "member", "votes": 1}]}], ("member",))
    assert (total["ballots_returned"], total["ballots_invalid"], total["votes"]) == (7, 1, {1: 5})
    assert [(w.name, w.votes) for w in total["write_ins"]] == [("甲", 2)]
    for bad, field in (([], "stations"), ([{"name": "a", "ballots_issued": 1, "ballots_returned": 1,
                                            "ballots_invalid": 2}], "stations.0.ballots_invalid"),
                       ([{"name": "", "ballots_issued": 1, "ballots_returned": 1, "ballots_invalid": 0}],
                        "stations.0.name")):
        with pytest.raises(InvalidRequest) as err:
            sum_stations(bad, ("member",))
        assert field in err.value.fields("en")


def test_write_ins_are_checked_for_shape_and_once_per_person_and_post():
    assert parse_write_ins(None, ("member",)) == []
    for bad, field in (("x", "write_ins"), ([{"name": "甲", "post": "director", "votes": 1}], "write_ins.0.post"),
                       ([{"name": "甲", "post": "member", "votes": -1}], "write_ins.0.votes"),
                       ([{"name": "甲", "post": "member", "votes": 1}] * 2, "write_ins.1.name")):
        with pytest.raises(InvalidRequest) as err:
            parse_write_ins(bad, ("member",))
        assert field in err.value.fields("en")


def test_the_rule_sets_new_keys_have_defaults_and_are_validated():
    bare = copy.deepcopy(SHIPPED)
    for key in ("branch_committee_min_members", "min_elected", "write_ins"):
        bare["party"].pop(key)
    bare["party"]["seats"].pop("branch_no_committee")
    for part in (bare["residents"], bare["residents"]["village_law"]):
        for key in ("min_elected", "another_round_extra", "write_ins"):
            part.pop(key)
    bare["calendar"].pop("report_due")
    rules = parse_rule_set(bare, "bare")
    assert rules.party.min_elected == {"committee": 5, "general_branch": 5, "branch": 3, "branch_no_committee": 1}
    assert rules.party.seats_no_committee == (1, 2) and rules.party.branch_committee_min_members == 7
    assert (rules.residents.min_elected, rules.village_law.min_elected) == (5, 3)  # the lower ends of the ranges
    assert rules.residents.another_round_extra == 1 and rules.report_due is None
    bad: dict[str, Any] = copy.deepcopy(SHIPPED)
    bad["party"]["min_elected"]["committee"] = 10
    with pytest.raises(RuleSetError, match="party.min_elected.committee"):
        parse_rule_set(bad, "bad")
    bad = copy.deepcopy(SHIPPED)
    bad["residents"]["write_ins"] = "yes"
    with pytest.raises(RuleSetError, match="residents.write_ins"):
        parse_rule_set(bad, "bad")


def ctx(**kw: Any) -> G.GuardContext:
    return G.GuardContext(body=kw.pop("body", "party"), state="voting", rules=RULES, **kw)


def elected(n: int, post: str = "member") -> tuple[G.CandidateView, ...]:
    return tuple(G.CandidateView(i, f"c{i}", post, elected=True) for i in range(1, n + 1))


@pytest.mark.parametrize("n, ok", [(5, True), (4, False)])
def test_a_committee_may_leave_seats_vacant_with_five_of_seven_not_four(n: int, ok: bool):
    after = (G.RoundView(1, "first", True, basis="first"), G.RoundView(2, "another", True, basis="another"))
    view = ctx(party_org_type="committee", party_members=50, seats={"member": 7}, candidates=elected(n),
               rounds=after, facts={"vacancy_approved": True})
    assert G.seats_filled(view) is ok
    first_only = ctx(party_org_type="committee", party_members=50, seats={"member": 7}, candidates=elected(n),
                     rounds=after[:1], facts={"vacancy_approved": True})
    assert G.seats_filled(first_only) is False


def test_residents_seats_stay_vacant_only_with_a_director():
    after = (G.RoundView(2, "tie_break", True, basis="tie_break"),)
    five = elected(5)
    assert not G.seats_filled(ctx(body="residents", seats={"director": 1, "member": 5}, candidates=five,
                                  rounds=after, facts={"vacancy_approved": True}))
    with_director = five[:4] + (G.CandidateView(9, "主任", "director", elected=True),)
    assert G.seats_filled(ctx(body="residents", seats={"director": 1, "member": 5}, candidates=with_director,
                              rounds=after, facts={"vacancy_approved": True}))


def test_the_guards_cite_the_articles_the_review_found():
    assert G.GUARDS["election_committee_independent"].source == "VCL Art. 12"
    assert G.GUARDS["voter_objections_resolved"].source == "VCL Art. 14"
    for code in ("round_valid", "seats_filled", "secretary_approved"):
        assert "Art." in G.GUARDS[code].source, code

"""Every guard's truth table over a GuardContext: a passing and a failing case, messages in both languages."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Optional

import pytest

from workflow import guards as G
from workflow.facts import FACTS
from workflow.guards import CandidateView, GuardContext, RoundView
from workflow.machines import DEFINITIONS
from workflow.ruleset import get_rule_set

RULES = get_rule_set("liaoning-2014")
CJK = re.compile(r"[\u4e00-\u9fff]")


def ctx(body: str = "party", **kw: Any) -> GuardContext:
    """Return a context of a plain community with sensible defaults."""
    kw.setdefault("state", "preparation")
    kw.setdefault("party_org_type", "general_branch")
    return GuardContext(body=body, rules=RULES, **kw)


def cand(cid: int, post: str = "member", **flags: Any) -> CandidateView:
    """Return a candidate who meets every condition unless told otherwise."""
    base = dict(full_member=True, party_member=True, qualified=True, presented=True)
    base.update(flags)
    return CandidateView(id=cid, name=f"候选人{cid}", post=post, **base)


def party_cands(n: int, **flags: Any) -> tuple[CandidateView, ...]:
    return tuple(cand(i + 1, **flags) for i in range(n))


RES_SEATS = {"director": 1, "deputy_director": 1, "member": 3}


def res_cands(per_post: dict[str, int]) -> tuple[CandidateView, ...]:
    out, i = [], 0
    for post, n in per_post.items():
        for _ in range(n):
            i += 1
            out.append(cand(i, post, party_member=False, full_member=False))
    return tuple(out)


def dates(election_day: str, **published: str) -> dict[str, Any]:
    return {"election_day": election_day, **published}


VALID, INVALID = RoundView(1, "first", True), RoundView(1, "first", False, ("quorum_not_met",))
ELECTED5 = party_cands(5, elected=True) + (cand(6),)

#: code -> (a context where the guard holds, a context where it fails)
CASES: dict[str, tuple[GuardContext, GuardContext]] = {
    "contingency_plan_filed": (ctx(key_difficult=True, facts={"contingency_plan_filed": True}),
                               ctx(key_difficult=True, facts={})),
    "seats_in_range": (ctx(seats={"member": 5}), ctx(seats={"member": 4})),
    "election_mode_set": (ctx("residents", facts={"election_mode": "household"}),
                          ctx("residents", facts={"election_mode": "lottery"})),
    "election_day_set": (ctx("residents", facts={"election_day": "2015-01-30"}),
                         ctx("residents", facts={"election_day": None})),
    "legal_basis_correct": (ctx("residents", village_converted=True, collective_reform_done=True),
                            ctx("residents", village_converted=True)),
    "village_law_applicable": (ctx("residents", village_converted=True),
                               ctx("residents", village_converted=True, village_law=True)),
    "voter_list_timely": (ctx("residents", facts=dates("2015-01-30", voter_list_published_on="2015-01-10")),
                          ctx("residents", facts=dates("2015-01-30", voter_list_published_on="2015-01-11"))),
    "candidate_list_timely": (
        ctx("residents", facts=dates("2015-01-30", candidate_list_published_on="2015-01-25")),
        ctx("residents", facts=dates("2015-01-30", candidate_list_published_on="2015-01-26"))),
    "candidates_eligible": (ctx(candidates=party_cands(6)),
                            ctx(candidates=party_cands(5) + (cand(6, full_member=False),))),
    "candidate_surplus": (ctx(seats={"member": 5}, candidates=party_cands(6)),
                          ctx(seats={"member": 5}, candidates=party_cands(5))),
    "candidates_qualified": (ctx("residents", candidates=res_cands({"member": 2})),
                             ctx("residents", candidates=(cand(1, qualified=False),))),
    "candidates_reviewed": (
        GuardContext(body="party", state="nomination", rules=get_rule_set("national-2026"),
                     candidates=(cand(1, review="passed"), cand(2, review="failed", disqualified=True))),
        GuardContext(body="party", state="nomination", rules=get_rule_set("national-2026"),
                     candidates=(cand(1, review="passed"), cand(2, review="pending")))),
    "election_committee_independent": (ctx("residents", candidates=res_cands({"member": 2})),
                                       ctx("residents", candidates=(cand(1, on_election_committee=True),))),
    "candidates_presented": (ctx("residents", candidates=res_cands({"member": 2})),
                             ctx("residents", candidates=(cand(1, presented=False),))),
    "party_election_certified": (ctx("residents", other_state="certification"),
                                 ctx("residents", other_state="voting")),
    "residents_election_certified": (ctx(order="residents_first", other_state="handover"),
                                     ctx(order="residents_first", other_state="candidate_meeting")),
    "round_recorded": (ctx(rounds=(INVALID,)), ctx(rounds=())),
    "round_valid": (ctx(rounds=(INVALID, VALID)), ctx(rounds=(VALID, INVALID))),
    "round_invalid": (ctx(rounds=(INVALID,)), ctx(rounds=(VALID,))),
    "seats_filled": (ctx(seats={"member": 5}, candidates=ELECTED5),
                     ctx(seats={"member": 5}, candidates=party_cands(4, elected=True) + (cand(5),))),
    "seats_unfilled": (ctx(seats={"member": 5}, candidates=party_cands(4, elected=True) + (cand(5),)),
                       ctx(seats={"member": 5}, candidates=ELECTED5)),
    "certificates_issued": (ctx("residents", candidates=(cand(1, "director", elected=True, certified=True),
                                                       cand(2, "director"))),
                            ctx("residents", candidates=(cand(1, "director", elected=True, certified=True),
                                                       cand(2, "member", elected=True)))),
    "no_open_complaints": (ctx(candidates=ELECTED5, blocking_complaints=frozenset({6})),
                           ctx(candidates=ELECTED5, blocking_complaints=frozenset({3}))),
    "secretary_elected": (ctx(candidates=(cand(1, elected=True, party_post="secretary"),)),
                          ctx(candidates=(cand(1, elected=True, voided=True, party_post="secretary"),
                                          cand(2, elected=True, party_post="deputy_secretary")))),
    "candidate_elected": (ctx(candidates=(cand(1, elected=True),)),
                          ctx(candidates=(cand(1, elected=True, voided=True),))),
}

#: guards that equal a fact key hold when that fact is recorded as true (or, for dates, set)
FACT_GUARDS = sorted(code for code in G.GUARDS if code in FACTS and code not in CASES)
for _code in FACT_GUARDS:
    _body = "party" if "party" in FACTS[_code].bodies else "residents"
    _value = "2015-01-20" if FACTS[_code].type == "date" else True
    CASES[_code] = (ctx(_body, facts={_code: _value}), ctx(_body, facts={_code: False if _value is True else None}))

MACHINE_CODES = sorted({code for d in DEFINITIONS.values() for t in d.transitions for code in t.get("guards", ())})


def test_every_guard_in_the_machines_is_registered():
    assert set(MACHINE_CODES) <= set(G.GUARDS)


def test_every_registered_guard_has_a_truth_table_row():
    assert set(G.GUARDS) == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_guard_holds_in_its_passing_case(code: str):
    passing, _ = CASES[code]
    assert G.GUARDS[code].check(passing) is True


@pytest.mark.parametrize("code", sorted(CASES))
def test_guard_fails_in_its_failing_case_and_is_reported(code: str):
    _, failing = CASES[code]
    assert G.GUARDS[code].check(failing) is False
    assert [u.code for u in G.unmet([code], failing)] == [code]


@pytest.mark.parametrize("code", sorted(G.GUARDS))
def test_guard_message_exists_in_chinese_and_english_with_a_source(code: str):
    g = G.GUARDS[code]
    assert CJK.search(g.zh), g.zh
    assert g.en and not CJK.search(g.en) and g.en != g.zh
    assert g.source
    unmet = g.unmet()
    assert unmet.as_dict("zh") == {"code": code, "message": g.zh, "source": g.source}
    assert unmet.as_dict("en")["message"] == g.en


@pytest.mark.parametrize("code", sorted(G.GUARDS))
def test_guard_docstring_names_its_purpose(code: str):
    assert G.GUARDS[code].check.__doc__


def test_unmet_reports_every_failing_guard_not_just_the_first():
    failing = ctx(facts={"leadership_group_formed": True})
    codes = DEFINITIONS["party"].guards("open_nomination")
    reported = [u.code for u in G.unmet(codes, failing)]
    assert reported == [c for c in codes if c not in ("leadership_group_formed", "contingency_plan_filed")]
    assert len(reported) >= 6


# ---------------------------------------------------------------- guards that apply only somewhere

def test_contingency_plan_is_not_required_for_an_ordinary_community():
    assert G.contingency_plan_filed(ctx(key_difficult=False)) is None
    assert G.unmet(["contingency_plan_filed"], ctx(key_difficult=False)) == []


@pytest.mark.parametrize("body, order", [("residents", "concurrent"), ("residents", "residents_first"),
                                         ("party", "party_first")])
def test_party_first_guard_does_not_apply_outside_party_first_residents(body: str, order: str):
    assert G.party_election_certified(ctx(body, order=order, other_state="preparation")) is None


@pytest.mark.parametrize("body, order", [("party", "concurrent"), ("party", "party_first"),
                                         ("residents", "residents_first")])
def test_residents_first_guard_does_not_apply_outside_residents_first_party(body: str, order: str):
    assert G.residents_election_certified(ctx(body, order=order, other_state="preparation")) is None


@pytest.mark.parametrize("other", ["certification", "handover", "summary", "closed"])
def test_the_other_election_counts_as_certified_from_certification_on(other: str):
    assert G.party_election_certified(ctx("residents", other_state=other)) is True


@pytest.mark.parametrize("other", [None, "preparation", "nomination", "candidate_meeting", "voting"])
def test_the_other_election_is_not_certified_before_certification(other: Optional[str]):
    assert G.party_election_certified(ctx("residents", other_state=other)) is False


# ---------------------------------------------------------------- seats

@pytest.mark.parametrize("org, low, high", [("committee", 7, 9), ("general_branch", 5, 7), ("branch", 3, 5)])
def test_party_seats_follow_the_organization_type_range(org: str, low: int, high: int):
    for n, ok in ((low - 1, False), (low, True), (high, True), (high + 1, False)):
        assert G.seats_in_range(ctx(party_org_type=org, seats={"member": n})) is ok, (org, n)


def test_an_approved_exception_allows_another_party_size():
    c = ctx(party_org_type="general_branch", seats={"member": 9})
    assert G.seats_in_range(c) is False
    assert G.seats_in_range(replace(c, facts={"seats_exception_approved": True})) is True
    assert G.seats_in_range(replace(c, seats={}, facts={"seats_exception_approved": True})) is False


@pytest.mark.parametrize("members, village_law, ok", [
    (3, False, False), (4, False, True), (8, False, True), (9, False, False),
    (1, True, False), (2, True, True), (6, True, True), (7, True, False),
])
def test_residents_seats_are_5_to_9_or_3_to_7_under_the_village_law(members: int, village_law: bool, ok: bool):
    seats = {"director": 1, "deputy_director": 0, "member": members}
    assert G.seats_in_range(ctx("residents", seats=seats, village_law=village_law)) is ok


def test_residents_need_exactly_one_director():
    assert G.seats_in_range(ctx("residents", seats={"director": 2, "member": 4})) is False
    assert G.seats_in_range(ctx("residents", seats={"director": 0, "member": 6})) is False


# ---------------------------------------------------------------- candidates

@pytest.mark.parametrize("seats, needed", [(3, 4), (5, 6), (7, 9), (9, 11)])
def test_party_candidates_need_twenty_percent_surplus_rounded_up(seats: int, needed: int):
    assert RULES.party.min_candidates(seats) == needed
    base = ctx(party_org_type="committee", seats={"member": seats})
    assert G.candidate_surplus(replace(base, candidates=party_cands(needed - 1))) is False
    assert G.candidate_surplus(replace(base, candidates=party_cands(needed))) is True


def test_withdrawn_disqualified_and_voided_candidates_do_not_count():
    seats = {"member": 5}
    out = (cand(7, withdrawn=True, full_member=False), cand(8, disqualified=True), cand(9, voided=True))
    c = ctx(seats=seats, candidates=party_cands(5) + out)
    assert G.candidate_surplus(c) is False
    assert G.candidates_eligible(c) is True  # the withdrawn probationary member does not count either


def test_residents_need_more_candidates_than_seats_for_each_post():
    ok = ctx("residents", seats=RES_SEATS, candidates=res_cands({"director": 2, "deputy_director": 2, "member": 4}))
    assert G.candidate_surplus(ok) is True
    short = replace(ok, candidates=res_cands({"director": 2, "deputy_director": 1, "member": 9}))
    assert G.candidate_surplus(short) is False
    no_seats = replace(ok, seats={})
    assert G.candidate_surplus(no_seats) is False


def test_posts_without_seats_need_no_candidates():
    seats = {"director": 1, "deputy_director": 0, "member": 4}
    assert G.candidate_surplus(ctx("residents", seats=seats, candidates=res_cands({"director": 2, "member": 5})))


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("published, ok", [("2015-01-09", True), ("2015-01-10", True), ("2015-01-11", False),
                                           (None, False), ("2015-02-01", False)])
def test_voter_list_is_published_twenty_days_before_election_day(published: Optional[str], ok: bool):
    assert G.voter_list_timely(ctx("residents", facts=dates("2015-01-30", voter_list_published_on=published))) is ok


@pytest.mark.parametrize("published, ok", [("2015-01-25", True), ("2015-01-26", False), (None, False)])
def test_candidate_list_is_published_five_days_before_election_day(published: Optional[str], ok: bool):
    facts = dates("2015-01-30", candidate_list_published_on=published)
    assert G.candidate_list_timely(ctx("residents", facts=facts)) is ok


def test_published_dates_need_an_election_day():
    facts = {"voter_list_published_on": "2015-01-01", "candidate_list_published_on": "2015-01-01"}
    assert G.voter_list_timely(ctx("residents", facts=facts)) is False
    assert G.candidate_list_timely(ctx("residents", facts=facts)) is False


# ---------------------------------------------------------------- rounds and results

def test_no_round_is_neither_valid_nor_invalid():
    empty = ctx(rounds=())
    assert G.round_valid(empty) is False and G.round_invalid(empty) is False


def test_voided_winners_leave_their_seats_open():
    c = ctx(seats={"member": 5}, candidates=party_cands(4, elected=True) + (cand(5, elected=True, voided=True),))
    assert c.open_seats() == {"member": 1}
    assert G.seats_filled(c) is False and G.seats_unfilled(c) is True


def test_certificates_are_needed_by_someone_elected():
    assert G.certificates_issued(ctx("residents", candidates=(cand(1),))) is False


def test_a_complaint_against_a_loser_does_not_block_certification():
    c = ctx(candidates=ELECTED5, blocking_complaints=frozenset({6}))
    assert G.no_open_complaints(c) is True


def test_advisories_appear_once_both_elections_are_certified():
    director = cand(1, "director", elected=True, party_member=True)
    party = ctx(state="certification", candidates=(cand(2, elected=True),))
    residents = ctx("residents", state="handover", candidates=(director,))
    codes = [u.code for u in G.advisories(party, residents)]
    assert codes == ["full_time_deputy_secretary", "director_should_be_deputy_secretary"]
    assert G.advisories(party, replace(residents, state="voting")) == []


def test_candidates_reviewed_holds_when_every_standing_candidate_passed_and_fails_on_a_pending_one():
    from workflow import guards as G
    from workflow.ruleset import get_rule_set
    rules = get_rule_set("national-2026")
    passed = G.CandidateView(1, "甲", "member", review="passed")
    pending = G.CandidateView(2, "乙", "member", review="pending")
    failed_out = G.CandidateView(3, "丙", "member", review="failed", disqualified=True)
    check = G.GUARDS["candidates_reviewed"].check
    assert check(G.GuardContext("party", "nomination", rules, candidates=(passed, failed_out))) is True
    assert check(G.GuardContext("party", "nomination", rules, candidates=(passed, pending))) is False


def test_candidates_reviewed_does_not_apply_under_a_rule_set_without_a_joint_review():
    from workflow import guards as G
    from workflow.ruleset import get_rule_set
    ctx = G.GuardContext("residents", "nomination", get_rule_set("liaoning-2014"),
                         candidates=(G.CandidateView(1, "甲", "member", review=None),))
    assert G.GUARDS["candidates_reviewed"].check(ctx) is None

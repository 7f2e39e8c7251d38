"""Every off-path trigger: another_round, revote, suspend/resume, void_result, apply_village_law, and the order."""
from __future__ import annotations

import datetime as dt

import pytest

from workflow import clock
from workflow.errors import GuardsFailed, InvalidRequest, InvalidState, InvalidTrigger
from workflow.models import Certificate
from workflow.services.campaigns import set_community_order
from workflow.services.complaints import file_complaint, resolve_complaint
from workflow.services.elections import available, snapshot
from tests.integration.engine_support import Engine

COUNTS = {"expected": 100, "present": 95, "ballots_issued": 95, "ballots_returned": 95, "ballots_invalid": 0}


def at(day: str) -> None:
    clock.freeze(dt.datetime.fromisoformat(f"{day}T04:00:00+00:00"))


def unmet(err: pytest.ExceptionInfo[GuardsFailed]) -> list[str]:
    return [u.code for u in err.value.unmet]


# ---------------------------------------------------------------- another_round and revote

def test_another_round_reopens_voting_for_the_remaining_seats_and_clears_the_voting_facts(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    eng.round("a_party", kind="first", votes={str(x): 80 for x in c[:3]}, **COUNTS)
    eng.facts("a_party", ("public_count_done", "result_announced"))
    e = eng.fire("a_party", "another_round", note="两个名额未选出")
    assert (e.state, e.round_permit) == ("voting", "another")
    assert "public_count_done" not in eng.fact_values("a_party")
    cleared = eng.audit("a_party", "facts_cleared")[-1]
    assert cleared.data["facts"] == {"public_count_done": True, "result_announced": True}
    transition = eng.audit("a_party", "transition")[-1]
    assert (transition.trigger, transition.note) == ("another_round", "两个名额未选出")
    assert transition.data["facts_cleared"] == ["public_count_done", "result_announced"]
    r = eng.round("a_party", kind="another", votes={str(c[3]): 60, str(c[4]): 55, str(c[5]): 10}, **COUNTS)
    assert r.open_seats == {"member": 2} and sorted(r.elected) == sorted(c[3:5])
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "announce_result")
    assert unmet(err) == ["public_count_done", "result_announced"]
    eng.advance("a_party", "certification")


def test_another_round_and_revote_need_their_guards(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "another_round")
    assert unmet(err) == ["round_valid"]
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "revote")
    assert unmet(err) == ["round_invalid"]
    eng.winning_round("a_party")
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "another_round")
    assert unmet(err) == ["seats_unfilled"]
    with pytest.raises(GuardsFailed):
        eng.fire("a_party", "revote")
    assert (eng.state("a_party"), eng.get("a_party").round_permit) == ("voting", None)
    eng.advance("a_party", "certification")
    with pytest.raises(InvalidTrigger):
        eng.fire("a_party", "another_round")


# ---------------------------------------------------------------- suspend / resume

def test_suspend_needs_a_note_and_defaults_the_review_date_from_the_rule_set(db):
    eng = Engine(db)
    for note in (None, "", "   "):
        with pytest.raises(InvalidRequest) as err:
            eng.fire("a_party", "suspend", actor="street", note=note)
        assert "note" in err.value.fields("en")
    assert eng.state("a_party") == "preparation"
    e = eng.fire("a_party", "suspend", actor="street", note="选情复杂，应急处置")
    assert (e.state, e.suspended_from, e.suspended_on) == ("suspended", "preparation", dt.date(2014, 12, 10))
    assert e.review_on == dt.date(2014, 12, 24) and e.due_on == e.review_on
    assert eng.audit("a_party", "transition")[-1].data == {"review_on": "2014-12-24"}


def test_suspend_takes_an_explicit_review_date_and_only_suspend_does(db):
    eng = Engine(db)
    with pytest.raises(InvalidRequest) as err:
        eng.fire("a_party", "open_nomination", review_on="2014-12-20")
    assert "review_on" in err.value.fields("en")
    with pytest.raises(InvalidRequest):
        eng.fire("a_party", "suspend", actor="street", note="x", review_on="2014-12-32")
    e = eng.fire("a_party", "suspend", actor="street", note="等待调查", review_on="2014-12-20")
    assert e.review_on == dt.date(2014, 12, 20)


def test_resume_returns_to_the_state_it_left_and_moves_the_due_date_by_the_days_suspended(db):
    eng = Engine(db)
    assert eng.get("a_party").due_on == dt.date(2014, 12, 31)
    with pytest.raises(InvalidTrigger):
        eng.fire("a_party", "resume", actor="street")
    eng.fire("a_party", "suspend", actor="street", note="暂停")
    with pytest.raises(InvalidTrigger):
        eng.fire("a_party", "suspend", actor="street", note="again")
    with pytest.raises(InvalidTrigger):
        eng.fire("a_party", "open_nomination")
    at("2014-12-15")
    e = eng.fire("a_party", "resume", actor="street")
    assert (e.state, e.suspended_from, e.review_on) == ("preparation", None, None)
    assert e.due_on == dt.date(2015, 1, 5)
    assert eng.audit("a_party", "transition")[-1].data == {"days_suspended": 5}
    eng.fire("a_party", "suspend", actor="street", note="再次暂停")
    at("2014-12-17")
    assert eng.fire("a_party", "resume", actor="admin").due_on == dt.date(2015, 1, 7)  # 5 + 2 days
    eng.advance("a_party", "nomination")
    assert eng.get("a_party").due_on == dt.date(2015, 1, 20)  # a new state starts from its own due date


def test_resume_into_handover_keeps_the_ten_day_limit_from_entering_handover(db):
    eng = Engine(db)
    eng.advance("a_party", "handover")
    assert eng.get("a_party").due_on == dt.date(2014, 12, 20)  # entered on 12-10, 10 days, before 03-31
    at("2014-12-12")
    eng.fire("a_party", "suspend", actor="street", note="交接中发现问题")
    at("2014-12-15")
    e = eng.fire("a_party", "resume", actor="street")
    assert e.state == "handover" and e.due_on == dt.date(2014, 12, 23)


@pytest.fixture
def shanghai_local_time():
    """Run with the machine's local time zone set to Asia/Shanghai (as on a server in China)."""
    import os
    import time
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_the_handover_limit_counts_from_the_shanghai_date_whatever_the_servers_time_zone(db, shanghai_local_time):
    eng = Engine(db)
    clock.freeze(dt.datetime(2014, 12, 10, 20, 0, tzinfo=dt.timezone.utc))  # 2014-12-11 04:00 in Shanghai
    eng.advance("a_party", "handover")
    assert eng.get("a_party").due_on == dt.date(2014, 12, 21)
    eng.fire("a_party", "suspend", actor="street", note="暂停")
    assert eng.fire("a_party", "resume", actor="street").due_on == dt.date(2014, 12, 21)


def test_suspend_and_resume_work_from_every_active_state(db):
    eng = Engine(db)
    for state in ("preparation", "nomination", "candidate_meeting", "voting", "certification", "handover",
                  "summary"):
        eng.advance("a_party", state)
        eng.fire("a_party", "suspend", actor="street", note=f"暂停于{state}")
        assert eng.fire("a_party", "resume", actor="street").state == state
    eng.advance("a_party", "closed")
    with pytest.raises(InvalidTrigger):
        eng.fire("a_party", "suspend", actor="street", note="已完成")


# ---------------------------------------------------------------- void_result

def void(eng: Engine, key: str, cid: int, category: str = "bribery") -> int:
    complaint = eng.call(file_complaint, eng.world.elections[key], category, cid, "2014-12-10", "贿选")
    eng.call(resolve_complaint, complaint.id, "void_election", note="查实贿选", referral="discipline",
             actor="inspector")
    return complaint.id


def test_voiding_a_winner_revokes_the_certificate_and_sends_the_election_back_to_voting(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "handover")
    eng.facts("a_residents", ("handover_done", "new_cadres_trained"))
    winners = eng.elected("a_residents")
    director = [c.id for c in eng.candidates("a_residents") if c.post == "director" and c.elected][0]
    version = eng.get("a_residents").version
    with pytest.raises(InvalidTrigger):
        eng.fire("a_residents", "void_result", actor="admin")
    with pytest.raises(InvalidTrigger):
        eng.fire("a_residents", "void_result", actor="inspector")
    void(eng, "a_residents", director)
    e = eng.get("a_residents")
    assert (e.state, e.round_permit) == ("voting", "by_election") and e.version > version  # rev. 2
    with db.uow(write=False) as uow:
        certs = {c.candidate_id: c.revoked_at for c in uow.session.query(Certificate)}
    assert certs[director] is not None
    assert all(certs[w] is None for w in winners if w != director)  # the other winners keep theirs
    facts = eng.fact_values("a_residents")
    for key in ("public_count_done", "result_announced", "result_filed", "handover_done", "new_cadres_trained"):
        assert key not in facts
    assert facts["election_mode"] == "direct" and "candidate_meeting_held" in facts
    history = eng.audit("a_residents", "facts_cleared")[-1].data["facts"]
    assert history["handover_done"] is True and history["result_filed"] is True
    transition = eng.audit("a_residents", "transition")[-1]
    assert (transition.trigger, transition.from_state, transition.to_state) == ("void_result", "handover", "voting")
    assert transition.data["voided"] == [director]

    # the voided person cannot stand again; the vacated seat is filled by a by-election (rev. 2: with the
    # first round's thresholds, so 40 of 95 ballots, enough in an another round, no longer wins)
    other = [c for c in eng.standing("a_residents", "director")]
    with pytest.raises(InvalidRequest):
        eng.round("a_residents", kind="by_election", votes={str(director): 60}, **COUNTS)
    r = eng.round("a_residents", kind="by_election", votes={str(other[0]): 60}, **COUNTS)
    assert r.elected == [other[0]] and r.open_seats["director"] == 1
    eng.advance("a_residents", "certification")
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_residents", "certify")
    assert "certificates_issued" in unmet(err)
    eng.advance("a_residents", "closed")


def test_the_voided_person_cannot_be_nominated_again(db):
    eng = Engine(db)
    eng.advance("a_party", "nomination")
    eng.add("a_party", name="张三")
    eng.add("a_party", name="李四")
    complaint = eng.call(file_complaint, eng.world.elections["a_party"], "bribery",
                         eng.candidates("a_party")[0].id, "2014-12-10", "贿选")
    eng.call(resolve_complaint, complaint.id, "disqualify_candidate", actor="inspector")
    with pytest.raises(InvalidState):
        eng.add("a_party", name="张三")
    eng.add("a_party", name="张三丰")


# ---------------------------------------------------------------- apply_village_law

def test_an_unreformed_converted_village_switches_to_the_village_law(db):
    eng = Engine(db)
    eng.facts("v_residents", ("leadership_group_formed", "work_plan_approved", "contingency_plan_filed",
                              "staff_trained", "publicity_done", "funding_secured", "election_committee_formed",
                              "qualification_rules_set"))
    eng.fact("v_residents", "election_mode", "direct")
    eng.fact("v_residents", "election_day", "2015-01-30")
    eng.seats("v_residents", {"director": 1, "deputy_director": 0, "member": 2})
    with pytest.raises(GuardsFailed) as err:
        eng.fire("v_residents", "open_nomination")
    assert unmet(err) == ["seats_in_range", "legal_basis_correct"]
    with db.uow(write=False) as uow:
        e = eng.world.election(uow, "v_residents")
        assert "apply_village_law" in [t["trigger"] for t in available("residents", snapshot(uow.session, e), e)]
    with pytest.raises(Exception) as forbidden:
        eng.fire("v_residents", "apply_village_law", actor="cadre")
    assert forbidden.value.code == "forbidden"
    e = eng.fire("v_residents", "apply_village_law", actor="street", note="集体经济改制未完成")
    assert (e.state, e.village_law) == ("preparation", True)
    with pytest.raises(GuardsFailed) as err:
        eng.fire("v_residents", "apply_village_law", actor="street")
    assert unmet(err) == ["village_law_applicable"]
    with db.uow(write=False) as uow:
        e = eng.world.election(uow, "v_residents")
        assert "apply_village_law" not in [t["trigger"] for t in available("residents", snapshot(uow.session, e), e)]
    eng.fire("v_residents", "open_nomination")  # 3 seats are within the village law's 3-7
    with pytest.raises(InvalidTrigger):
        eng.fire("v_residents", "apply_village_law", actor="street")


def test_the_village_law_applies_only_to_an_unreformed_converted_villages_residents_election(db):
    eng = Engine(db)
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_residents", "apply_village_law", actor="street")
    assert unmet(err) == ["village_law_applicable"]
    with pytest.raises(InvalidTrigger):
        eng.fire("v_party", "apply_village_law", actor="street")
    with db.uow(write=False) as uow:
        e = eng.world.election(uow, "a_residents")
        assert "apply_village_law" not in [t["trigger"] for t in available("residents", snapshot(uow.session, e), e)]


# ---------------------------------------------------------------- the order of the two elections

def test_party_first_holds_the_residents_vote_until_the_party_is_certified(db):
    eng = Engine(db, order="party_first")
    eng.advance("a_residents", "candidate_meeting")
    eng.advance("a_party", "voting")
    with pytest.raises(GuardsFailed) as err:
        eng._leave_candidate_meeting("a_residents")
    assert unmet(err) == ["party_election_certified"]
    eng.advance("a_party", "certification")
    eng.fire("a_party", "suspend", actor="street", note="暂停")  # a suspended certified election still counts
    eng.fire("a_residents", "open_voting")


def test_residents_first_holds_the_party_vote_until_the_residents_are_certified(db):
    eng = Engine(db, order="residents_first")
    eng.advance("a_party", "candidate_meeting")
    with pytest.raises(GuardsFailed) as err:
        eng._leave_candidate_meeting("a_party")
    assert unmet(err) == ["residents_election_certified"]
    eng.advance("a_residents", "certification")
    eng.fire("a_party", "open_voting")


def test_concurrent_elections_do_not_wait_for_each_other(db):
    eng = Engine(db, order="party_first")
    eng.call(set_community_order, "LN2014", "210102001001", "concurrent", actor="street")
    eng.advance("a_residents", "voting")
    eng.advance("a_party", "voting")
    assert eng.state("a_residents") == eng.state("a_party") == "voting"


# ---------------------------------------------------------------- certificates

def test_a_certificate_serial_is_unique_across_the_whole_system(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    eng.advance("a_residents", "certification")
    party, residents = eng.elected("a_party"), eng.elected("a_residents")
    eng.certificate("a_party", party[0], "LN-0001")
    for key, cid in (("a_residents", residents[0]), ("a_party", party[1])):
        with pytest.raises(Exception) as err:
            eng.certificate(key, cid, "LN-0001")
        assert err.value.code == "duplicate"
    with pytest.raises(Exception) as err:
        eng.certificate("a_party", party[0], "LN-0002")
    assert err.value.code == "duplicate"  # one person, one certificate
    assert eng.count(Certificate) == 1


def test_a_revoked_serial_is_never_issued_again(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "certification")
    director = [c.id for c in eng.candidates("a_residents") if c.post == "director" and c.elected][0]
    eng.certificate("a_residents", director, "LN-9")
    void(eng, "a_residents", director)
    other = eng.standing("a_residents", "director")[0]
    eng.round("a_residents", kind="by_election", votes={str(other): 60}, **COUNTS)
    eng.advance("a_residents", "certification")
    with pytest.raises(Exception) as err:
        eng.certificate("a_residents", other, "LN-9")
    assert err.value.code == "duplicate"


def test_only_an_elected_person_of_this_election_gets_a_certificate(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    eng.advance("a_residents", "nomination")
    losers = eng.standing("a_party")
    stranger = eng.add("a_residents", "director")
    for cid in (losers[0], stranger, 999999):
        with pytest.raises(GuardsFailed) as err:
            eng.certificate("a_party", cid)
        assert unmet(err) == ["candidate_elected"]
    with pytest.raises(InvalidRequest):
        eng.certificate("a_party", "first")
    with pytest.raises(InvalidState):
        eng.certificate("a_residents", stranger)
    assert eng.count(Certificate) == 0

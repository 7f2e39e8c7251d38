"""Both machines as declared data (domain.md §3–§4), the shared runner and who may fire what."""
from __future__ import annotations

import pytest

from workflow.auth import Actor, may_fire
from workflow.guards import GUARDS
from workflow.machines import ACTIVE_STATES, ALL_TRIGGERS, DEFINITIONS, MAIN_PATH, TRIGGER_ROLES, runner
from workflow.machines.base import LEAVING

BODIES = ("party", "residents")
MAIN = [("open_nomination", "preparation", "nomination"),
        ("open_candidate_meeting", "nomination", "candidate_meeting"),
        ("open_voting", "candidate_meeting", "voting"),
        ("announce_result", "voting", "certification"),
        ("certify", "certification", "handover"),
        ("complete_handover", "handover", "summary"),
        ("accept_summary", "summary", "closed")]


def test_the_main_path_is_the_design_card():
    assert MAIN_PATH == ("preparation", "nomination", "candidate_meeting", "voting", "certification",
                         "handover", "summary", "closed")
    assert ACTIVE_STATES == MAIN_PATH[:-1]


@pytest.mark.parametrize("body", BODIES)
def test_each_machine_has_the_main_path_and_a_suspended_state(body: str):
    d = DEFINITIONS[body]
    assert d.states == MAIN_PATH + ("suspended",)
    assert d.initial == "preparation"


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("trigger, source, dest", MAIN)
def test_main_path_triggers_lead_to_the_next_state(body: str, trigger: str, source: str, dest: str):
    r = runner(body)
    assert LEAVING[source] == trigger
    assert r.dest(source, trigger) == dest
    assert r.fire(source, trigger, lambda _t: True) == dest


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("trigger, source, dest", MAIN)
def test_a_failing_guard_keeps_the_state(body: str, trigger: str, source: str, dest: str):
    assert runner(body).fire(source, trigger, lambda _t: False) is None


@pytest.mark.parametrize("body", BODIES)
def test_main_path_triggers_are_not_valid_from_other_states(body: str):
    r = runner(body)
    for trigger, source, _ in MAIN:
        for state in MAIN_PATH + ("suspended",):
            assert r.can_fire(state, trigger) is (state == source), (trigger, state)


@pytest.mark.parametrize("body", BODIES)
def test_another_round_and_revote_stay_in_voting_behind_their_guards(body: str):
    d, r = DEFINITIONS[body], runner(body)
    assert d.guards("another_round") == ("round_valid", "seats_unfilled")
    assert d.guards("revote") == ("round_invalid",)
    for trigger in ("another_round", "revote"):
        assert [s for s in d.states if r.can_fire(s, trigger)] == ["voting"]
        assert r.dest("voting", trigger) == "voting"


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("state", ACTIVE_STATES)
def test_suspend_leaves_every_active_state_and_resume_returns_to_it(body: str, state: str):
    r = runner(body)
    assert r.fire(state, "suspend", lambda _t: True) == "suspended"
    assert r.fire("suspended", "resume", lambda _t: True, resumes_to=state) == state
    assert DEFINITIONS[body].guards("suspend") == () and DEFINITIONS[body].guards("resume") == ()


@pytest.mark.parametrize("body", BODIES)
def test_closed_and_suspended_elections_cannot_be_suspended(body: str):
    r = runner(body)
    assert not r.can_fire("closed", "suspend") and not r.can_fire("suspended", "suspend")
    assert [s for s in MAIN_PATH if r.can_fire(s, "resume")] == []
    # rev. 2: closed is terminal except for void_result, which only a complaint's resolution fires (domain.md §3)
    assert [t for t in ALL_TRIGGERS if r.can_fire("closed", t)] == ["void_result"]


@pytest.mark.parametrize("body", BODIES)
def test_void_result_is_internal_and_goes_back_to_voting(body: str):
    d, r = DEFINITIONS[body], runner(body)
    assert "void_result" in d.internal
    assert [s for s in d.states if r.can_fire(s, "void_result")] == ["certification", "handover", "summary",
                                                                      "closed"]
    assert r.dest("summary", "void_result") == "voting"


def test_apply_village_law_exists_only_for_the_residents_election_in_preparation():
    assert not runner("party").can_fire("preparation", "apply_village_law")
    r = runner("residents")
    assert [s for s in DEFINITIONS["residents"].states if r.can_fire(s, "apply_village_law")] == ["preparation"]
    assert r.dest("preparation", "apply_village_law") == "preparation"
    assert DEFINITIONS["residents"].guards("apply_village_law") == ("village_law_applicable",)


@pytest.mark.parametrize("body", BODIES)
def test_every_guard_a_machine_names_is_registered(body: str):
    for t in DEFINITIONS[body].transitions:
        for code in t.get("guards", ()):
            assert code in GUARDS, (body, t["trigger"], code)


def test_the_guards_of_each_step_follow_domain_section_4():
    party, residents = DEFINITIONS["party"], DEFINITIONS["residents"]
    common = {"leadership_group_formed", "work_plan_approved", "contingency_plan_filed", "staff_trained",
              "publicity_done", "funding_secured"}
    assert set(party.guards("open_nomination")) == common | {"org_setup_confirmed", "seats_in_range"}
    assert set(residents.guards("open_nomination")) == common | {
        "election_committee_formed", "qualification_rules_set", "election_mode_set", "election_day_set",
        "seats_in_range", "legal_basis_correct"}
    assert set(party.guards("open_candidate_meeting")) == {
        "member_mass_recommendation_done", "superior_recommendation_done", "candidate_list_reported",
        "candidate_list_approved", "candidates_eligible", "candidate_surplus",
        "candidates_reviewed"}  # rev. 2 §12: the joint review (applies only where the rule set has one)
    assert set(residents.guards("open_candidate_meeting")) == {
        "voter_list_timely", "voter_objections_resolved", "candidates_qualified", "election_committee_independent",
        "candidate_surplus", "candidate_list_timely", "candidates_reviewed"}
    # rev. 2 (§4.3): the candidate guards of §4.2 are checked again when voting opens
    assert set(party.guards("open_voting")) == {"candidates_introduced", "polling_arrangements_ready",
                                                "residents_election_certified", "candidates_eligible",
                                                "candidate_surplus", "candidate_list_reported",
                                                "candidate_list_approved", "candidates_reviewed"}
    assert set(residents.guards("open_voting")) == {"candidate_meeting_held", "candidates_presented",
                                                    "polling_arrangements_ready", "party_election_certified",
                                                    "candidates_qualified", "election_committee_independent",
                                                    "candidate_surplus", "candidate_list_timely",
                                                    "candidates_reviewed"}
    for d in (party, residents):
        assert set(d.guards("announce_result")) == {"round_recorded", "round_valid", "seats_filled",
                                                    "public_count_done", "result_announced"}
        assert set(d.guards("complete_handover")) == {"handover_done", "new_cadres_trained", "term_plan_made",
                                                      "annual_plan_made", "disclosure_system_set",
                                                      "unsuccessful_candidates_talked"}
        assert set(d.guards("accept_summary")) == {"summary_written", "inspection_accepted"}
    assert set(party.guards("certify")) == {"secretary_elected", "secretary_approved", "result_filed",
                                            "no_open_complaints"}
    assert set(residents.guards("certify")) == {"certificates_issued", "result_filed", "no_open_complaints"}


def test_the_shared_machine_keeps_no_models():
    r = runner("party")
    for _ in range(500):
        r.fire("preparation", "open_nomination", lambda _t: True)
        r.fire("voting", "suspend", lambda _t: True)
    assert r.machine.models == []
    assert runner("party") is r


def test_states_from_lists_the_state_and_every_later_one():
    assert DEFINITIONS["party"].states_from("voting") == ["voting", "certification", "handover", "summary", "closed"]


# ---------------------------------------------------------------- who may fire what

def actor(role: str, level: str | None = "street") -> Actor:
    return Actor(1, role, role, scope_id=None if role == "admin" else 7, scope_level=None if role == "admin" else level)


MAIN_TRIGGERS = [t for t, _, _ in MAIN if t != "accept_summary"] + ["another_round", "revote"]


@pytest.mark.parametrize("trigger", MAIN_TRIGGERS)
def test_cadres_and_supervisors_fire_the_main_path(trigger: str):
    assert may_fire(actor("cadre"), trigger) and may_fire(actor("supervisor"), trigger)
    assert not may_fire(actor("inspector"), trigger) and not may_fire(actor("observer"), trigger)


@pytest.mark.parametrize("trigger", ["suspend", "resume", "apply_village_law"])
def test_only_supervisors_suspend_resume_and_apply_the_village_law(trigger: str):
    assert may_fire(actor("supervisor"), trigger) and may_fire(actor("admin"), trigger)
    for role in ("cadre", "inspector", "observer"):
        assert not may_fire(actor(role), trigger)


@pytest.mark.parametrize("level, allowed", [("street", False), ("county", False), ("city", True), ("province", True)])
def test_accept_summary_needs_a_supervisor_at_city_level_or_above(level: str, allowed: bool):
    assert may_fire(actor("supervisor", level), "accept_summary") is allowed
    assert not may_fire(actor("cadre", level), "accept_summary")


def test_admin_fires_everything_but_void_result():
    for trigger in ALL_TRIGGERS - {"void_result"}:
        assert may_fire(actor("admin"), trigger)
    assert not may_fire(actor("admin"), "void_result")


def test_every_trigger_has_its_roles_declared():
    assert set(TRIGGER_ROLES) == set(ALL_TRIGGERS)

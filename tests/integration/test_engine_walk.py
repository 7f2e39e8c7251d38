"""Both bodies walked preparation → closed; at every step the engine first refuses with every unmet guard."""
from __future__ import annotations

import datetime as dt

import pytest

from workflow.errors import GuardsFailed
from workflow.machines import MAIN_PATH
from workflow.machines.base import LEAVING
from tests.integration.engine_support import HANDOVER, Engine
from tests.support import DUE

PREP = ["leadership_group_formed", "work_plan_approved", "staff_trained", "publicity_done", "funding_secured"]
RESULT = ["round_recorded", "round_valid", "seats_filled", "public_count_done", "result_announced"]
UNMET = {
    "party": {
        "preparation": PREP + ["org_setup_confirmed", "seats_in_range"],
        "nomination": ["member_mass_recommendation_done", "superior_recommendation_done", "candidate_list_reported",
                       "candidate_list_approved", "candidate_surplus"],
        "candidate_meeting": ["candidates_introduced", "polling_arrangements_ready"],
        "voting": RESULT,
        "certification": ["secretary_elected", "secretary_approved", "result_filed"],
        "handover": list(HANDOVER),
        "summary": ["summary_written", "inspection_accepted"],
    },
    "residents": {
        "preparation": PREP + ["election_committee_formed", "qualification_rules_set", "election_mode_set",
                               "election_day_set", "seats_in_range"],
        "nomination": ["voter_list_timely", "voter_objections_resolved", "candidate_surplus", "candidate_list_timely"],
        "candidate_meeting": ["candidate_meeting_held", "polling_arrangements_ready"],
        "voting": RESULT,
        "certification": ["certificates_issued", "result_filed"],
        "handover": list(HANDOVER),
        "summary": ["summary_written", "inspection_accepted"],
    },
}


def expected_due(state: str) -> dt.date | None:
    if state == "closed":
        return None
    if state == "handover":
        return dt.date(2014, 12, 20)  # 10 days after entering on 2014-12-10, before the campaign's date
    return dt.date.fromisoformat(DUE[state])


@pytest.mark.parametrize("body", ["party", "residents"])
def test_each_body_walks_to_closed_and_each_step_first_reports_every_unmet_guard(db, body: str):
    eng = Engine(db)
    key = f"a_{body}"
    if body == "residents":
        eng.advance("a_party", "certification")  # party first
    for state in MAIN_PATH[:-1]:
        assert eng.state(key) == state and eng.get(key).due_on == expected_due(state)
        trigger = LEAVING[state]
        with pytest.raises(GuardsFailed) as err:
            eng.fire(key, trigger, actor="city")
        expected = UNMET[body][state]
        if body == "residents" and state == "candidate_meeting":
            expected = ["candidate_meeting_held", "candidates_presented", "polling_arrangements_ready"]
        assert [u.code for u in err.value.unmet] == expected, state
        assert all(u.message("zh") and u.message("en") for u in err.value.unmet)
        eng.advance(key, MAIN_PATH[MAIN_PATH.index(state) + 1])
    e = eng.get(key)
    assert (e.state, e.due_on) == ("closed", None)
    moves = [(a.trigger, a.from_state, a.to_state) for a in eng.audit(key, "transition")]
    assert moves == [(LEAVING[s], s, MAIN_PATH[i + 1]) for i, s in enumerate(MAIN_PATH[:-1])]
    assert e.version == 1 + len(moves)


def test_a_key_difficult_community_needs_a_contingency_plan(db):
    eng = Engine(db)
    with pytest.raises(GuardsFailed) as err:
        eng.fire("v_party", "open_nomination")
    assert "contingency_plan_filed" in [u.code for u in err.value.unmet]
    eng.advance("v_party", "closed")
    eng.advance("v_residents", "closed")
    assert eng.get("v_residents").village_law is True

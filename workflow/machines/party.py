"""The community Party organization election (两推一选, PR1990), declared as data."""
from __future__ import annotations

from .base import ACTIVE_STATES, MAIN_PATH, Definition, main_and_off_path

COMMON_PREPARATION = ("leadership_group_formed", "work_plan_approved", "contingency_plan_filed",
                      "staff_trained", "publicity_done", "funding_secured")
RESULT = ("round_recorded", "round_valid", "seats_filled", "public_count_done", "result_announced")
HANDOVER = ("handover_done", "new_cadres_trained", "term_plan_made", "annual_plan_made",
            "disclosure_system_set", "unsuccessful_candidates_talked")
SUMMARY = ("summary_written", "inspection_accepted")

GUARDS: dict[str, tuple[str, ...]] = {
    "open_nomination": COMMON_PREPARATION + ("org_setup_confirmed", "seats_in_range"),
    "open_candidate_meeting": ("member_mass_recommendation_done", "superior_recommendation_done",
                               "candidate_list_reported", "candidate_list_approved",
                               "candidates_eligible", "candidates_reviewed", "candidate_surplus"),
    # rev. 2: the candidate guards again: the list can still change during the candidate meeting (§4.3)
    "open_voting": ("candidates_introduced", "polling_arrangements_ready", "residents_election_certified",
                    "candidates_eligible", "candidates_reviewed", "candidate_surplus", "candidate_list_reported",
                    "candidate_list_approved"),
    "announce_result": RESULT,
    "certify": ("secretary_elected", "secretary_approved", "result_filed", "no_open_complaints"),
    "complete_handover": HANDOVER,
    "accept_summary": SUMMARY,
}

DEFINITION = Definition(
    body="party",
    states=MAIN_PATH + ("suspended",),
    initial="preparation",
    transitions=main_and_off_path("party", GUARDS),
)
assert set(ACTIVE_STATES) < set(DEFINITION.states)

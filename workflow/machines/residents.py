"""The residents' committee election (RCL; VCL for unreformed converted villages), declared as data."""
from __future__ import annotations

from .base import MAIN_PATH, Definition, main_and_off_path
from .party import COMMON_PREPARATION, HANDOVER, RESULT, SUMMARY

GUARDS: dict[str, tuple[str, ...]] = {
    "open_nomination": COMMON_PREPARATION + ("election_committee_formed", "qualification_rules_set",
                                             "election_mode_set", "election_day_set", "seats_in_range",
                                             "legal_basis_correct"),
    "open_candidate_meeting": ("voter_list_timely", "voter_objections_resolved", "candidates_qualified", "candidates_reviewed",
                               "election_committee_independent", "candidate_surplus",
                               "candidate_list_timely"),
    # rev. 2: the candidate guards again: the list can still change during the candidate meeting (§4.3)
    "open_voting": ("candidate_meeting_held", "candidates_presented", "polling_arrangements_ready",
                    "party_election_certified", "candidates_qualified", "candidates_reviewed",
                    "election_committee_independent",
                    "candidate_surplus", "candidate_list_timely"),
    "announce_result": RESULT,
    "certify": ("certificates_issued", "result_filed", "no_open_complaints"),
    "complete_handover": HANDOVER,
    "accept_summary": SUMMARY,
}

DEFINITION = Definition(
    body="residents",
    states=MAIN_PATH + ("suspended",),
    initial="preparation",
    transitions=main_and_off_path("residents", GUARDS),
)

"""UI words that workflow.labels does not hold: facts, backgrounds, round problems, history actions."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from workflow.facts import FACTS
from workflow.guards import GUARDS

FACT_LABELS: dict[str, Any] = {
    "leadership_group_formed": _l("Street election work body set up"),
    "work_plan_approved": _l("Work plan made after consulting members and residents"),
    "contingency_plan_filed": _l("Contingency plan for this key/difficult community"),
    "staff_trained": _l("Election staff trained"),
    "publicity_done": _l("Publicity carried out"),
    "funding_secured": _l("Election funds in the budget"),
    "org_setup_confirmed": _l("Party organization type confirmed"),
    "seats_exception_approved": _l("Superior approval of a different number of seats"),
    "member_mass_recommendation_done": _l("Recommendation by members and residents"),
    "superior_recommendation_done": _l("Recommendation by the superior Party organization"),
    "candidate_list_reported": _l("Preliminary candidate list reported upward"),
    "candidate_list_approved": _l("Candidate list approved by the street Party working committee"),
    "candidates_introduced": _l("Candidates introduced to members"),
    # no longer a fact (computed from the posts, domain.md §4.5 rev. 2); kept so that old history rows read well
    "secretary_elected": _l("Secretary and deputies elected at the first plenary"),
    "secretary_approved": _l("Secretary and deputies approved by the superior organization"),
    "election_committee_formed": _l("Residents' election committee formed"),
    "qualification_rules_set": _l("Candidate qualification conditions set"),
    "voter_objections_resolved": _l("Objections to the voter list resolved"),
    "election_mode": _l("Election mode"),
    "election_day": _l("Election day"),
    "voter_list_published_on": _l("Voter list published on"),
    "candidate_list_published_on": _l("Candidate list published on"),
    "candidate_meeting_held": _l("Candidate meeting held on"),
    "polling_arrangements_ready": _l("Secret booth, polling stations and assembly arranged"),
    "public_count_done": _l("Votes read and counted in public"),
    "result_announced": _l("Result announced on the spot"),
    "result_filed": _l("Result filed with the street"),
    "handover_done": _l("Seals, files, assets and accounts handed over"),
    "new_cadres_trained": _l("New cadres trained"),
    "term_plan_made": _l("Plan for the term made"),
    "annual_plan_made": _l("Annual work plan made"),
    "disclosure_system_set": _l("Disclosure and democratic management set up"),
    "unsuccessful_candidates_talked": _l("Talks with unsuccessful candidates held"),
    "summary_written": _l("Summary written"),
    "inspection_accepted": _l("Inspected and accepted by the city"),
    "vacancy_approved": _l("The street approved leaving the remaining seats vacant (暂缺)"),
}

#: guards computed from facts of another key: the facts to offer next to them (from the guard registry)
GUARD_FACTS: dict[str, tuple[str, ...]] = {
    g.code: tuple(k for k in g.reads if k in FACTS and k != g.code) for g in GUARDS.values()
    if any(k in FACTS and k != g.code for k in g.reads)}
#: guards computed from the candidates, the seats, the rounds or the certificates: where to act
GUARD_ANCHORS: dict[str, str] = {g.code: g.anchor for g in GUARDS.values() if g.anchor}

BACKGROUNDS: dict[str, Any] = {
    "community_worker": _l("Community worker"), "dispatched_cadre": _l("Cadre sent by an agency"),
    "police": _l("Community police"), "mass_org": _l("Mass organization"), "retired_cadre": _l("Retired cadre"),
    "notable": _l("Capable local resident"), "non_public_org": _l("Private enterprise"),
    "social_org": _l("Social organization"), "grid_leader": _l("Grid leader"), "other": _l("Other"),
}
ORG_TYPES: dict[str, Any] = {"committee": _l("Party committee"), "general_branch": _l("General Party branch"),
                             "branch": _l("Party branch")}
ORDERS: dict[str, Any] = {"party_first": _l("Party organization first"),
                          "residents_first": _l("Residents' committee first"), "concurrent": _l("At the same time")}
ROUND_KINDS: dict[str, Any] = {"first": _l("First round"), "another": _l("Another round (另行选举)"),
                               "revote": _l("Revote (重新选举)"),
                               "tie_break": _l("Vote again among the tied (票数相等者重新投票)"),
                               "by_election": _l("By-election (补选)")}
ROUND_PROBLEMS: dict[str, Any] = {
    "quorum_not_met": _l("Too few voters took part: the round is invalid"),
    "ballots_inconsistent": _l("More ballots returned than issued or than voters present: the round is invalid"),
}
REFERRALS: dict[str, Any] = {"police": _l("Public security"), "discipline": _l("Discipline inspection"),
                             "judicial": _l("Judicial authorities")}
RESPONSIBILITY_KINDS: dict[str, Any] = {"contact": _l("Contact person (三包三保)"),
                                        "first": _l("First responsible person"),
                                        "direct": _l("Direct responsible person")}
GENDERS: dict[str, Any] = {"f": _l("Female"), "m": _l("Male")}
ACTIONS: dict[str, Any] = {
    "transition": _l("Step"), "fact_recorded": _l("Recorded"), "facts_cleared": _l("Records cleared"),
    "seats_set": _l("Seats set"), "candidate_added": _l("Candidate added"),
    "candidate_updated": _l("Candidate changed"), "round_recorded": _l("Voting round recorded"),
    "certificate_issued": _l("Certificate issued"), "complaint_filed": _l("Complaint filed"),
    "complaint_resolved": _l("Complaint resolved"), "fact_requested": _l("Record requested from a supervisor"),
    "posts_set": _l("Posts recorded"), "roster_added": _l("Added to the roster"),
    "roster_updated": _l("Roster changed"), "roster_removed": _l("Removed from the roster"),
}
CANDIDATE_FIELDS: dict[str, Any] = {
    "name": _l("name"), "post": _l("post"), "gender": _l("gender"), "birth_year": _l("year of birth"),
    "education": _l("education"), "background": _l("background"), "dispatched_from": _l("sent from"),
    "party_member": _l("Party member"), "full_member": _l("full member"), "qualified": _l("qualified"),
    "on_election_committee": _l("on the election committee"), "presented": _l("met the residents"),
    "graduate_recruit": _l("graduate recruit"), "withdrawn": _l("withdrawn"),
    "id_number": _l("ID card number"), "incumbent": _l("outgoing member"),
}
STATE_COLOURS: dict[str, str] = {
    "preparation": "#b8c9dc", "nomination": "#97b2cf", "candidate_meeting": "#7699bf", "voting": "#5a82ad",
    "certification": "#4a7396", "handover": "#41807f", "summary": "#4b9170", "closed": "#2f7d52",
    "suspended": "#d0524a",
}


def text(table: dict[str, Any], key: Any) -> str:
    """Return the translated label of key in a UI table, or the key itself."""
    value = table.get(key) if isinstance(key, str) else None
    return str(value) if value is not None else ("" if key is None else str(key))

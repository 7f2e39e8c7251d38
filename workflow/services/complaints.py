"""Complaints (举报, N3(4)): filed against an election, resolved within the rule set's days."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ..auth import Actor, may_file_complaint, may_resolve_complaint, require
from ..clock import now
from ..db import UnitOfWork
from ..errors import InvalidRequest, InvalidState, NotFound
from ..models import Candidate, Certificate, Complaint
from ..ruleset import get_rule_set
from .common import audit, get_election, parse_date, require_choice, require_text
from .election_data import clear_list_approvals
from .elections import fire_internal
from .escalation import raise_rung
from .people import release_post

CATEGORIES = ("bribery", "improper_competition", "interference", "procedure", "other")
OUTCOMES = ("unfounded", "disqualify_candidate", "void_election")
#: rev. 2: disqualifying also between rounds (voting); voiding also after closing (domain.md §5)
DISQUALIFY_STATES = ("nomination", "candidate_meeting", "voting")
VOID_STATES = ("certification", "handover", "summary", "closed")
REFERRALS = ("police", "discipline", "judicial")


def complaint_dict(c: Complaint) -> dict[str, Any]:
    """Return a complaint as the API shows it."""
    return {"id": c.id, "election": c.election_id, "candidate": c.candidate_id, "category": c.category,
            "summary": c.summary, "received_on": c.received_on.isoformat(), "due_on": c.due_on.isoformat(),
            "outcome": c.outcome, "referral": c.referral, "note": c.resolution_note,
            "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
            "open": c.resolved_at is None}


def file_complaint(uow: UnitOfWork, actor: Actor, election_id: Any, category: Any, candidate: Any,
                   received_on: Any, summary: Any) -> Complaint:
    """File a complaint; interference escalates at once to county and city (rungs 2 and 3)."""
    s = uow.session
    election = get_election(s, actor, election_id)
    cat = require_choice(category, "category", CATEGORIES)
    received = parse_date(received_on, "received_on")
    assert received is not None
    text = require_text(summary, "summary", 4000)
    cand = None
    if candidate is not None:
        if not isinstance(candidate, int) or isinstance(candidate, bool):
            raise InvalidRequest.one("candidate", "must be a candidate id or null", "必须是候选人编号或为空")
        cand = s.get(Candidate, candidate)
        if cand is None or cand.election_id != election.id:
            raise InvalidRequest.one("candidate", "is not a candidate of this election", "不是本次选举的候选人")
    require(may_file_complaint(actor))
    rules = get_rule_set(election.campaign.rule_set)
    row = Complaint(election_id=election.id, community_id=election.community_id,
                    candidate_id=cand.id if cand else None, category=cat, summary=text or "",
                    received_on=received, due_on=received + dt.timedelta(days=rules.complaint_days),
                    filed_by=actor.user_id, filed_at=now())
    s.add(row)
    s.flush()
    audit(s, actor, "complaint_filed", election=election, data=complaint_dict(row))
    if cat == "interference":
        for level in (2, 3):
            raise_rung(s, kind="complaint", subject_id=row.id, election_id=election.id,
                       community=election.community, state="open", due_on=row.received_on, level=level,
                       subject_text=f"干扰破坏选举举报：{election.community.name}",
                       link=f"/elections/{election.id}")
    s.flush()
    return row


def resolve_complaint(uow: UnitOfWork, actor: Actor, complaint_id: Any, outcome: Any, note: Any = None,
                      referral: Any = None) -> Complaint:
    """Resolve a complaint: unfounded, disqualify the named candidate, or void the named person's election."""
    s = uow.session
    try:
        complaint = s.get(Complaint, int(complaint_id))
    except (TypeError, ValueError):
        complaint = None
    if complaint is None:
        raise NotFound()
    election = get_election(s, actor, complaint.election_id, for_update=True)
    result = require_choice(outcome, "outcome", OUTCOMES)
    note_text = require_text(note, "note", 4000, required=False)
    ref = require_choice(referral, "referral", REFERRALS) if referral is not None else None
    require(may_resolve_complaint(actor))
    if complaint.resolved_at is not None:
        raise InvalidState("this complaint is already resolved", "该举报已处理")
    cand = s.get(Candidate, complaint.candidate_id) if complaint.candidate_id else None
    if result == "disqualify_candidate":
        from .reviews import disqualified_by_complaint
        # a candidate disqualified only by the joint review may still be disqualified for good by a complaint
        already = cand is not None and cand.disqualified and (cand.review_status is None
                                                                or disqualified_by_complaint(s, cand.id))
        if cand is None or already or cand.voided or election.state not in DISQUALIFY_STATES:
            raise InvalidState("disqualifying needs a named candidate before the result",
                               "取消参选资格须针对具体候选人，且在选举结果产生前")
        was_standing = not cand.disqualified
        cand.disqualified = True
        if cand.elected:
            # 一经查实，立即取消其参选资格: between rounds too; the seat won in this voting is open again
            cand.elected = False
        s.flush()
        if was_standing:
            clear_list_approvals(s, actor, election, "candidate disqualified", cand.id)
    elif result == "void_election":
        if cand is None or not cand.elected or cand.voided or election.state not in VOID_STATES:
            raise InvalidState("voiding needs a named elected person after the result",
                               "当选无效须针对具体当选人，且在选举结果产生后")
        cand.voided = True
        release_post(s, actor, election, cand, "voided")
        for cert in s.scalars(select(Certificate).where(Certificate.candidate_id == cand.id,
                                                        Certificate.revoked_at.is_(None))):
            cert.revoked_at = now()
        s.flush()
        fire_internal(s, actor, election, "void_result", note_text,
                      {"complaint": complaint.id, "voided": [cand.id], "name": cand.name})
    complaint.outcome, complaint.referral, complaint.resolution_note = result, ref, note_text
    complaint.resolved_by, complaint.resolved_at = actor.user_id, now()
    audit(s, actor, "complaint_resolved", election=election, note=note_text, data=complaint_dict(complaint))
    s.flush()
    return complaint

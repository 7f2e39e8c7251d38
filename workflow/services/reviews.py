"""资格联审 (domain.md §12): department verdicts on candidates, the computed review status, who sees the grounds."""
from __future__ import annotations

from typing import Any, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Actor, require
from ..db import UnitOfWork
from ..errors import InvalidRequest, InvalidState
from ..models import Candidate, CandidateReview, Community, Complaint, Election, User
from ..ruleset import JointReview, RuleSet, get_rule_set
from .common import audit, community_scope, require_choice, require_text
from .election_data import CANDIDATE_STATES, candidate_for_update, clear_list_approvals

VERDICTS = ("pass", "fail")


def review_of(rules: RuleSet) -> Optional[JointReview]:
    """The rule set's joint review, or None (liaoning-2014 has none)."""
    return rules.joint_review


def sees_grounds(actor: Actor) -> bool:
    """Grounds are shown to reviewers, supervisors at county level or above, inspectors and admins (§12)."""
    return actor.role in ("reviewer", "inspector", "admin") or (actor.role == "supervisor" and actor.county_or_above)


def compute_status(review: JointReview, verdicts: dict[str, str]) -> str:
    """failed when any department failed, passed when every department passed, else pending."""
    if "fail" in verdicts.values():
        return "failed"
    if all(verdicts.get(d.code) == "pass" for d in review.departments):
        return "passed"
    return "pending"


def _verdicts(s: Session, candidate_ids: Iterable[int]) -> dict[int, list[CandidateReview]]:
    out: dict[int, list[CandidateReview]] = {}
    ids = list(candidate_ids)
    if not ids:
        return out
    for row in s.scalars(select(CandidateReview).where(CandidateReview.candidate_id.in_(ids))
                         .order_by(CandidateReview.id)):
        out.setdefault(row.candidate_id, []).append(row)
    return out


def reviews_for(s: Session, actor: Actor, election: Election, candidates: list[Candidate]) -> dict[int, Any]:
    """Each candidate's `review` as api.md shows it to this actor ({} without a joint review)."""
    if review_of(get_rule_set(election.campaign.rule_set)) is None:
        return {}
    grounds = sees_grounds(actor)
    rows = _verdicts(s, (c.id for c in candidates))
    out: dict[int, Any] = {}
    for c in candidates:
        mine = rows.get(c.id, [])
        item: dict[str, Any] = {"status": c.review_status or "pending",
                                "departments": {r.department: r.verdict for r in mine}}
        if grounds:
            item["grounds"] = {r.department: list(r.grounds or []) for r in mine if r.verdict == "fail"}
        out[c.id] = item
    return out


def with_review(s: Session, actor: Actor, cand: Candidate, data: dict[str, Any]) -> dict[str, Any]:
    """A candidate's API dict with its `review` where the rule set has a joint review."""
    election = s.get(Election, cand.election_id)
    assert election is not None
    review = reviews_for(s, actor, election, [cand]).get(cand.id)
    return {**data, "review": review} if review is not None else data


def redact_history(actor: Actor, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history row of a verdict shows its grounds only to the roles of §12."""
    if sees_grounds(actor):
        return items
    for item in items:
        if item.get("action") == "candidate_reviewed" and isinstance(item.get("data"), dict):
            item["data"] = {k: v for k, v in item["data"].items() if k not in ("grounds", "note")}
    return items


def disqualified_by_complaint(s: Session, candidate_id: int) -> bool:
    """A disqualification by complaint (§5) is final: a later pass never lets the candidate stand again."""
    return s.scalar(select(Complaint.id).where(Complaint.candidate_id == candidate_id,
                                               Complaint.outcome == "disqualify_candidate")) is not None


def _department_of(s: Session, actor: Actor) -> Optional[str]:
    if actor.user_id is None:
        return None
    return s.scalar(select(User.department).where(User.id == actor.user_id))


def record_verdict(uow: UnitOfWork, actor: Actor, candidate_id: Any, department: Any, raw: Any) -> Candidate:
    """Record (or change) one department's verdict; a failure disqualifies, a return to all-pass re-admits."""
    s = uow.session
    cand, election = candidate_for_update(s, actor, candidate_id)
    rules = get_rule_set(election.campaign.rule_set)
    review = review_of(rules)
    require(actor.is_admin or actor.role == "reviewer")
    if review is None:
        # a well-formed request on an election whose rule set has no review (liaoning-2014): its state refuses it
        raise InvalidState("this election's rule set has no joint review", "本次选举适用的规则未设资格联审")
    dept = require_choice(department, "department", tuple(d.code for d in review.departments))
    if not actor.is_admin:
        require(_department_of(s, actor) == dept)
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = set(raw) - {"verdict", "grounds", "note"}
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in sorted(unknown)})
    verdict = require_choice(raw.get("verdict"), "verdict", VERDICTS)
    codes = tuple(g.code for g in review.negative_list)
    grounds = raw.get("grounds") or []
    if not isinstance(grounds, list) or any(g not in codes for g in grounds):
        raise InvalidRequest.one("grounds", "must be a list of negative-list codes: " + ", ".join(codes),
                                 "须为负面清单代码列表")
    grounds = sorted(set(grounds))
    if verdict == "fail" and not grounds:
        raise InvalidRequest.one("grounds", "a failure needs at least one ground", "不通过须至少注明一项负面清单情形")
    if verdict == "pass" and grounds:
        raise InvalidRequest.one("grounds", "a pass has no grounds", "通过时不应注明负面清单情形")
    note = require_text(raw.get("note"), "note", 2000, required=False)
    if election.state not in CANDIDATE_STATES:
        raise InvalidState("verdicts are recorded only in nomination and candidate meeting",
                           "资格联审意见只能在提名推荐和候选人见面阶段记录")
    if cand.withdrawn or cand.voided or cand.write_in:
        raise InvalidState("this candidate is not on the list", "该人员不在候选人名单上")
    row = s.scalars(select(CandidateReview).where(CandidateReview.candidate_id == cand.id,
                                                  CandidateReview.department == dept)).first()
    before = row.verdict if row else None
    if row is None:
        row = CandidateReview(candidate_id=cand.id, department=dept)
        s.add(row)
    row.verdict, row.grounds, row.note, row.recorded_by = verdict, grounds, note, actor.user_id
    s.flush()
    verdicts = {r.department: r.verdict for r in _verdicts(s, [cand.id]).get(cand.id, [])}
    old_status, status = cand.review_status, compute_status(review, verdicts)
    cand.review_status, cand.qualified = status, status == "passed"
    audit(s, actor, "candidate_reviewed", election=election,
          data={"candidate": cand.id, "name": cand.name, "department": dept, "verdict": verdict, "before": before,
                "grounds": grounds, "note": note, "status": status})
    if status == "failed" and not cand.disqualified:
        cand.disqualified = True  # 资格联审不通过: no longer standing, the list changes (§4.2)
        s.flush()
        clear_list_approvals(s, actor, election, "candidate failed the joint review", cand.id)
    elif (status == "passed" and old_status != "passed" and cand.disqualified
          and not disqualified_by_complaint(s, cand.id)):
        cand.disqualified = False  # every department passed again: the candidate stands again
        s.flush()
        clear_list_approvals(s, actor, election, "candidate passed the joint review again", cand.id)
    s.flush()
    return cand


def reviewer_queue(uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    """The reviewer's candidates in scope (elections in nomination/candidate meeting under a joint review),
    waiting ones first, each with its department's current verdict."""
    s = uow.session
    dept = _department_of(s, actor) if actor.role == "reviewer" else None
    rows = s.execute(select(Candidate, Election, Community).join(Election, Candidate.election_id == Election.id)
                     .join(Community, Election.community_id == Community.id)
                     .where(community_scope(actor), Election.state.in_(CANDIDATE_STATES),
                            Candidate.review_status.is_not(None), Candidate.withdrawn.is_(False),
                            Candidate.voided.is_(False), Candidate.write_in.is_(False))
                     .order_by(Community.code, Election.body, Candidate.id)).all()
    verdicts = _verdicts(s, (c.id for c, _, _ in rows))
    items = []
    for c, e, com in rows:
        mine = next((r for r in verdicts.get(c.id, []) if r.department == dept), None)
        items.append({"candidate": c.id, "name": c.name, "id_number": c.id_masked, "post": c.post,
                      "election": e.id, "body": e.body, "state": e.state, "community": com.code,
                      "community_name": com.name, "status": c.review_status,
                      "verdict": mine.verdict if mine else None,
                      "grounds": list(mine.grounds or []) if mine else [], "note": mine.note if mine else None})
    items.sort(key=lambda i: i["verdict"] is not None)
    review = None
    if rows:
        review = review_of(get_rule_set(rows[0][1].campaign.rule_set))
    return {"department": dept, "items": items,
            "negative_list": [{"code": g.code, "zh": g.zh, "en": g.en} for g in (review.negative_list if review else ())],
            "departments": [{"code": d.code, "zh": d.zh, "en": d.en} for d in (review.departments if review else ())]}

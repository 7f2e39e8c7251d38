"""Complaints (举报): filed against an election, resolved by an inspector or a supervisor."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflow.auth import Actor
from workflow.errors import NotFound
from workflow.models import Complaint
from workflow.services import complaints as svc
from workflow.services.common import get_election

from .core import ID, actor, body, bp, load, op, uow
from .outputs import ComplaintOut
from .schemas import Day, In, choice, ident, note, text


class ComplaintIn(In):
    category = choice(svc.CATEGORIES, required=True)
    candidate = ident(required=False, nullable=True, load_default=None)
    received_on = Day(required=True)
    summary = text(4000, required=True, multiline=True)


class ResolveIn(In):
    outcome = choice(svc.OUTCOMES, required=True)
    note = note(4000)
    referral = choice(svc.REFERRALS, nullable=True, load_default=None)


def find_complaint(s: Session, who: Actor, complaint_id: int) -> Complaint:
    """Load a complaint whose election the caller may see, or raise NotFound."""
    complaint = s.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound()
    get_election(s, who, complaint.election_id)
    return complaint


@bp.post(f"/elections/<{ID}:election_id>/complaints")
@bp.output(ComplaintOut, status_code=201)
@body(ComplaintIn)
@op("Complaints", 400, 403, 404)
def file_complaint(election_id: int) -> dict[str, Any]:
    """File a complaint (due in the rule set's days; interference escalates to county and city at once)."""
    with uow() as w:
        data = load(ComplaintIn, exists=lambda: get_election(w.session, actor(), election_id))
        row = svc.file_complaint(w, actor(), election_id, data["category"], data["candidate"],
                                 data["received_on"], data["summary"])
        return svc.complaint_dict(row)


@bp.get(f"/complaints/<{ID}:complaint_id>")
@bp.output(ComplaintOut)
@op("Complaints", 404)
def get_complaint(complaint_id: int) -> dict[str, Any]:
    """Return one complaint."""
    with uow(write=False) as w:
        return svc.complaint_dict(find_complaint(w.session, actor(), complaint_id))


@bp.post(f"/complaints/<{ID}:complaint_id>/resolve")
@bp.output(ComplaintOut)
@body(ResolveIn)
@op("Complaints", 400, 403, 404, 409)
def resolve_complaint(complaint_id: int) -> dict[str, Any]:
    """Resolve: unfounded, disqualify the named candidate, or void the named person's election."""
    with uow() as w:
        data = load(ResolveIn, exists=lambda: find_complaint(w.session, actor(), complaint_id))
        row = svc.resolve_complaint(w, actor(), complaint_id, data["outcome"], data.get("note"), data["referral"])
        return svc.complaint_dict(row)

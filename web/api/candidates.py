"""Candidates, voting rounds (evaluated by the engine) and certificates of an election."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from workflow.auth import Actor
from workflow.errors import NotFound
from workflow.models import Candidate
from workflow.rounds import ROUND_KINDS
from workflow.services import election_data as svc
from workflow.services import reviews
from workflow.services.common import get_election

from .core import ID, actor, body, bp, json_body, load, op, uow
from .outputs import CandidateOut, RoundOut
from .schemas import MAX_COUNT, Bool, In, Int, Out, Timestamp, choice, count, ident, line, text

POSTS = ("member", "director", "deputy_director")


class CandidateIn(In):
    """Only name and post are required; booleans default to false."""

    name = text(100, required=True)
    post = choice(POSTS, required=True)
    gender = choice(("f", "m"), nullable=True)
    birth_year = Int(allow_none=True, validate=validate.Range(1900, 2100))
    education = text(40, nullable=True)
    party_member = Bool()
    full_member = Bool()
    qualified = Bool()
    on_election_committee = Bool()
    presented = Bool()
    background = choice(svc.BACKGROUNDS, nullable=True)
    graduate_recruit = Bool()
    dispatched_from = line(200)
    id_number = fields.String(allow_none=True, validate=validate.Length(max=40),
                              metadata={"description": "居民身份证号码, 18 characters (GB 11643 check digit); "
                                                       "kept as a keyed hash and shown masked"})
    incumbent = Bool(metadata={"description": "a member of the outgoing committee"})


class CandidatePatch(CandidateIn):
    """Any field of a candidate, and withdrawn: true."""

    name = text(100)
    post = choice(POSTS)
    withdrawn = Bool()


def _votes() -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,10}$")),
                       values=Int(validate=validate.Range(0, MAX_COUNT)),
                       metadata={"description": "{candidate id: votes}"})


class WriteInIn(In):
    """A person written in on the ballots (另选他人)."""

    name = text(100, required=True)
    post = choice(POSTS, required=True)
    votes = count()


class StationIn(In):
    """One polling place's counts (中心会场, 投票站, 流动票箱); the engine sums them."""

    name = text(100, required=True)
    ballots_issued = count()
    ballots_returned = count()
    ballots_invalid = count()
    votes = _votes()
    write_ins = fields.List(fields.Nested(WriteInIn), validate=validate.Length(max=200))


class RoundIn(In):
    """The ballot counts and votes at the top, or per polling place in `stations` (not both)."""

    kind = choice(ROUND_KINDS, required=True)
    expected = count(metadata={"description": "may be omitted where a voter roll computes it (domain.md §10)"})
    present = count()
    ballots_issued = count(required=False)
    ballots_returned = count(required=False)
    ballots_invalid = count(required=False)
    votes = _votes()
    write_ins = fields.List(fields.Nested(WriteInIn), validate=validate.Length(max=200))
    stations = fields.List(fields.Nested(StationIn), validate=validate.Length(min=1, max=200))

    @validates_schema(skip_on_field_errors=False)
    def _ballots_or_stations(self, data: dict[str, Any], **_: Any) -> None:
        """Without stations the three ballot counts are required; with them, none is given at the top."""
        names = ("ballots_issued", "ballots_returned", "ballots_invalid")
        if "stations" in data:
            given = [n for n in (*names, "votes", "write_ins") if n in data]
            if given:
                raise ValidationError({n: ["Given per polling place when stations are given."] for n in given})
        else:
            missing = [n for n in names if n not in data]
            if missing:
                raise ValidationError({n: ["Missing data for required field."] for n in missing})


class CertificateIn(In):
    candidate = ident()
    serial = text(64, required=True)


class CertificateOut(Out):
    id = fields.Integer(required=True)
    serial = fields.String(required=True)
    election = fields.Integer(required=True)
    candidate = fields.Integer(required=True)
    issued_at = Timestamp(required=True)


def find_candidate(s: Session, who: Actor, candidate_id: int) -> Candidate:
    """Load a candidate whose election the caller may see, or raise NotFound."""
    cand = s.get(Candidate, candidate_id)
    if cand is None:
        raise NotFound()
    get_election(s, who, cand.election_id)
    return cand


@bp.post(f"/elections/<{ID}:election_id>/candidates")
@bp.output(CandidateOut, status_code=201)
@body(CandidateIn)
@op("Candidates", 400, 403, 404, 409)
def add_candidate(election_id: int) -> dict[str, Any]:
    """Add a candidate (only in nomination and candidate_meeting)."""
    with uow() as w:
        data = load(CandidateIn, exists=lambda: get_election(w.session, actor(), election_id))
        cand = svc.add_candidate(w, actor(), election_id, data)
        return reviews.with_review(w.session, actor(), cand, svc.candidate_dict(cand))


@bp.patch(f"/candidates/<{ID}:candidate_id>")
@bp.output(CandidateOut)
@body(CandidatePatch)
@op("Candidates", 400, 403, 404, 409)
def update_candidate(candidate_id: int) -> dict[str, Any]:
    """Change a candidate, or withdraw them (only in nomination and candidate_meeting)."""
    with uow() as w:
        data = load(CandidatePatch, exists=lambda: find_candidate(w.session, actor(), candidate_id))
        cand = svc.update_candidate(w, actor(), candidate_id, data)
        return reviews.with_review(w.session, actor(), cand, svc.candidate_dict(cand))


class ReviewIn(In):
    """One department's verdict (domain.md §12)."""

    verdict = choice(("pass", "fail"), required=True)
    grounds = fields.List(fields.String(validate=validate.Length(max=32)), validate=validate.Length(max=20))
    note = text(2000, nullable=True)


@bp.put(f"/candidates/<{ID}:candidate_id>/reviews/<department>")
@bp.output(CandidateOut)
@body(ReviewIn)
@op("Candidates", 400, 403, 404, 409)
def record_review(candidate_id: int, department: str) -> dict[str, Any]:
    """Record a department's joint-review verdict (a reviewer of that department in scope, or admin)."""
    with uow() as w:
        data = load(ReviewIn, exists=lambda: find_candidate(w.session, actor(), candidate_id))
        cand = reviews.record_verdict(w, actor(), candidate_id, department, data)
        return reviews.with_review(w.session, actor(), cand, svc.candidate_dict(cand))


@bp.post(f"/elections/<{ID}:election_id>/rounds")
@bp.output(RoundOut, status_code=201)
@body(RoundIn)
@op("Candidates", 400, 403, 404, 409)
def record_round(election_id: int) -> dict[str, Any]:
    """Record a voting round; the engine evaluates it (valid, problems, elected, unfilled, tied)."""
    with uow() as w:
        raw = json_body()
        if isinstance(raw, dict) and "expected" not in raw:  # a voter roll computes it (domain.md §10)
            raw = svc.with_computed_expected(w.session, actor(), election_id, raw)
        data = load(RoundIn, data=raw, exists=lambda: get_election(w.session, actor(), election_id))
        return svc.round_dict(svc.record_round(w, actor(), election_id, data))


@bp.post(f"/elections/<{ID}:election_id>/certificates")
@bp.output(CertificateOut, status_code=201)
@body(CertificateIn)
@op("Candidates", 400, 403, 404, 409)
def issue_certificate(election_id: int) -> dict[str, Any]:
    """Issue a certificate to an elected person; a serial is usable once in the whole system."""
    with uow() as w:
        data = load(CertificateIn, exists=lambda: get_election(w.session, actor(), election_id))
        cert = svc.issue_certificate(w, actor(), election_id, data["candidate"], data["serial"])
        return {"id": cert.id, "serial": cert.serial, "election": cert.election_id,
                "candidate": cert.candidate_id, "issued_at": cert.issued_at}

"""People and posts (domain.md §9): the Party committee's posts and the roster of first secretary and part-time members."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from workflow.services import people as svc, roster
from workflow.services.common import get_election

from .core import ID, actor, body, bp, load, op, uow
from .outputs import PostsOut, RosterOut
from .schemas import Day, In, Out, choice, ident, text


class PostsIn(In):
    """Candidate ids of elected members: the secretary, the deputies, and the full-time deputy among them."""

    secretary = ident(required=False, nullable=True)
    deputy_secretaries = fields.List(ident(), load_default=list, validate=validate.Length(max=20))
    full_time_deputy = ident(required=False, nullable=True)


class RosterIn(In):
    kind = choice(roster.KINDS, required=True)
    name = text(100, required=True)
    unit = text(200, required=True, metadata={"description": "the cadre's unit (派出单位 / 所在单位)"})
    post = text(100, nullable=True, metadata={"description": "post held in that unit"})
    gender = choice(("f", "m"), nullable=True)
    start_on = Day(allow_none=True)
    end_on = Day(allow_none=True)


class RosterPatch(RosterIn):
    kind = choice(roster.KINDS)
    name = text(100)
    unit = text(200)


class RemoveIn(In):
    reason = text(2000, required=True)


class RosterList(Out):
    items = fields.List(fields.Nested(RosterOut), required=True)


@bp.put(f"/elections/<{ID}:election_id>/posts")
@bp.output(PostsOut)
@body(PostsIn)
@op("People and posts", 400, 403, 404, 409)
def put_posts(election_id: int) -> dict[str, Any]:
    """Record the secretary, deputies and full-time deputy elected by the first plenary (certification to summary)."""
    with uow() as w:
        data = load(PostsIn, exists=lambda: get_election(w.session, actor(), election_id))
        return svc.set_posts(w, actor(), election_id, data)


@bp.get(f"/elections/<{ID}:election_id>/roster")
@bp.output(RosterList)
@op("People and posts", 404)
def get_roster(election_id: int) -> dict[str, Any]:
    """List the first secretary and part-time members beside a Party election."""
    with uow(write=False) as w:
        return {"items": roster.list_roster(w, actor(), election_id)}


@bp.post(f"/elections/<{ID}:election_id>/roster")
@bp.output(RosterOut, status_code=201)
@body(RosterIn)
@op("People and posts", 400, 403, 404, 409)
def add_roster(election_id: int) -> dict[str, Any]:
    """Put a first secretary (第一书记) or a part-time member (兼职委员) on the roster; never an elected member."""
    with uow() as w:
        data = load(RosterIn, exists=lambda: get_election(w.session, actor(), election_id))
        return roster.roster_dict(roster.add_roster_member(w, actor(), election_id, data))


@bp.patch(f"/roster/<{ID}:member_id>")
@bp.output(RosterOut)
@body(RosterPatch)
@op("People and posts", 400, 403, 404, 409)
def update_roster(member_id: int) -> dict[str, Any]:
    """Change a roster entry (for example the date a first secretary left)."""
    with uow() as w:
        data = load(RosterPatch, exists=lambda: roster.find_roster_member(w, actor(), member_id))
        return roster.roster_dict(roster.update_roster_member(w, actor(), member_id, data))


@bp.post(f"/roster/<{ID}:member_id>/remove")
@bp.output(RosterOut)
@body(RemoveIn)
@op("People and posts", 400, 403, 404)
def remove_roster(member_id: int) -> dict[str, Any]:
    """Take an entry entered by mistake off the roster; the history keeps it with the reason."""
    with uow() as w:
        data = load(RemoveIn, exists=lambda: roster.find_roster_member(w, actor(), member_id))
        return roster.roster_dict(roster.remove_roster_member(w, actor(), member_id, data["reason"]))

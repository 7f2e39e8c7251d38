"""The roster beside a Party election (domain.md §9): 第一书记 and 兼职委员, appointed, never elected (N2(1))."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Actor, may_edit_election, require
from ..clock import now
from ..db import UnitOfWork
from ..errors import Duplicate, InvalidRequest, InvalidState, NotFound
from ..models import Election, RosterMember
from .common import audit, get_election, parse_date, require_choice, require_text

KINDS = ("first_secretary", "part_time_member")
FIELDS = ("kind", "name", "gender", "unit", "post", "start_on", "end_on")


def roster_dict(m: RosterMember) -> dict[str, Any]:
    """Return a roster entry as the API shows it."""
    return {"id": m.id, "election": m.election_id, "kind": m.kind, "name": m.name, "gender": m.gender,
            "unit": m.unit, "post": m.post, "start_on": m.start_on.isoformat() if m.start_on else None,
            "end_on": m.end_on.isoformat() if m.end_on else None}


def _fields(raw: Any, creating: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in sorted(unknown)})
    out: dict[str, Any] = {}
    if creating or "kind" in raw:
        out["kind"] = require_choice(raw.get("kind"), "kind", KINDS)
    for name, limit in (("name", 100), ("unit", 200)):
        if creating or name in raw:
            out[name] = require_text(raw.get(name), name, limit)
    if "post" in raw:
        out["post"] = require_text(raw["post"], "post", 100, required=False)
    if "gender" in raw:
        out["gender"] = None if raw["gender"] is None else require_choice(raw["gender"], "gender", ("f", "m"))
    for name in ("start_on", "end_on"):
        if name in raw:
            out[name] = parse_date(raw[name], name, required=False)
    return out


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise InvalidRequest.one("end_on", "must not be before start_on", "不能早于起始日期")


def _party_election(s: Session, actor: Actor, election_id: Any, for_update: bool = True) -> Election:
    return get_election(s, actor, election_id, for_update=for_update)


def _require_party(election: Election) -> None:
    if election.body != "party":
        raise InvalidState("the roster belongs to the Party organization's election",
                           "第一书记和兼职委员名册属于社区党组织换届选举")


def _one_first_secretary(s: Session, election_id: int, own_id: int | None) -> None:
    """A community has one first secretary at a time (N2(1): 选派…担任第一书记)."""
    other = s.scalar(select(RosterMember.id).where(
        RosterMember.election_id == election_id, RosterMember.kind == "first_secretary",
        RosterMember.removed_at.is_(None), RosterMember.id != (own_id or -1)))
    if other is not None:
        raise Duplicate("this community already has a first secretary on its roster", "该社区名册中已有第一书记")


def list_roster(uow: UnitOfWork, actor: Actor, election_id: Any) -> list[dict[str, Any]]:
    """Return an election's roster (removed entries are kept in the history, not listed)."""
    s = uow.session
    election = get_election(s, actor, election_id)
    return roster_of(s, election.id)


def roster_of(s: Session, election_id: int) -> list[dict[str, Any]]:
    """Return the current roster of an election, first secretary first."""
    rows = s.scalars(select(RosterMember).where(RosterMember.election_id == election_id,
                                                RosterMember.removed_at.is_(None))
                     .order_by(RosterMember.kind, RosterMember.id))
    return [roster_dict(m) for m in rows]


def add_roster_member(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> RosterMember:
    """Put a first secretary or a part-time member on the roster beside a Party election."""
    s = uow.session
    election = _party_election(s, actor, election_id)
    fields = _fields(raw, creating=True)
    _check_dates(fields.get("start_on"), fields.get("end_on"))
    require(may_edit_election(actor))
    _require_party(election)
    if fields["kind"] == "first_secretary":
        _one_first_secretary(s, election.id, None)
    member = RosterMember(election_id=election.id, created_at=now(), **fields)
    s.add(member)
    s.flush()
    audit(s, actor, "roster_added", election=election, data=roster_dict(member))
    return member


def _load(s: Session, actor: Actor, member_id: Any, for_update: bool = True) -> tuple[RosterMember, Election]:
    try:
        member = s.get(RosterMember, int(member_id))
    except (TypeError, ValueError):
        member = None
    if member is None or member.removed_at is not None:
        raise NotFound()
    return member, _party_election(s, actor, member.election_id, for_update)


def find_roster_member(uow: UnitOfWork, actor: Actor, member_id: Any) -> dict[str, Any]:
    """Return a roster entry the caller may see, or raise NotFound."""
    return roster_dict(_load(uow.session, actor, member_id, for_update=False)[0])


def update_roster_member(uow: UnitOfWork, actor: Actor, member_id: Any, raw: Any) -> RosterMember:
    """Change a roster entry (e.g. the date a first secretary left)."""
    s = uow.session
    member, election = _load(s, actor, member_id)
    fields = _fields(raw, creating=False)
    _check_dates(fields.get("start_on", member.start_on), fields.get("end_on", member.end_on))
    require(may_edit_election(actor))
    if fields.get("kind") == "first_secretary" and member.kind != "first_secretary":
        _one_first_secretary(s, election.id, member.id)
    before = roster_dict(member)
    for k, v in fields.items():
        setattr(member, k, v)
    s.flush()
    after = roster_dict(member)
    audit(s, actor, "roster_updated", election=election,
          data={"member": member.id, "changes": {k: [before[k], after[k]] for k in after if before[k] != after[k]}})
    return member


def remove_roster_member(uow: UnitOfWork, actor: Actor, member_id: Any, reason: Any) -> RosterMember:
    """Take an entry off the roster (entered by mistake); the history keeps it and the reason."""
    s = uow.session
    member, election = _load(s, actor, member_id)
    note = require_text(reason, "reason", 2000)
    require(may_edit_election(actor))
    member.removed_at = now()
    s.flush()
    audit(s, actor, "roster_removed", election=election, note=note, data=roster_dict(member))
    return member

"""Escalation rungs (三包三保) and who they reach: each rung a row with a unique key, raised exactly once.

Who a rung reaches (domain.md §6): level 1 the community's contact (the responsible street cadre), level 2 the
street's contact (the county leader), level 3 the county's contact (the city leader). The first and direct
responsible persons of the community's street, county and city are copied. Complaints additionally copy the
inspectors (纪检监察) whose scope contains the community, since they resolve complaints (N3(4)).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import Session

from ..auth import Actor
from ..clock import now
from ..db import UnitOfWork
from ..errors import InvalidRequest
from ..models import Community, Escalation, Region, Responsibility, User
from .common import community_scope, get_election, get_region, level_column
from .notifications import notify

LEVEL_TARGET = {1: "community", 2: "street", 3: "county"}
KINDS = ("election", "complaint", "dossier", "incident", "objection")


def chain(s: Session, community: Community, kind: str = "election") -> dict[str, Any]:
    """Return the community's responsible persons: contact per level and the copied first/direct persons."""
    street = s.get(Region, community.street_id)
    codes = {"community": community.code, "street": street.code if street else None}
    county = s.get(Region, community.county_id) if community.county_id else None
    city = s.get(Region, community.city_id) if community.city_id else None
    codes["county"], codes["city"] = (county.code if county else None), (city.code if city else None)
    wanted = [c for c in codes.values() if c]
    rows = s.execute(select(Responsibility.target_code, Responsibility.kind, User.id, User.username)
                     .join(User, User.id == Responsibility.user_id)
                     .where(Responsibility.target_code.in_(wanted), User.active.is_(True))).all()
    by = {(code, kind_): (uid, name) for code, kind_, uid, name in rows}
    contacts = {level: by.get((codes[level], "contact")) for level in ("community", "street", "county")}
    copied = {by[(codes[level], k)] for level in ("street", "county", "city") for k in ("first", "direct")
              if (codes[level], k) in by}
    if kind == "complaint":
        scopes = [community.street_id, community.county_id, community.city_id, community.province_id]
        copied.update((uid, name) for uid, name in s.execute(select(User.id, User.username).where(
            User.role == "inspector", User.active.is_(True), User.scope_id.in_(scopes))))
    return {"contacts": contacts, "copied": sorted(copied, key=lambda p: p[1])}


def raise_rung(s: Session, *, kind: str, subject_id: int, election_id: Optional[int], community: Community,
               state: str, due_on: dt.date, level: int, subject_text: str, link: Optional[str] = None,
               people: Optional[dict[str, Any]] = None) -> Optional[Escalation]:
    """Insert a rung unless its key exists; notify the responsible person and copy first/direct persons."""
    exists = s.scalar(select(Escalation.id).where(
        Escalation.kind == kind, Escalation.subject_id == subject_id, Escalation.state == state,
        Escalation.due_on == due_on, Escalation.level == level))
    if exists is not None:
        return None
    people = people or chain(s, community, kind)
    target = people["contacts"].get(LEVEL_TARGET[level])
    copied = [p for p in people["copied"] if p != target]
    row = Escalation(kind=kind, subject_id=subject_id, election_id=election_id, community_id=community.id,
                     state=state, due_on=due_on, level=level, raised_at=now(),
                     notified_user_id=target[0] if target else None, copied=[p[1] for p in copied])
    with s.begin_nested():
        s.add(row)
        s.flush()
    notify(s, [p[0] for p in ([target] if target else []) + copied], subject_text,
           f"{community.name}（{community.code}）", link)
    return row


def escalation_dict(row: Escalation, community_code: str, notified: Optional[str]) -> dict[str, Any]:
    """Return a rung as api.md shows it."""
    return {"id": row.id, "kind": row.kind, "election": row.election_id, "subject": row.subject_id,
            "community": community_code, "state": row.state, "level": row.level,
            "due": row.due_on.isoformat() if row.due_on else None,
            "raised_at": row.raised_at.isoformat() if row.raised_at else None,
            "notified": notified, "copied": list(row.copied or []),
            "closed_at": row.closed_at.isoformat() if row.closed_at else None}


def _query(conds: list[Any]) -> Any:
    return (select(Escalation, Community.code, User.username).join(Community, Community.id == Escalation.community_id)
            .outerjoin(User, User.id == Escalation.notified_user_id).where(*conds))


def list_escalations(uow: UnitOfWork, actor: Actor, open_only: Optional[bool] = None, region: Optional[str] = None,
                     kind: Optional[str] = None, level: Any = None, mine: bool = False, page: int = 1,
                     per_page: int = 50) -> dict[str, Any]:
    """List rungs in the caller's scope, newest first; filters open, region, kind, level and 'mine' run in SQL."""
    s = uow.session
    conds: list[Any] = [community_scope(actor)]
    if open_only is True:
        conds.append(Escalation.closed_at.is_(None))
    elif open_only is False:
        conds.append(Escalation.closed_at.is_not(None))
    if region:
        r = get_region(s, actor, region)
        conds.append(level_column(r.level) == r.id)
    if kind:
        if kind not in KINDS:
            raise InvalidRequest.one("kind", f"must be one of {', '.join(KINDS)}", "类型无效")
        conds.append(Escalation.kind == kind)
    if level not in (None, ""):
        if str(level) not in ("1", "2", "3"):
            raise InvalidRequest.one("level", "must be 1, 2 or 3", "级别必须是1、2或3")
        conds.append(Escalation.level == int(level))
    if mine:
        conds.append(or_(Escalation.notified_user_id == (actor.user_id or -1),
                         cast(Escalation.copied, Text).contains(f'"{actor.username}"', autoescape=True)))
    total = s.scalar(select(func.count()).select_from(Escalation).join(Community, Community.id == Escalation.community_id)
                     .where(*conds)) or 0
    rows = s.execute(_query(conds).order_by(Escalation.raised_at.desc(), Escalation.id.desc())
                     .offset((page - 1) * per_page).limit(per_page)).all()
    return {"items": [escalation_dict(r, code, name) for r, code, name in rows], "total": total, "page": page,
            "per_page": per_page}


def escalations_for_election(uow: UnitOfWork, actor: Actor, election_id: Any) -> list[dict[str, Any]]:
    """Return every rung of an election and of its complaints (open first, then newest), for its page."""
    s = uow.session
    e = get_election(s, actor, election_id)
    rows = s.execute(_query([Escalation.election_id == e.id]).order_by(
        Escalation.closed_at.is_not(None), Escalation.raised_at.desc(), Escalation.level.desc())).all()
    return [escalation_dict(r, code, name) for r, code, name in rows]

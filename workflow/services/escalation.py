"""Escalation rungs (三包三保) and who they reach: each rung a row with a unique key, raised exactly once."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import now
from ..models import Community, Escalation, Notification, Region, Responsibility, User

LEVEL_TARGET = {1: "community", 2: "street", 3: "county"}


def chain(s: Session, community: Community) -> dict[str, Any]:
    """Return the community's responsible persons: contact per level and the regions' first/direct persons."""
    street = s.get(Region, community.street_id)
    codes = {"community": community.code, "street": street.code if street else None}
    county = s.get(Region, community.county_id) if community.county_id else None
    city = s.get(Region, community.city_id) if community.city_id else None
    codes["county"], codes["city"] = (county.code if county else None), (city.code if city else None)
    wanted = [c for c in codes.values() if c]
    rows = s.execute(select(Responsibility.target_code, Responsibility.kind, User.id, User.username)
                     .join(User, User.id == Responsibility.user_id)
                     .where(Responsibility.target_code.in_(wanted))).all()
    by = {(code, kind): (uid, name) for code, kind, uid, name in rows}
    contacts = {level: by.get((codes[level], "contact")) for level in ("community", "street", "county")}
    copied = []
    for level in ("street", "county", "city"):
        for kind in ("first", "direct"):
            person = by.get((codes[level], kind))
            if person and person not in copied:
                copied.append(person)
    return {"contacts": contacts, "copied": copied}


def raise_rung(s: Session, *, kind: str, subject_id: int, election_id: Optional[int], community: Community,
               state: str, due_on: dt.date, level: int, subject_text: str, link: Optional[str] = None,
               people: Optional[dict[str, Any]] = None) -> Optional[Escalation]:
    """Insert a rung unless its key exists; notify the responsible person and copy first/direct persons."""
    exists = s.scalar(select(Escalation.id).where(
        Escalation.kind == kind, Escalation.subject_id == subject_id, Escalation.state == state,
        Escalation.due_on == due_on, Escalation.level == level))
    if exists is not None:
        return None
    people = people or chain(s, community)
    target = people["contacts"].get(LEVEL_TARGET[level])
    copied = [p for p in people["copied"] if p != target]
    row = Escalation(kind=kind, subject_id=subject_id, election_id=election_id, community_id=community.id,
                     state=state, due_on=due_on, level=level, raised_at=now(),
                     notified_user_id=target[0] if target else None, copied=[p[1] for p in copied])
    with s.begin_nested():
        s.add(row)
        s.flush()
    recipients = ([target] if target else []) + copied
    for uid, _name in recipients:
        s.add(Notification(user_id=uid, subject=subject_text, body=f"{community.name}（{community.code}）",
                           link=link, email_status="pending", created_at=now()))
    return row

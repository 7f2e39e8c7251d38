"""A fact only a supervisor may record (the street Party working committee's approval, a different number of
seats, the city's acceptance) blocks the cadre: say who must act, and let the cadre notify them (inbox)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..auth import Actor, may_edit_election, may_record_fact
from ..db import UnitOfWork
from ..errors import InvalidRequest
from ..facts import FACTS
from ..guards import GUARDS
from ..labels import BODIES, label
from ..models import Election, Notification, Region, User
from .common import audit, get_election
from .notifications import notify

#: the levels, nearest first, whose supervisors record a fact of each recorder kind
LEVELS = {"supervisor": ("county", "city", "province"), "supervisor_city": ("city", "province")}


def _recorders(s: Any, election: Election, recorder: str) -> list[User]:
    c = election.community
    scope = {"county": c.county_id, "city": c.city_id, "province": c.province_id}
    for level in LEVELS.get(recorder, ()):
        users = list(s.scalars(select(User).where(User.role == "supervisor", User.active.is_(True),
                                                  User.scope_id == scope[level]).order_by(User.username)))
        if users:
            return users
    return []


def _person(s: Any, user: User) -> dict[str, str]:
    area = s.get(Region, user.scope_id).name if user.scope_id else ""
    return {"username": user.username, "name": user.display_name or user.username, "area": area}


def who_records(uow: UnitOfWork, actor: Actor, election_id: Any) -> dict[str, list[dict[str, str]]]:
    """{fact key: the supervisors who would record it} for the facts of this election the actor may not record."""
    s = uow.session
    e = get_election(s, actor, election_id)
    out: dict[str, list[dict[str, str]]] = {}
    for key, spec in FACTS.items():
        if e.body in spec.bodies and spec.recorder != "any" and not may_record_fact(actor, key):
            out[key] = [_person(s, u) for u in _recorders(s, e, spec.recorder)]
    return out


#: supervisor facts that are no guard of their own (their guard reads them among other things)
OTHER_FACTS = {"seats_exception_approved": ("上级党组织已批准不同的委员职数", "The superior approved another number of seats")}


def fact_text(key: str, lang: str) -> str:
    """The fact's condition text (its guard's) in a language, for the message."""
    g = GUARDS.get(key)
    if g is not None:
        return g.condition(lang)
    zh, en = OTHER_FACTS.get(key, (key, key))
    return en if lang == "en" else zh


def request_fact(uow: UnitOfWork, actor: Actor, election_id: Any, key: str) -> list[dict[str, str]]:
    """Notify the supervisors who record `key` that this election waits for it; return who was notified.
    A supervisor who still has the same request unread is not notified twice."""
    s = uow.session
    e = get_election(s, actor, election_id)
    spec = FACTS.get(key)
    if spec is None or e.body not in spec.bodies or spec.recorder == "any":
        raise InvalidRequest.one("key", "not a fact a supervisor records", "不是由督导记录的事项")
    if not may_edit_election(actor) or may_record_fact(actor, key):
        raise InvalidRequest.one("key", "you may record this yourself", "您可以自己记录此项")
    link = f"/elections/{e.id}#fact-{key}"
    people = _recorders(s, e, spec.recorder)
    waiting = set(s.scalars(select(Notification.user_id).where(Notification.link == link,
                                                               Notification.read_at.is_(None))))
    sent = []
    for user in people:
        if user.id in waiting:
            sent.append(_person(s, user))
            continue
        lang = "en" if (user.language or "zh").startswith("en") else "zh"
        where = f"{e.community.name} · {label(BODIES, e.body, lang)}"
        subject = (f"Please record: {fact_text(key, lang)} ({where})" if lang == "en" else
                   f"请记录：{fact_text(key, lang)}（{where}）")
        body = (f"{actor.username} is waiting for this record to take the next step." if lang == "en" else
                f"{actor.username}正等待此项记录以进行下一步。")
        notify(s, [user.id], subject, body, link)
        sent.append(_person(s, user))
    audit(s, actor, "fact_requested", election=e, data={"key": key, "notified": [p["username"] for p in sent]})
    return sent

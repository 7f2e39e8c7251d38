"""Read models for the API and the UI: an election with its evaluated transitions, history, lists."""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import guards as G
from ..auth import Actor, may_fire
from ..clock import today
from ..db import UnitOfWork
from ..errors import InvalidRequest
from ..labels import STATES, TRIGGERS, label
from ..machines import DEFINITIONS
from ..machines.base import LEAVING
from ..models import (AuditEvent, Campaign, Certificate, Community, Complaint, Election, Region, Round,
                      User)
from .common import community_scope, get_community, get_election, get_region, level_column
from ..citations import cite_text
from .complaints import complaint_dict
from .election_data import candidate_dict, round_dict, vacant_seats_of
from .elections import available, other_election, snapshot
from .people import community_people, posts_of
from .roster import roster_of

FORBIDDEN_UNMET = {"code": "forbidden", "zh": "您的角色无权进行此操作", "en": "Your role may not do this"}


def is_overdue(election: Election, day: Any = None) -> bool:
    """An election is overdue once its current due date has passed (closed never is)."""
    day = day or today()
    return election.state != "closed" and election.due_on is not None and election.due_on < day


def transitions_for(actor: Actor, election: Election, ctx: G.GuardContext, lang: str) -> list[dict[str, Any]]:
    """Evaluate every trigger offered from the current state for this caller."""
    out = []
    for t in available(election.body, ctx, election):
        name = t["trigger"]
        unmet = [u.as_dict(lang) for u in G.unmet(DEFINITIONS[election.body].guards(name), ctx)]
        if not may_fire(actor, name):
            unmet.insert(0, {"code": "forbidden", "message": FORBIDDEN_UNMET["en" if lang.startswith("en") else "zh"],
                             "source": ""})
        out.append({"trigger": name, "label": label(TRIGGERS, name, lang), "dest": t["dest"],
                    "allowed": not unmet, "unmet": unmet, "note_required": name == "suspend"})
    return out


def checklist(election: Election, ctx: G.GuardContext, lang: str) -> list[dict[str, Any]]:
    """The guards of the step that leaves the current state, each held or not (None = not applicable)."""
    state = election.suspended_from if election.state == "suspended" else election.state
    trig = LEAVING.get(state or "")
    if not trig:
        return []
    # "message" is the condition (a ✓ or ✗ stands beside it); "unmet" is what a refusal would say
    return [{"code": g.code, "ok": ok, "message": g.condition(lang), "unmet": None if ok else g.text(False, lang),
             "source": g.source, "citation": cite_text(g.source, lang)}
            for g, ok in G.evaluate(DEFINITIONS[election.body].guards(trig), ctx) if ok is not None]


def describe_election(uow: UnitOfWork, actor: Actor, election_id: Any, lang: str = "zh") -> dict[str, Any]:
    """Return an election as api.md shows it, with transitions evaluated for the caller."""
    s = uow.session
    e = get_election(s, actor, election_id)
    ctx = snapshot(s, e)
    certs = {c.candidate_id: c.serial for c in s.scalars(select(Certificate).where(
        Certificate.election_id == e.id, Certificate.revoked_at.is_(None)))}
    rounds = s.scalars(select(Round).where(Round.election_id == e.id).order_by(Round.id))
    complaints = s.scalars(select(Complaint).where(Complaint.election_id == e.id).order_by(Complaint.id))
    other = other_election(s, e)
    advisories: list[dict[str, str]] = []
    if other is not None:
        advisories = [u.as_dict(lang) for u in G.advisories(ctx, snapshot(s, other, with_other=False))]
    from ..models import Candidate
    candidates = list(s.scalars(select(Candidate).where(Candidate.election_id == e.id).order_by(Candidate.id)))
    from .reviews import reviews_for
    reviews = reviews_for(s, actor, e, candidates)
    return {
        "id": e.id, "campaign": e.campaign.code, "community": e.community.code,
        "community_name": e.community.name, "body": e.body, "state": e.state,
        "state_label": label(STATES, e.state, lang), "version": e.version,
        "due": e.due_on.isoformat() if e.due_on else None, "overdue": is_overdue(e),
        "suspended_from": e.suspended_from, "review_on": e.review_on.isoformat() if e.review_on else None,
        "village_law": e.village_law, "round_permit": e.round_permit, "order": ctx.order,
        "key_difficult": e.community.key_difficult,
        "seats": e.seats or {}, "open_seats": ctx.open_seats(), "facts": dict(ctx.facts),
        "vacant_seats": vacant_seats_of(s, e, ctx),
        "candidates": [_with(candidate_dict(c, certs.get(c.id)), reviews.get(c.id)) for c in candidates],
        "posts": posts_of(candidates) if e.body == "party" else None,
        "roster": roster_of(s, e.id) if e.body == "party" else [],
        "people": next(iter(community_people(s, e.community_id, e.campaign_id)), None),
        "rounds": [round_dict(r) for r in rounds],
        "complaints": [complaint_dict(c) for c in complaints],
        "other_election": {"id": other.id, "body": other.body, "state": other.state} if other else None,
        "checklist": checklist(e, ctx, lang),
        "advisories": advisories,
        "transitions": transitions_for(actor, e, ctx, lang),
    }


def _with(data: dict[str, Any], review: Optional[dict[str, Any]]) -> dict[str, Any]:
    return {**data, "review": review} if review is not None else data


def history(uow: UnitOfWork, actor: Actor, election_id: Any) -> list[dict[str, Any]]:
    """Return every audit event of an election, oldest first."""
    s = uow.session
    e = get_election(s, actor, election_id)
    rows = s.scalars(select(AuditEvent).where(AuditEvent.election_id == e.id).order_by(AuditEvent.id))
    from .reviews import redact_history
    return redact_history(actor, [
        {"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action, "from": r.from_state,
         "to": r.to_state, "trigger": r.trigger, "note": r.note, "data": r.data, "hash": r.hash} for r in rows])


def page_args(page: Any = 1, per_page: Any = 50) -> tuple[int, int]:
    """Check ?page and ?per_page (max 500)."""
    try:
        p, k = int(page or 1), int(per_page or 50)
    except (TypeError, ValueError):
        raise InvalidRequest.one("page", "page and per_page must be integers", "page 和 per_page 必须是整数") from None
    if p < 1 or not 1 <= k <= 500:
        raise InvalidRequest.one("per_page", "page >= 1 and 1 <= per_page <= 500", "page ≥ 1，per_page 在1到500之间")
    return p, k


def list_communities(uow: UnitOfWork, actor: Actor, region: Optional[str] = None, state: Optional[str] = None,
                     overdue: bool = False, key: bool = False, q: Optional[str] = None, page: int = 1,
                     per_page: int = 50, campaign: Optional[str] = None) -> dict[str, Any]:
    """List communities in scope with their elections; filters run in SQL, two queries per page."""
    s = uow.session
    conds = [community_scope(actor)]
    if region:
        r = get_region(s, actor, region)
        column = level_column(r.level)
        conds.append(column == r.id)
    if key:
        conds.append(Community.key_difficult.is_(True))
    if q:
        like = f"%{q.strip()}%"
        conds.append(or_(Community.name.like(like), Community.code.like(like)))
    election_conds = []
    if campaign:
        camp = s.scalars(select(Campaign).where(Campaign.code == campaign)).first()
        election_conds.append(Election.campaign_id == (camp.id if camp else -1))
    if state:
        if state not in STATES:
            raise InvalidRequest.one("state", "is not a state", "不是有效的阶段")
        election_conds.append(Election.state == state)
    if overdue:
        election_conds.append(and_(Election.due_on < today(), Election.state != "closed"))
    if election_conds and (state or overdue):
        conds.append(select(Election.id).where(Election.community_id == Community.id, *election_conds).exists())
    total = s.scalar(select(func.count()).select_from(Community).where(*conds)) or 0
    rows = list(s.scalars(select(Community).where(*conds).order_by(Community.code)
                          .offset((page - 1) * per_page).limit(per_page)))
    ids = [c.id for c in rows]
    by_comm: dict[int, list[Election]] = {i: [] for i in ids}
    if ids:
        econds = [Election.community_id.in_(ids)]
        if campaign:
            econds += election_conds[:1]
        for e in s.scalars(select(Election).where(*econds).order_by(Election.campaign_id.desc(), Election.body)):
            by_comm[e.community_id].append(e)
    day = today()
    streets = {r.id: r for r in s.scalars(select(Region).where(Region.id.in_({c.street_id for c in rows})))} if rows else {}
    items = [{"code": c.code, "name": c.name, "street": streets[c.street_id].code if c.street_id in streets else None,
              "street_name": streets[c.street_id].name if c.street_id in streets else None,
              "key_difficult": c.key_difficult,
              "elections": [{"id": e.id, "body": e.body, "state": e.state, "overdue": is_overdue(e, day),
                             "due": e.due_on.isoformat() if e.due_on else None, "campaign_id": e.campaign_id,
                             "version": e.version} for e in by_comm[c.id]]} for c in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def community_detail(uow: UnitOfWork, actor: Actor, code: Any, campaign: Optional[str] = None) -> dict[str, Any]:
    """Return a community with its elections (of one campaign, or all)."""
    s = uow.session
    c = get_community(s, actor, code)
    stmt = select(Election, Campaign.code).join(Campaign).where(Election.community_id == c.id)
    if campaign:
        stmt = stmt.where(Campaign.code == campaign)
    day = today()
    street = s.get(Region, c.street_id)
    return {"code": c.code, "name": c.name, "street": street.code if street else None,
            "households": c.households, "voters": c.voters, "party_org_type": c.party_org_type,
            "party_members": c.party_members, "urban_rural_fringe": c.urban_rural_fringe,
            "village_converted": c.village_converted, "collective_reform_done": c.collective_reform_done,
            "migrant_dense": c.migrant_dense, "new_residential": c.new_residential, "other_risk": c.other_risk,
            "key_difficult": c.key_difficult,
            "people": community_people(s, c.id, s.scalar(select(Campaign.id).where(Campaign.code == campaign)) or -1
                                       if campaign else None),
            "elections": [{"id": e.id, "campaign": code_, "body": e.body, "state": e.state,
                           "overdue": is_overdue(e, day), "due": e.due_on.isoformat() if e.due_on else None,
                           "version": e.version}
                          for e, code_ in s.execute(stmt.order_by(Election.id))]}


def region_detail(uow: UnitOfWork, actor: Actor, code: Any) -> dict[str, Any]:
    """Return a region with its children's codes."""
    s = uow.session
    r = get_region(s, actor, code)
    children = list(s.scalars(select(Region.code).where(Region.parent_id == r.id).order_by(Region.code)))
    parent = s.get(Region, r.parent_id) if r.parent_id else None
    return {"code": r.code, "name": r.name, "level": r.level, "parent": parent.code if parent else None,
            "children": children, "longitude": r.longitude, "latitude": r.latitude}


def actor_for(s: Session, user: User) -> Actor:
    """Build the actor of a user (scope level read from its region)."""
    level = None
    if user.scope_id is not None:
        region = s.get(Region, user.scope_id)
        level = region.level if region else None
    return Actor(user.id, user.username, user.role, user.scope_id, level, user.language or "zh")

"""Set-based read queries of the supervision dashboard (GROUP BY in SQL, national scale).

The "stuck" list is assembled from :data:`STUCK_SOURCES`; another feature (escalations, dossiers)
adds its own source with :func:`register_stuck_source` and it appears as a filter and a section.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from workflow.auth import Actor
from workflow.models import Community, Complaint, Election, Region
from workflow.services.common import community_scope, level_column, region_in_scope, region_scope

CHILD_LEVEL = {"province": "city", "city": "county", "county": "street"}


def _overdue(day: dt.date) -> Any:
    return case((and_(Election.due_on.is_not(None), Election.due_on < day, Election.state != "closed"), 1), else_=0)


def _election_conds(actor: Actor, campaign_id: int, region: Region, body: Optional[str]) -> list[Any]:
    conds = [Election.campaign_id == campaign_id, level_column(region.level) == region.id, community_scope(actor)]
    if body:
        conds.append(Election.body == body)
    return conds


def region_totals(s: Session, actor: Actor, campaign_id: int, region: Region, body: Optional[str],
                  day: dt.date, children: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
    """Count a region's elections per state, overdue, and its communities (summed from its parts when given)."""
    if children:
        summed: dict[str, int] = {}
        for child in children:
            for state, n in child["states"].items():
                summed[state] = summed.get(state, 0) + n
        return {"states": summed, "total": sum(summed.values()), "closed": summed.get("closed", 0),
                "overdue": sum(c["overdue"] for c in children), "suspended": summed.get("suspended", 0),
                "communities": sum(c["communities"] for c in children)}
    rows = s.execute(select(Election.state, func.count(), func.sum(_overdue(day))).join(
        Community, Community.id == Election.community_id).where(
        *_election_conds(actor, campaign_id, region, body)).group_by(Election.state)).all()
    states = {state: n for state, n, _late in rows}
    communities = s.scalar(select(func.count()).select_from(Community).where(
        level_column(region.level) == region.id, community_scope(actor))) or 0
    return {"states": states, "total": sum(states.values()), "closed": states.get("closed", 0),
            "overdue": sum(int(late or 0) for _s, _n, late in rows), "suspended": states.get("suspended", 0),
            "communities": communities}


def child_counts(s: Session, actor: Actor, campaign_id: int, region: Region, body: Optional[str],
                 day: dt.date) -> list[dict[str, Any]]:
    """Per child region: elections per state, overdue, communities (GROUP BY child, state)."""
    level = CHILD_LEVEL.get(region.level)
    if level is None:
        return []
    child = level_column(level)
    counts = s.execute(select(child, Election.state, func.count(), func.sum(_overdue(day))).join(
        Community, Community.id == Election.community_id).where(
        *_election_conds(actor, campaign_id, region, body)).group_by(child, Election.state)).all()
    communities = dict(s.execute(select(child, func.count()).where(
        level_column(region.level) == region.id, community_scope(actor)).group_by(child)).all())
    children = s.scalars(select(Region).where(Region.parent_id == region.id, region_scope(actor))
                         .order_by(Region.code)).all()
    out = {r.id: {"code": r.code, "name": r.name, "level": r.level, "states": {}, "total": 0, "overdue": 0,
                  "communities": communities.get(r.id, 0)} for r in children}
    for rid, state, n, late in counts:
        if rid in out:
            out[rid]["states"][state] = n
            out[rid]["total"] += n
            out[rid]["overdue"] += int(late or 0)
    for row in out.values():
        row["closed"] = row["states"].get("closed", 0)
        row["suspended"] = row["states"].get("suspended", 0)
    return list(out.values())


def breadcrumb(s: Session, actor: Actor, region: Region) -> list[Region]:
    """The region's ancestors the user may see, top first, the region last."""
    chain = [region]
    parent_id = region.parent_id
    while parent_id is not None:
        parent = s.get(Region, parent_id)
        if parent is None or not region_in_scope(actor, parent):
            break
        chain.append(parent)
        parent_id = parent.parent_id
    return list(reversed(chain))


@dataclass(frozen=True)
class StuckQuery:
    """What the stuck list is asked for."""

    actor: Actor
    campaign_id: int
    region: Region
    body: Optional[str]
    day: dt.date
    limit: int
    offset: int = 0
    #: totals the page already knows (e.g. {"overdue": n}): a source may use them instead of counting again
    known: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StuckSource:
    """One kind of stuck item: a key (the filter value), a label and a query returning (items, total)."""

    key: str
    label: Any
    fetch: Callable[[Session, StuckQuery], tuple[list[dict[str, Any]], int]]


STUCK_SOURCES: list[StuckSource] = []


def register_stuck_source(source: StuckSource) -> None:
    """Add (or replace) a kind of stuck item, e.g. open escalations or dossiers."""
    STUCK_SOURCES[:] = [s for s in STUCK_SOURCES if s.key != source.key] + [source]


def _base(q: StuckQuery) -> Any:
    return (select(Election, Community.code, Community.name, Region.name)
            .join(Community, Community.id == Election.community_id)
            .join(Region, Region.id == Community.street_id)
            .where(*_election_conds(q.actor, q.campaign_id, q.region, q.body)))


def _items(s: Session, stmt: Any, kind: str, q: StuckQuery, days: Callable[[Election], int]) -> list[dict[str, Any]]:
    out = []
    for e, code, name, street in s.execute(stmt.offset(q.offset).limit(q.limit)):
        out.append({"kind": kind, "election_id": e.id, "body": e.body, "state": e.state, "community": code,
                    "community_name": name, "street_name": street, "due": e.due_on, "days": days(e),
                    "review_on": e.review_on, "suspended_from": e.suspended_from})
    return out


def _count(s: Session, q: StuckQuery, *conds: Any, complaints: bool = False) -> int:
    """Count the matching elections (or their complaints) without the joins only the listed items need."""
    stmt = select(func.count()).select_from(Complaint if complaints else Election)
    if complaints:
        stmt = stmt.join(Election, Election.id == Complaint.election_id)
    stmt = stmt.join(Community, Community.id == Election.community_id)
    return s.scalar(stmt.where(*_election_conds(q.actor, q.campaign_id, q.region, q.body), *conds)) or 0


def stuck_overdue(s: Session, q: StuckQuery) -> tuple[list[dict[str, Any]], int]:
    """Elections past their due date, most days overdue first."""
    conds = (Election.due_on < q.day, Election.state != "closed")
    items = _items(s, _base(q).where(*conds).order_by(Election.due_on, Community.code, Election.body), "overdue", q,
                   lambda e: (q.day - e.due_on).days)
    return items, _count(s, q, *conds)


def stuck_suspended(s: Session, q: StuckQuery) -> tuple[list[dict[str, Any]], int]:
    """Suspended elections, earliest review date first."""
    conds = (Election.state == "suspended",)
    items = _items(s, _base(q).where(*conds).order_by(Election.review_on, Community.code), "suspended", q,
                   lambda e: max(0, (q.day - e.review_on).days) if e.review_on else 0)
    return items, _count(s, q, *conds)


def stuck_complaints(s: Session, q: StuckQuery) -> tuple[list[dict[str, Any]], int]:
    """Open complaints, earliest deadline first."""
    stmt = (select(Complaint, Election, Community.code, Community.name, Region.name)
            .join(Election, Election.id == Complaint.election_id)
            .join(Community, Community.id == Election.community_id)
            .join(Region, Region.id == Community.street_id)
            .where(*_election_conds(q.actor, q.campaign_id, q.region, q.body), Complaint.resolved_at.is_(None)))
    out = []
    for c, e, code, name, street in s.execute(stmt.order_by(Complaint.due_on, Complaint.id)
                                               .offset(q.offset).limit(q.limit)):
        out.append({"kind": "complaints", "election_id": e.id, "body": e.body, "state": e.state, "community": code,
                    "community_name": name, "street_name": street, "due": c.due_on,
                    "days": max(0, (q.day - c.due_on).days), "category": c.category})
    return out, _count(s, q, Complaint.resolved_at.is_(None), complaints=True)


def stuck_key(s: Session, q: StuckQuery) -> tuple[list[dict[str, Any]], int]:
    """Key/difficult communities whose elections are not finished."""
    conds = (Community.key_difficult.is_(True), Election.state != "closed")
    items = _items(s, _base(q).where(*conds).order_by(Community.code, Election.body), "key", q,
                   lambda e: max(0, (q.day - e.due_on).days) if e.due_on else 0)
    return items, _count(s, q, *conds)


for _src in (StuckSource("overdue", _l("Overdue"), stuck_overdue),
             StuckSource("suspended", _l("Suspended"), stuck_suspended),
             StuckSource("complaints", _l("Open complaints"), stuck_complaints),
             StuckSource("key", _l("Key/difficult communities"), stuck_key)):
    register_stuck_source(_src)

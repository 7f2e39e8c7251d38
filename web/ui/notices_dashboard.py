"""The supervision dashboard's "needs attention" sources of this area: open escalations, open dossiers and
unacknowledged major-problem reports (set-based queries, paginated)."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workflow.labels import LEVELS, label
from workflow.models import Community, Dossier, Election, Escalation, Incident, Region, User
from workflow.services.common import community_scope

from .common import lang
from .queries import StuckQuery, StuckSource, level_column, register_stuck_source

KIND_TEXT = {"election": _l("overdue election"), "complaint": _l("complaint past its 30 days"),
             "dossier": _l("dossier past its time limit"), "incident": _l("report not acknowledged"),
             "objection": _l("objection to the voter roll not decided in time")}


def _where(q: StuckQuery) -> list[Any]:
    return [community_scope(q.actor), level_column(q.region.level) == q.region.id]


def _count(s: Session, stmt: Any) -> int:
    return s.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def stuck_escalations(s: Session, q: StuckQuery) -> tuple[list[dict[str, Any]], int]:
    """Open rungs, highest level and oldest due date first (elections of this campaign and body only)."""
    e = Election
    stmt = (select(Escalation, Community.code, Community.name, Region.name, e.body, User.username)
            .join(Community, Community.id == Escalation.community_id)
            .join(Region, Region.id == Community.street_id)
            .outerjoin(e, e.id == Escalation.election_id)
            .outerjoin(User, User.id == Escalation.notified_user_id)
            .where(*_where(q), Escalation.closed_at.is_(None),
                   or_(Escalation.election_id.is_(None), e.campaign_id == q.campaign_id)))
    if q.body:
        stmt = stmt.where(or_(e.body == q.body, Escalation.election_id.is_(None)))
    out = []
    for r, code, name, street, body, notified in s.execute(
            stmt.order_by(Escalation.level.desc(), Escalation.due_on, Escalation.id).offset(q.offset).limit(q.limit)):
        who = notified or _("nobody responsible")
        out.append({"kind": "escalations", "election_id": r.election_id, "body": body,
                    "state": r.state if r.kind == "election" else None, "community": code, "community_name": name,
                    "street_name": street, "due": r.due_on, "days": max(0, (q.day - r.due_on).days),
                    "detail": f"{label(LEVELS, r.level, lang())} · {KIND_TEXT[r.kind]} · {who}",
                    "link": None if r.election_id else _subject_link(r)})
    counted = (select(func.count()).select_from(Escalation).join(Community, Community.id == Escalation.community_id)
               .outerjoin(e, e.id == Escalation.election_id)  # the street and the notified user: for the items only
               .where(*_where(q), Escalation.closed_at.is_(None),
                      or_(Escalation.election_id.is_(None), e.campaign_id == q.campaign_id)))
    if q.body:
        counted = counted.where(or_(e.body == q.body, Escalation.election_id.is_(None)))
    return out, s.scalar(counted) or 0


def _subject_link(r: Escalation) -> str:
    if r.kind == "incident":
        return url_for("notices.incident", incident_id=r.subject_id)
    return url_for("notices.dossier_list", _anchor=f"dossier-{r.subject_id}")


def stuck_dossiers(s: Session, q: StuckQuery) -> tuple[list[dict[str, Any]], int]:
    """Open dossiers (建档立卡), earliest time limit first."""
    stmt = (select(Dossier, Community.code, Community.name, Region.name)
            .join(Community, Community.id == Dossier.community_id).join(Region, Region.id == Community.street_id)
            .where(*_where(q), Dossier.status == "open"))
    out = []
    for d, code, name, street in s.execute(stmt.order_by(Dossier.due_on, Dossier.id).offset(q.offset).limit(q.limit)):
        cause = _("overdue (opened by a level-3 escalation)") if d.automatic and d.cause == "overdue" else d.cause
        out.append({"kind": "dossiers", "election_id": None, "body": None, "state": None, "community": code,
                    "community_name": name, "street_name": street, "due": d.due_on,
                    "days": max(0, (q.day - d.due_on).days),
                    "detail": _("%(cause)s · time limit %(day)s", cause=cause[:60], day=d.due_on.isoformat()),
                    "link": url_for("notices.dossier_list", _anchor=f"dossier-{d.id}")})
    return out, _count(s, stmt)


def stuck_incidents(s: Session, q: StuckQuery) -> tuple[list[dict[str, Any]], int]:
    """Major-problem reports not yet acknowledged, oldest first."""
    stmt = (select(Incident, Community.code, Community.name, Region.name)
            .join(Community, Community.id == Incident.community_id).join(Region, Region.id == Community.street_id)
            .where(*_where(q), Incident.acknowledged_at.is_(None)))
    out = []
    for i, code, name, street in s.execute(stmt.order_by(Incident.ack_due_on, Incident.id)
                                           .offset(q.offset).limit(q.limit)):
        out.append({"kind": "incidents", "election_id": None, "body": None, "state": None, "community": code,
                    "community_name": name, "street_name": street, "due": i.ack_due_on,
                    "days": max(0, (q.day - i.ack_due_on).days), "detail": i.summary[:80],
                    "link": url_for("notices.incident", incident_id=i.id)})
    return out, _count(s, stmt)


for _src in (StuckSource("escalations", _l("Open escalations"), stuck_escalations),
             StuckSource("dossiers", _l("Dossiers"), stuck_dossiers),
             StuckSource("incidents", _l("Major problems"), stuck_incidents)):
    register_stuck_source(_src)

"""Major-problem reports (重大问题报告, N3(3)): they reach the county and city leaders at once and must be
acknowledged by a supervisor at county level or above within the rule set's days, or they escalate."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import func, select

from ..auth import Actor, may_report, require
from ..clock import now, today
from ..db import UnitOfWork
from ..errors import Forbidden, InvalidState, NotFound
from ..models import Campaign, Community, Election, Incident, User
from .common import audit, community_scope, get_community, get_region, level_column, require_choice, require_text
from .escalation import chain
from .notifications import notify, send_after_commit
from .sweep import close_rungs
from .sweep_sql import community_rule_set

SEVERITIES = ("major", "urgent")
SEVERITY_ZH = {"major": "重大", "urgent": "紧急"}


def incident_dict(i: Incident, community: Community, reporter: Optional[str] = None,
                  acknowledger: Optional[str] = None) -> dict[str, Any]:
    """Return an incident as the API shows it."""
    return {"id": i.id, "community": community.code, "community_name": community.name, "summary": i.summary,
            "severity": i.severity, "reported_by": reporter,
            "reported_at": i.reported_at.isoformat() if i.reported_at else None,
            "ack_due_on": i.ack_due_on.isoformat(), "acknowledged": i.acknowledged_at is not None,
            "acknowledged_by": acknowledger,
            "acknowledged_at": i.acknowledged_at.isoformat() if i.acknowledged_at else None,
            "note": i.ack_note, "open": i.acknowledged_at is None}


def report_incident(uow: UnitOfWork, actor: Actor, community_code: Any, summary: Any,
                    severity: Any) -> tuple[Incident, Community]:
    """Report a major problem on a community; the county and city leaders hear of it at once."""
    s = uow.session
    community = get_community(s, actor, community_code)
    text = require_text(summary, "summary", 4000)
    level = require_choice(severity, "severity", SEVERITIES)
    require(may_report(actor))
    rules = community_rule_set(s, community.id)
    row = Incident(community_id=community.id, summary=text or "", severity=level, reported_by=actor.user_id,
                   reported_at=now(), ack_due_on=today() + dt.timedelta(days=rules.incident_ack_days))
    s.add(row)
    s.flush()
    people = chain(s, community)
    leaders = [p for p in (people["contacts"].get("street"), people["contacts"].get("county")) if p]
    recipients = [p[0] for p in leaders + people["copied"] if p[0] != actor.user_id]
    notify(s, recipients, f"【{SEVERITY_ZH[level]}】重大问题报告：{community.name}（{community.code}）",
           f"{text}\n\n报告人：{actor.username}；请于 {row.ack_due_on.isoformat()} 前确认。",
           f"/notices/incidents/{row.id}")
    send_after_commit(uow)
    audit(s, actor, "incident_reported", community_id=community.id, data=incident_dict(row, community, actor.username))
    return row, community


def _load(uow: UnitOfWork, actor: Actor, incident_id: Any) -> tuple[Incident, Community]:
    try:
        iid = int(incident_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = uow.session.execute(select(Incident, Community).join(Community, Community.id == Incident.community_id)
                                .where(Incident.id == iid, community_scope(actor))).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


def acknowledge_incident(uow: UnitOfWork, actor: Actor, incident_id: Any, note: Any = None) -> tuple[Incident, Community]:
    """Acknowledge an incident (supervisor at county level or above); closes its escalations."""
    s = uow.session
    incident, community = _load(uow, actor, incident_id)
    text = require_text(note, "note", 4000, required=False)
    if not actor.county_or_above:
        raise Forbidden()
    if incident.acknowledged_at is not None:
        raise InvalidState("this report is already acknowledged", "该报告已确认")
    incident.acknowledged_by, incident.acknowledged_at, incident.ack_note = actor.user_id, now(), text
    s.flush()
    close_rungs(s, "incident", incident.id)
    if incident.reported_by and incident.reported_by != actor.user_id:
        notify(s, [incident.reported_by], f"重大问题报告已确认：{community.name}", text or "",
               f"/notices/incidents/{incident.id}")
        send_after_commit(uow)
    audit(s, actor, "incident_acknowledged", community_id=community.id, note=text,
          data={"incident": incident.id})
    return incident, community


def _names(uow: UnitOfWork, *ids: Optional[int]) -> dict[int, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {uid: name for uid, name in uow.session.execute(select(User.id, User.username).where(User.id.in_(wanted)))}


def get_incident(uow: UnitOfWork, actor: Actor, incident_id: Any) -> dict[str, Any]:
    """Return one incident with the community's current elections (a supervisor may suspend them from it)."""
    i, c = _load(uow, actor, incident_id)
    names = _names(uow, i.reported_by, i.acknowledged_by)
    out = incident_dict(i, c, names.get(i.reported_by or 0), names.get(i.acknowledged_by or 0))
    latest = uow.session.scalar(select(func.max(Election.campaign_id)).where(Election.community_id == c.id))
    rows = uow.session.execute(select(Election, Campaign.code).join(Campaign).where(
        Election.community_id == c.id, Election.campaign_id == (latest or -1)).order_by(Election.body))
    out["elections"] = [{"id": e.id, "campaign": code, "body": e.body, "state": e.state, "version": e.version}
                        for e, code in rows]
    return out


def list_incidents(uow: UnitOfWork, actor: Actor, open_only: Optional[bool] = None, region: Optional[str] = None,
                   page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """List incidents in the caller's scope (unacknowledged first, newest first)."""
    s = uow.session
    conds: list[Any] = [community_scope(actor)]
    if open_only is True:
        conds.append(Incident.acknowledged_at.is_(None))
    elif open_only is False:
        conds.append(Incident.acknowledged_at.is_not(None))
    if region:
        r = get_region(s, actor, region)
        conds.append(level_column(r.level) == r.id)
    base = select(Incident, Community).join(Community, Community.id == Incident.community_id).where(*conds)
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = s.execute(base.order_by(Incident.acknowledged_at.is_not(None), Incident.id.desc())
                     .offset((page - 1) * per_page).limit(per_page)).all()
    names = _names(uow, *[i.reported_by for i, _ in rows], *[i.acknowledged_by for i, _ in rows])
    return {"items": [incident_dict(i, c, names.get(i.reported_by or 0), names.get(i.acknowledged_by or 0))
                      for i, c in rows], "total": total, "page": page, "per_page": per_page}

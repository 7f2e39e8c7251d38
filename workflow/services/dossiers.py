"""Dossiers (建档立卡, N3(2)): opened proactively after the street's survey, or by a level-3 escalation."""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import func, select, update

from ..auth import Actor, may_report, require
from ..clock import now
from ..db import UnitOfWork
from ..errors import InvalidRequest, NotFound
from ..models import Community, Dossier, Escalation
from .common import (audit, community_scope, get_community, get_region, level_column, parse_date,
                     require_choice, require_text)
from .sweep import close_rungs

STATUSES = ("open", "resolved")
PATCH_FIELDS = ("status", "note", "due_on", "stationed_cadre", "cause")


def dossier_dict(d: Dossier, community: Optional[Community] = None) -> dict[str, Any]:
    """Return a dossier as the API shows it."""
    return {"id": d.id, "community": community.code if community else None,
            "community_name": community.name if community else None, "cause": d.cause,
            "due_on": d.due_on.isoformat(), "stationed_cadre": d.stationed_cadre, "status": d.status,
            "note": d.note, "automatic": d.automatic,
            "opened_at": d.opened_at.isoformat() if d.opened_at else None,
            "closed_at": d.closed_at.isoformat() if d.closed_at else None}


def open_dossier(uow: UnitOfWork, actor: Actor, community_code: Any, cause: Any, due_on: Any,
                 stationed_cadre: Any = None) -> tuple[Dossier, Community]:
    """Open a dossier for a community that may miss the deadline (cadres and supervisors)."""
    s = uow.session
    community = get_community(s, actor, community_code)
    cause_text = require_text(cause, "cause", 2000)
    due = parse_date(due_on, "due_on")
    cadre = require_text(stationed_cadre, "stationed_cadre", 100, required=False)
    require(may_report(actor))
    assert due is not None
    row = Dossier(community_id=community.id, cause=cause_text or "", due_on=due, stationed_cadre=cadre,
                  status="open", opened_by=actor.user_id, opened_at=now(), automatic=False)
    s.add(row)
    s.flush()
    audit(s, actor, "dossier_opened", community_id=community.id, data=dossier_dict(row, community))
    return row, community


def _load(uow: UnitOfWork, actor: Actor, dossier_id: Any) -> tuple[Dossier, Community]:
    s = uow.session
    try:
        did = int(dossier_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = s.execute(select(Dossier, Community).join(Community, Community.id == Dossier.community_id)
                      .where(Dossier.id == did, community_scope(actor))).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


def get_dossier(uow: UnitOfWork, actor: Actor, dossier_id: Any) -> dict[str, Any]:
    """Return one dossier in the caller's scope."""
    d, c = _load(uow, actor, dossier_id)
    return dossier_dict(d, c)


def update_dossier(uow: UnitOfWork, actor: Actor, dossier_id: Any, changes: Any) -> tuple[Dossier, Community]:
    """Change a dossier's status, note, time limit, stationed cadre or cause; resolving closes its rungs."""
    s = uow.session
    d, community = _load(uow, actor, dossier_id)
    if not isinstance(changes, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = sorted(set(changes) - set(PATCH_FIELDS))
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in unknown})
    status = require_choice(changes["status"], "status", STATUSES) if "status" in changes else None
    note = require_text(changes.get("note"), "note", 4000, required=False) if "note" in changes else None
    due = parse_date(changes["due_on"], "due_on") if "due_on" in changes else None
    cadre = (require_text(changes["stationed_cadre"], "stationed_cadre", 100, required=False)
             if "stationed_cadre" in changes else None)
    cause = require_text(changes["cause"], "cause", 2000) if "cause" in changes else None
    require(may_report(actor))
    before = dossier_dict(d, community)
    if status is not None and status != d.status:
        d.status = status
        d.closed_at = now() if status == "resolved" else None
    if "note" in changes:
        d.note = note
    if due is not None:
        d.due_on = due
    if "stationed_cadre" in changes:
        d.stationed_cadre = cadre
    if cause is not None:
        d.cause = cause
    s.flush()
    if d.status != "open":
        close_rungs(s, "dossier", d.id)
    elif due is not None:
        _close_stale(s, d)
    audit(s, actor, "dossier_updated", community_id=community.id, note=note,
          data={"before": before, "after": dossier_dict(d, community)})
    return d, community


def _close_stale(s: Any, d: Dossier) -> None:
    """A new time limit: the rungs of the old one are closed, the new one escalates on its own."""
    s.execute(update(Escalation).where(Escalation.kind == "dossier", Escalation.subject_id == d.id,
                                       Escalation.closed_at.is_(None), Escalation.due_on != d.due_on)
              .values(closed_at=now()).execution_options(synchronize_session=False))


def list_dossiers(uow: UnitOfWork, actor: Actor, open_only: Optional[bool] = None, region: Optional[str] = None,
                  page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """List dossiers in the caller's scope (open ones first, earliest time limit first)."""
    s = uow.session
    conds: list[Any] = [community_scope(actor)]
    if open_only is True:
        conds.append(Dossier.status == "open")
    elif open_only is False:
        conds.append(Dossier.status != "open")
    if region:
        r = get_region(s, actor, region)
        conds.append(level_column(r.level) == r.id)
    base = select(Dossier, Community).join(Community, Community.id == Dossier.community_id).where(*conds)
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = s.execute(base.order_by((Dossier.status != "open"), Dossier.due_on, Dossier.id)
                     .offset((page - 1) * per_page).limit(per_page)).all()
    return {"items": [dossier_dict(d, c) for d, c in rows], "total": total, "page": page, "per_page": per_page}

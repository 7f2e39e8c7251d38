"""Periodic bulletins (情况通报, N3(3)): per region and day, progress by state, the overdue list, open complaints,
escalations, dossiers and incidents; stored so that a day's bulletin reads the same later."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any, Optional

from sqlalchemy import and_, case, func, select

from ..auth import SYSTEM, Actor
from ..clock import now, today
from ..db import UnitOfWork
from ..errors import NotFound
from ..labels import BODIES, STATES, label
from ..text import SafeCsv
from ..models import Bulletin, Campaign, Community, Complaint, Dossier, Election, Escalation, Incident, Region
from .campaign_dates import report_due as campaign_report_due
from .common import LEVEL_COLUMNS, audit, get_region, region_scope
from .integrity import daily_check, newest_digest

LIST_LIMIT = 200
ORDER = ("preparation", "nomination", "candidate_meeting", "voting", "certification", "handover", "summary",
         "suspended", "closed")
LEVEL_COLUMN = LEVEL_COLUMNS


def build_bulletin(s: Any, campaign: Campaign, region: Region, day: dt.date) -> dict[str, Any]:
    """Compute one bulletin's data in a few aggregate queries (lists capped at LIST_LIMIT rows)."""
    col = LEVEL_COLUMN[region.level]
    report_due = campaign_report_due(campaign)
    in_region = and_(Election.campaign_id == campaign.id, col == region.id)
    late = and_(Election.due_on.is_not(None), Election.due_on < day, Election.state != "closed")
    bodies: dict[str, Any] = {b: {"states": {st: 0 for st in ORDER}, "overdue": 0, "total": 0} for b in BODIES}
    for body, state, n, overdue in s.execute(
            select(Election.body, Election.state, func.count(), func.sum(case((late, 1), else_=0)))
            .join(Community).where(in_region).group_by(Election.body, Election.state)):
        bodies[body]["states"][state] = n
        bodies[body]["overdue"] += int(overdue or 0)
        bodies[body]["total"] += n
    overdue_rows = s.execute(
        select(Election.id, Election.body, Election.state, Election.due_on, Community.code, Community.name)
        .join(Community).where(in_region, late).order_by(Election.due_on, Community.code, Election.body)
        .limit(LIST_LIMIT)).all()
    overdue_total = sum(b["overdue"] for b in bodies.values())
    complaint_where = and_(Complaint.resolved_at.is_(None), col == region.id)
    open_complaints = s.execute(
        select(Complaint.id, Complaint.category, Complaint.received_on, Complaint.due_on, Community.code, Community.name)
        .join(Community, Community.id == Complaint.community_id).join(Election, Election.id == Complaint.election_id)
        .where(complaint_where, Election.campaign_id == campaign.id).order_by(Complaint.due_on).limit(LIST_LIMIT)).all()
    complaints_total, complaints_late = s.execute(
        select(func.count(), func.sum(case((Complaint.due_on < day, 1), else_=0)))
        .join(Community, Community.id == Complaint.community_id).join(Election, Election.id == Complaint.election_id)
        .where(complaint_where, Election.campaign_id == campaign.id)).one()
    rungs = {f"level_{lv}": 0 for lv in (1, 2, 3)}
    kinds: dict[str, int] = {}
    for lv, kind, n in s.execute(select(Escalation.level, Escalation.kind, func.count())
                                 .join(Community, Community.id == Escalation.community_id)
                                 .where(Escalation.closed_at.is_(None), col == region.id)
                                 .group_by(Escalation.level, Escalation.kind)):
        rungs[f"level_{lv}"] += n
        kinds[kind] = kinds.get(kind, 0) + n
    dossiers_open, dossiers_late = s.execute(
        select(func.count(), func.sum(case((Dossier.due_on < day, 1), else_=0)))
        .join(Community, Community.id == Dossier.community_id).where(Dossier.status == "open", col == region.id)).one()
    incidents_open = s.scalar(select(func.count()).select_from(Incident).join(Community, Community.id == Incident.community_id)
                              .where(Incident.acknowledged_at.is_(None), col == region.id)) or 0
    communities = s.scalar(select(func.count()).select_from(Community).where(col == region.id)) or 0
    return {
        "campaign": campaign.code, "region": region.code, "region_name": region.name, "level": region.level,
        "date": day.isoformat(), "communities": communities, "bodies": bodies,
        "overdue": {"total": overdue_total, "items": [
            {"election": eid, "body": body, "state": state, "due": due.isoformat(), "days": (day - due).days,
             "community": code, "community_name": name} for eid, body, state, due, code, name in overdue_rows]},
        "complaints": {"open": int(complaints_total or 0), "overdue": int(complaints_late or 0), "items": [
            {"id": cid, "category": cat, "received_on": rec.isoformat(), "due_on": due.isoformat(),
             "overdue": due < day, "community": code, "community_name": name}
            for cid, cat, rec, due, code, name in open_complaints]},
        "escalations": {"open": sum(rungs.values()), **rungs, "by_kind": kinds},
        "dossiers": {"open": int(dossiers_open or 0), "overdue": int(dossiers_late or 0)},
        "incidents": {"unacknowledged": int(incidents_open)},
        # the cities' report date of this campaign (its own, else summary due + 10 days; domain.md §6)
        "report_due": report_due.isoformat(), "report_days_left": (report_due - day).days,
    }


def _regions_for(s: Any, campaign: Campaign) -> list[Region]:
    """The campaign's scope region and every city and county inside it."""
    scope = campaign.scope
    col = {"province": Region.province_id, "city": Region.city_id, "county": Region.county_id}.get(scope.level)
    inner = list(s.scalars(select(Region).where(col == scope.id, Region.level.in_(("city", "county")),
                                                Region.id != scope.id).order_by(Region.code))) if col is not None else []
    return [scope, *inner]


def generate_bulletins(target: Any, day: Optional[dt.date] = None, actor: Actor = SYSTEM) -> int:
    """Write (or rewrite) today's bulletin of every launched campaign for its region, cities and counties."""
    if not hasattr(target, "session"):
        with target.uow() as uow:
            return generate_bulletins(uow, day, actor)
    s = target.session
    day = day or today()
    made = 0
    # the newest check of the history and its digest: printed in every bulletin, so that a paper copy proves later
    # tampering (domain.md §14); the scheduler's history job checks before the bulletin's hour, and only when no
    # day was ever checked does the bulletin run the check itself (the first check reads every row)
    checked = newest_digest(s) or daily_check(s, day)
    history = {key: checked[key] for key in ("date", "digest", "chains", "max_id", "rows_checked", "ok")}
    history["broken"] = len(checked["broken"])
    for campaign in s.scalars(select(Campaign).where(Campaign.launched_at.is_not(None)).order_by(Campaign.id)):
        for region in _regions_for(s, campaign):
            data = build_bulletin(s, campaign, region, day)
            data["history"] = history
            row = s.scalars(select(Bulletin).where(Bulletin.campaign_id == campaign.id, Bulletin.region_id == region.id,
                                                   Bulletin.on_date == day)).first()
            if row is None:
                s.add(Bulletin(campaign_id=campaign.id, region_id=region.id, on_date=day, data=data, created_at=now()))
            else:
                row.data, row.created_at = data, now()
            made += 1
    audit(s, actor, "bulletins_generated", data={"date": day.isoformat(), "count": made})
    s.flush()
    return made


def bulletin_dict(b: Bulletin, campaign_code: str, region: Region, with_data: bool = True) -> dict[str, Any]:
    """Return a bulletin as the UI and downloads show it."""
    out = {"id": b.id, "campaign": campaign_code, "region": region.code, "region_name": region.name,
           "level": region.level, "date": b.on_date.isoformat(),
           "created_at": b.created_at.isoformat() if b.created_at else None}
    if with_data:
        out["data"] = b.data
    return out


def list_bulletins(uow: UnitOfWork, actor: Actor, region: Optional[str] = None, page: int = 1,
                   per_page: int = 50, on_date: Optional[dt.date] = None) -> dict[str, Any]:
    """List the bulletins of regions in the caller's scope, newest first (of one day when on_date is given)."""
    s = uow.session
    conds: list[Any] = [region_scope(actor)]
    if on_date is not None:
        conds.append(Bulletin.on_date == on_date)
    if region:
        conds.append(Region.id == get_region(s, actor, region).id)
    base = select(Bulletin, Campaign.code, Region).join(Campaign, Campaign.id == Bulletin.campaign_id).join(
        Region, Region.id == Bulletin.region_id).where(*conds)
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = s.execute(base.order_by(Bulletin.on_date.desc(), Region.code).offset((page - 1) * per_page).limit(per_page))
    return {"items": [bulletin_dict(b, code, r, with_data=False) for b, code, r in rows], "total": total,
            "page": page, "per_page": per_page}


def get_bulletin(uow: UnitOfWork, actor: Actor, bulletin_id: Any) -> dict[str, Any]:
    """Return one bulletin of a region in the caller's scope."""
    try:
        bid = int(bulletin_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = uow.session.execute(select(Bulletin, Campaign.code, Region).join(Campaign, Campaign.id == Bulletin.campaign_id)
                                .join(Region, Region.id == Bulletin.region_id)
                                .where(Bulletin.id == bid, region_scope(actor))).first()
    if found is None:
        raise NotFound()
    return bulletin_dict(*found)


def bulletin_csv(bulletin: dict[str, Any], lang: str = "zh") -> str:
    """Render a bulletin as CSV: progress by body and state, then the overdue list and open complaints."""
    en = lang.startswith("en")
    d = bulletin["data"]
    out = io.StringIO()
    w = SafeCsv(out)
    w.writerow(["bulletin" if en else "情况通报", d["region_name"], d["region"], d["campaign"], d["date"]])
    w.writerow([])
    w.writerow(["body" if en else "类别"] + [label(STATES, st, lang) for st in ORDER] + ["overdue" if en else "逾期"])
    for body, row in d["bodies"].items():
        w.writerow([label(BODIES, body, lang)] + [row["states"].get(st, 0) for st in ORDER] + [row["overdue"]])
    w.writerow([])
    w.writerow(["overdue" if en else "逾期名单", d["overdue"]["total"]])
    w.writerow(["community", "name", "body", "state", "due", "days"] if en else
               ["社区代码", "社区", "类别", "阶段", "期限", "逾期天数"])
    for item in d["overdue"]["items"]:
        w.writerow([item["community"], item["community_name"], label(BODIES, item["body"], lang),
                    label(STATES, item["state"], lang), item["due"], item["days"]])
    w.writerow([])
    w.writerow(["open complaints" if en else "未办结举报", d["complaints"]["open"],
                "overdue" if en else "逾期", d["complaints"]["overdue"]])
    for item in d["complaints"]["items"]:
        w.writerow([item["community"], item["community_name"], item["category"], item["received_on"], item["due_on"]])
    w.writerow([])
    esc = d["escalations"]
    w.writerow(["open escalations" if en else "未关闭督办", esc["open"], esc["level_1"], esc["level_2"], esc["level_3"]])
    w.writerow(["open dossiers" if en else "建档立卡（未销号）", d["dossiers"]["open"], d["dossiers"]["overdue"]])
    w.writerow(["unacknowledged incidents" if en else "未确认重大问题", d["incidents"]["unacknowledged"]])
    history = d.get("history")
    if history:
        w.writerow([])
        w.writerow(["history digest" if en else "历史记录摘要", history["date"], history["digest"],
                    ("verified" if en else "校验通过") if history["ok"] else
                    (f"{history['broken']} broken" if en else f"{history['broken']}条记录链断开")])
    return out.getvalue()

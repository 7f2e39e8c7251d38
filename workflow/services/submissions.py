"""Each city's summary report to the province (N3 final paragraph): due by the rule set's report date
(2015-04-10 under liaoning-2014), sent to 省委、省政府 and copied to 省委组织部、省民政厅."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import select

from ..auth import Actor, require
from ..clock import SHANGHAI, now, today
from ..db import UnitOfWork
from ..errors import InvalidRequest
from ..models import Campaign, Region, ReportSubmission, User
from ..ruleset import get_rule_set
from .campaign_dates import report_due as campaign_report_due
from .campaigns import get_campaign
from .common import audit, get_region, region_scope, require_text

MAX_NARRATIVE = 20000


def report_due(campaign: Campaign) -> dt.date:
    """The date every city's report is due (campaign_dates.report_due, the one place that decides)."""
    return campaign_report_due(campaign)


def may_submit(actor: Actor, city: Region) -> bool:
    """A city's report is submitted by a supervisor of that city (or an administrator)."""
    return actor.is_admin or (actor.role == "supervisor" and actor.scope_id == city.id)


def campaign_cities(s: Any, actor: Actor, campaign: Campaign) -> list[Region]:
    """The cities a campaign covers that the actor may see."""
    scope = campaign.scope
    if scope.level == "province":
        stmt = select(Region).where(Region.level == "city", Region.parent_id == scope.id)
    else:
        stmt = select(Region).where(Region.id == (scope.city_id or scope.id), Region.level == "city")
    return list(s.scalars(stmt.where(region_scope(actor)).order_by(Region.code)))


def submit_report(uow: UnitOfWork, actor: Actor, campaign_code: Any, city_code: Any, narrative: Any) -> dict[str, Any]:
    """Submit (or resubmit) a city's summary report with its narrative; the time and the submitter are kept."""
    s = uow.session
    campaign = get_campaign(s, actor, campaign_code)
    city = get_region(s, actor, city_code)
    text = require_text(narrative, "narrative", MAX_NARRATIVE)
    if city.level != "city" or city.id not in {c.id for c in campaign_cities(s, actor, campaign)}:
        raise InvalidRequest.one("city", "is not a city of this campaign", "不是本次换届工作范围内的市")
    require(may_submit(actor, city))
    row = s.scalars(select(ReportSubmission).where(ReportSubmission.campaign_id == campaign.id,
                                                   ReportSubmission.city_id == city.id)).first()
    resubmitted = row is not None
    if row is None:
        row = ReportSubmission(campaign_id=campaign.id, city_id=city.id)
        s.add(row)
    row.submitted_at, row.submitted_by, row.narrative = now(), actor.user_id, text or ""
    s.flush()
    audit(s, actor, "report_submitted", data={"campaign": campaign.code, "city": city.code,
                                               "resubmitted": resubmitted, "chars": len(row.narrative)})
    return submission_dict(campaign, city, row, actor.username, today())


def submission_dict(campaign: Campaign, city: Region, row: Optional[ReportSubmission], by: Optional[str],
                    day: dt.date) -> dict[str, Any]:
    """Return one city's submission status: submitted or not, when, by whom, late or not, days left."""
    due = report_due(campaign)
    submitted_on = _aware(row.submitted_at).astimezone(SHANGHAI).date() if row else None
    late = (submitted_on > due) if submitted_on else day > due
    return {"campaign": campaign.code, "city": city.code, "city_name": city.name, "due": due.isoformat(),
            "submitted": row is not None,
            "submitted_at": _aware(row.submitted_at).isoformat() if row else None,
            "submitted_by": by, "narrative": row.narrative if row else None,
            "late": late, "days_left": (due - day).days if row is None else None,
            "days_late": ((submitted_on or day) - due).days if late else 0}


def _aware(ts: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.timezone.utc)


def submission_status(uow: UnitOfWork, actor: Actor, campaign_code: Any) -> dict[str, Any]:
    """Every city's submission for a campaign, with the countdown to the due date and late cities flagged."""
    s = uow.session
    campaign = get_campaign(s, actor, campaign_code)
    rules = get_rule_set(campaign.rule_set)
    day, due = today(), report_due(campaign)
    cities = campaign_cities(s, actor, campaign)
    rows = {r.city_id: (r, name) for r, name in s.execute(
        select(ReportSubmission, User.username).outerjoin(User, User.id == ReportSubmission.submitted_by)
        .where(ReportSubmission.campaign_id == campaign.id))}
    items = [submission_dict(campaign, c, *(rows.get(c.id) or (None, None)), day) for c in cities]
    return {"campaign": campaign.code, "campaign_name": campaign.name, "due": due.isoformat(),
            "today": day.isoformat(), "days_left": (due - day).days,
            "report_to": list(rules.report_to), "report_copied": list(rules.report_copied),
            "cities": items, "submitted": sum(1 for i in items if i["submitted"]),
            "late": sum(1 for i in items if i["late"]), "total": len(items)}


def get_submission(uow: UnitOfWork, actor: Actor, campaign_code: Any, city_code: Any) -> dict[str, Any]:
    """One city's submission status (its narrative included)."""
    s = uow.session
    campaign = get_campaign(s, actor, campaign_code)
    city = get_region(s, actor, city_code)
    if city.level != "city":
        raise InvalidRequest.one("city", "is not a city", "不是市级区划")
    found = s.execute(select(ReportSubmission, User.username).outerjoin(User, User.id == ReportSubmission.submitted_by)
                      .where(ReportSubmission.campaign_id == campaign.id, ReportSubmission.city_id == city.id)).first()
    row, by = (found[0], found[1]) if found else (None, None)
    return submission_dict(campaign, city, row, by, today())

"""The city summary report of domain.md §7 (N3 final paragraph; N2(1), N2(2)), with drill-down one level down.

Every number comes from a GROUP BY query over the region's communities (grouped by the child region), so the
work stays in the database at national scale; Python only adds up the small grouped results.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from sqlalchemy import ColumnElement, and_, case, cast, func, or_, select, String
from sqlalchemy.orm import Session

from ..auth import Actor
from ..clock import now, today
from ..db import UnitOfWork
from ..machines import MAIN_PATH
from ..models import Campaign, Candidate, Community, Complaint, Dossier, Election, Fact, Region
from ..ruleset import MODES, get_rule_set
from .campaign_dates import age_reference_year, report_due
from .common import LEVEL_COLUMNS, community_scope, get_region, region_in_scope, region_scope
from .campaigns import get_campaign
from .report_people import empty_people, empty_roster, finish_people, people_figures

DERIVED = ("yijiantiao_share", "cross_share", "women_share", "persons_elected")

BODIES = ("party", "residents")
STATES = MAIN_PATH + ("suspended",)
ELECTED_STATES = ("certification", "handover", "summary", "closed")
AGE_BANDS = ("le35", "36_45", "46_55", "ge56", "unknown")
EDUCATION_LEVELS = ("postgraduate", "bachelor", "college", "secondary", "below", "other", "unknown")
COLLEGE_AND_ABOVE = ("postgraduate", "bachelor", "college")
EDUCATION_WORDS = (("postgraduate", ("研究生", "硕士", "博士", "postgraduate", "master", "doctor", "phd")),
                   ("bachelor", ("本科", "大学", "学士", "bachelor", "university")),
                   ("college", ("大专", "专科", "高职", "college", "associate")),
                   ("secondary", ("中专", "高中", "职高", "技校", "中技", "中师", "secondary", "high school")),
                   ("below", ("初中", "小学", "以下", "primary", "junior")))
BACKGROUNDS = ("community_worker", "dispatched_cadre", "police", "mass_org", "retired_cadre", "notable",
               "non_public_org", "social_org", "grid_leader", "other", "unknown")
POSTS = ("member", "director", "deputy_director")
CATEGORIES = ("bribery", "improper_competition", "interference", "procedure", "other")
OUTCOMES = ("open", "unfounded", "disqualify_candidate", "void_election")
REFERRALS = ("police", "discipline", "judicial")
FLAGS = ("urban_rural_fringe", "village_converted", "migrant_dense", "new_residential", "other_risk")
REGION_COLUMN = LEVEL_COLUMNS
CHILD_COLUMN = {"province": Community.city_id, "city": Community.county_id, "county": Community.street_id,
                "street": Community.id}


def count_if(condition: ColumnElement[bool]) -> Any:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), portable across SQLite and PostgreSQL."""
    return func.sum(case((condition, 1), else_=0))


def education_level(text: Optional[str]) -> str:
    """Map a free-text education onto a level (研究生, 本科, 大专, 中专/高中, 初中及以下)."""
    if not text or not text.strip():
        return "unknown"
    low = text.strip().lower()
    for level, words in EDUCATION_WORDS:
        if any(w in low for w in words):
            return level
    return "other"


def report_region(s: Session, actor: Actor, campaign: Campaign, region_code: Any) -> Region:
    """The region a report covers: the one asked for, else the campaign's scope or the actor's own scope."""
    if region_code:
        return get_region(s, actor, region_code)
    if region_in_scope(actor, campaign.scope):
        return campaign.scope
    region = s.get(Region, actor.scope_id) if actor.scope_id else None
    return region or get_region(s, actor, campaign.scope.code)


def empty_body(body: str) -> dict[str, Any]:
    out: dict[str, Any] = {"elections": 0, "states": {st: 0 for st in STATES}, "closed": 0, "overdue": 0,
                           "suspended": 0, "vacant_seats": 0, "elections_with_vacancy": 0}
    if body == "residents":
        out.update(village_law=0, modes={m: 0 for m in (*MODES, "unset")}, elected=0,
                   elected_modes={m: 0 for m in (*MODES, "unset")}, direct_household_share=None)
    return out


def empty_structure() -> dict[str, Any]:
    return {"elected": 0, "women": 0, "party_members": 0, "graduate_recruits": 0, "dispatched_cadres": 0,
            "age_sum": 0, "age_known": 0, "average_age": None, "age_bands": {b: 0 for b in AGE_BANDS},
            "education": {e: 0 for e in EDUCATION_LEVELS}, "college_and_above": 0,
            "backgrounds": {b: 0 for b in BACKGROUNDS}, "posts": {p: 0 for p in POSTS},
            "women_share": None, "incumbents": 0, "committees": 0, "committees_with_woman": 0}


def empty_row(code: str, name: str) -> dict[str, Any]:
    """The metrics of one region of the report, all zero."""
    return {"code": code, "name": name, "communities": 0, "key_difficult": 0, "communities_completed": 0,
            "key_completed": 0, "completion": 0.0,
            "party": empty_body("party"), "residents": empty_body("residents"),
            "structure": {b: empty_structure() for b in BODIES},
            "people": empty_people(), "roster": empty_roster(),
            "complaints": {"total": 0, "open": 0, "resolved": 0, "overdue": 0,
                           "by_category": {c: {o: 0 for o in (*OUTCOMES, "total")} for c in CATEGORIES},
                           "referrals": {r: 0 for r in REFERRALS}},
            "key": {**{f: 0 for f in FLAGS}, "with_dossier": 0},
            "dossiers": {"open": 0, "resolved": 0}}


class _Query:
    """The filters every part of one report shares: campaign, region, caller's scope; grouped by child."""

    def __init__(self, s: Session, actor: Actor, campaign: Campaign, region: Region) -> None:
        self.s, self.campaign, self.region = s, campaign, region
        self.child = CHILD_COLUMN[region.level].label("child")
        scope = campaign.scope  # the report covers the campaign's communities only
        self.where = and_(REGION_COLUMN[region.level] == region.id, REGION_COLUMN[scope.level] == scope.id,
                          community_scope(actor))
        self.elections = and_(self.where, Election.campaign_id == campaign.id)
        self.day = today()
        self.end_year = age_reference_year(campaign)

    def rows(self, stmt: Any) -> list[Any]:
        return list(self.s.execute(stmt))


def build_report(uow: UnitOfWork, actor: Actor, campaign_code: Any, region_code: Any = None) -> dict[str, Any]:
    """Compute the summary report of a campaign for a region (a city: drill-down to its counties)."""
    s = uow.session
    campaign = get_campaign(s, actor, campaign_code)
    region = report_region(s, actor, campaign, region_code)
    q = _Query(s, actor, campaign, region)
    children = _children(s, actor, region)
    rows: dict[int, dict[str, Any]] = {cid: empty_row(code, name) for cid, code, name in children}

    def row(child: Any) -> dict[str, Any]:
        if child not in rows:  # a community whose child region is out of scope or missing: keep the numbers
            rows[child] = empty_row(str(child), "—")
        return rows[child]

    _communities(q, row)
    _elections(q, row)
    _modes(q, row)
    _completed(q, row)
    _structure(q, row)
    _complaints(q, row)
    _dossiers(q, row)
    people_figures(q, row)
    ordered = [rows[cid] for cid, _, _ in children] + [r for cid, r in rows.items()
                                                      if cid not in {c[0] for c in children}]
    total = empty_row(region.code, region.name)
    for r in ordered:
        _add(total, r)
    for r in (*ordered, total):
        _finish(r)
    rules = get_rule_set(campaign.rule_set)
    return {
        "campaign": {"code": campaign.code, "name": campaign.name, "rule_set": campaign.rule_set,
                     "report_due": report_due(campaign).isoformat(),
                     "report_to": list(rules.report_to), "report_copied": list(rules.report_copied),
                     "age_reference_year": q.end_year},
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "drill_down": {"province": "city", "city": "county", "county": "street", "street": "community"}[region.level],
        "as_of": q.day.isoformat(), "generated_at": now().isoformat(timespec="seconds"),
        "totals": total, "rows": ordered, "dossiers": _dossier_list(q),
    }


def _children(s: Session, actor: Actor, region: Region) -> list[tuple[int, str, str]]:
    if region.level == "street":
        stmt: Any = select(Community.id, Community.code, Community.name).where(
            Community.street_id == region.id, community_scope(actor)).order_by(Community.code)
    else:
        stmt = select(Region.id, Region.code, Region.name).where(
            Region.parent_id == region.id, region_scope(actor)).order_by(Region.code)
    return [(i, c, n) for i, c, n in s.execute(stmt)]


def _communities(q: _Query, row: Any) -> None:
    risk = and_(Community.other_risk.is_not(None), func.trim(Community.other_risk) != "")
    flags = [count_if(getattr(Community, f).is_(True)) for f in FLAGS[:-1]] + [count_if(risk)]
    for child, n, key, *counts in q.rows(select(q.child, func.count(), count_if(Community.key_difficult.is_(True)),
                                               *flags).where(q.where).group_by(q.child)):
        r = row(child)
        r["communities"], r["key_difficult"] = n, int(key or 0)
        r["key"].update({f: int(v or 0) for f, v in zip(FLAGS, counts)})


def _elections(q: _Query, row: Any) -> None:
    overdue = and_(Election.due_on.is_not(None), Election.due_on < q.day, Election.state != "closed")
    stmt = (select(q.child, Election.body, Election.state, func.count(), count_if(overdue),
                   count_if(Election.village_law.is_(True))).join(Community, Community.id == Election.community_id)
            .where(q.elections).group_by(q.child, Election.body, Election.state))
    for child, body, state, n, late, village in q.rows(stmt):
        b = row(child)[body]
        b["elections"] += n
        b["states"][state] = b["states"].get(state, 0) + n
        b["overdue"] += int(late or 0)
        if body == "residents":
            b["village_law"] += int(village or 0)


def _elected_condition() -> ColumnElement[bool]:
    return or_(Election.state.in_(ELECTED_STATES),
               and_(Election.state == "suspended", Election.suspended_from.in_(ELECTED_STATES)))


def _modes(q: _Query, row: Any) -> None:
    mode = cast(Fact.value, String).label("mode")
    elected = case((_elected_condition(), 1), else_=0).label("elected")
    stmt = (select(q.child, mode, elected, func.count())
            .select_from(Election).join(Community, Community.id == Election.community_id)
            .outerjoin(Fact, and_(Fact.election_id == Election.id, Fact.key == "election_mode"))
            .where(q.elections, Election.body == "residents").group_by(q.child, mode, elected))
    for child, raw, is_elected, n in q.rows(stmt):
        value = _json_text(raw)
        key = value if value in MODES else "unset"
        b = row(child)["residents"]
        b["modes"][key] += n
        if is_elected:
            b["elected"] += n
            b["elected_modes"][key] += n


def _json_text(raw: Optional[str]) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _completed(q: _Query, row: Any) -> None:
    """Communities whose elections of the campaign are all closed, also counted among the key/difficult ones."""
    per_community = (select(q.child, Community.key_difficult.label("key"))
                     .select_from(Election).join(Community, Community.id == Election.community_id)
                     .where(q.elections).group_by(Community.id, q.child, Community.key_difficult)
                     .having(func.min(case((Election.state == "closed", 1), else_=0)) == 1).subquery())
    stmt = select(per_community.c.child, func.count(), count_if(per_community.c.key.is_(True))).group_by(
        per_community.c.child)
    for child, n, key in q.rows(stmt):
        r = row(child)
        r["communities_completed"], r["key_completed"] = n, int(key or 0)


def _structure(q: _Query, row: Any) -> None:
    """Committee structure of those elected (elected, not voided): N2(1) 年龄结构和知识结构.

    One scan: grouped by the categories (age band, education text, background, post) with the yes/no
    figures summed per group; Python adds the groups up per dimension.
    """
    dispatched = or_(Candidate.background == "dispatched_cadre",
                     and_(Candidate.dispatched_from.is_not(None), func.trim(Candidate.dispatched_from) != ""))
    y = q.end_year
    band = case((Candidate.birth_year.is_(None), "unknown"), (Candidate.birth_year >= y - 35, "le35"),
                (Candidate.birth_year >= y - 45, "36_45"), (Candidate.birth_year >= y - 55, "46_55"),
                else_="ge56").label("band")
    keys = (q.child, Election.body, band, Candidate.education, Candidate.background, Candidate.post)
    stmt = (select(*keys, func.count(), count_if(Candidate.gender == "f"), count_if(Candidate.party_member.is_(True)),
                   count_if(Candidate.graduate_recruit.is_(True)), count_if(dispatched),
                   func.sum(case((Candidate.birth_year.is_not(None), y - Candidate.birth_year), else_=0)),
                   func.count(Candidate.birth_year))
            .select_from(Candidate).join(Election, Election.id == Candidate.election_id)
            .join(Community, Community.id == Election.community_id)
            .where(q.elections, Candidate.elected.is_(True), Candidate.voided.is_(False)).group_by(*keys))
    levels: dict[Any, str] = {}
    for child, body, age_band, education, background, post, n, *sums in q.rows(stmt):
        st = row(child)["structure"][body]
        st["elected"] += n
        for key, value in zip(("women", "party_members", "graduate_recruits", "dispatched_cadres", "age_sum",
                               "age_known"), sums):
            st[key] += int(value or 0)
        if education not in levels:
            levels[education] = education_level(education)
        bg = background if background in BACKGROUNDS else ("unknown" if not background else "other")
        for dim, key in (("age_bands", age_band), ("education", levels[education]), ("backgrounds", bg),
                         ("posts", post)):
            st[dim][key] = st[dim].get(key, 0) + n


def _complaints(q: _Query, row: Any) -> None:
    late = and_(Complaint.resolved_at.is_(None), Complaint.due_on < q.day)
    stmt = (select(q.child, Complaint.category, Complaint.outcome, Complaint.referral, func.count(), count_if(late))
            .select_from(Complaint).join(Election, Election.id == Complaint.election_id)
            .join(Community, Community.id == Complaint.community_id).where(q.elections)
            .group_by(q.child, Complaint.category, Complaint.outcome, Complaint.referral))
    for child, category, outcome, referral, n, overdue in q.rows(stmt):
        c = row(child)["complaints"]
        c["total"] += n
        c["open" if outcome is None else "resolved"] += n
        c["overdue"] += int(overdue or 0)
        cat = c["by_category"].setdefault(category, {o: 0 for o in (*OUTCOMES, "total")})
        cat[outcome or "open"] = cat.get(outcome or "open", 0) + n
        cat["total"] += n
        if referral:
            c["referrals"][referral] = c["referrals"].get(referral, 0) + n


def _dossiers(q: _Query, row: Any) -> None:
    stmt = (select(q.child, Dossier.status, func.count()).select_from(Dossier)
            .join(Community, Community.id == Dossier.community_id).where(q.where).group_by(q.child, Dossier.status))
    for child, status, n in q.rows(stmt):
        d = row(child)["dossiers"]
        d[status] = d.get(status, 0) + n
    stmt = (select(q.child, func.count(func.distinct(Dossier.community_id))).select_from(Dossier)
            .join(Community, Community.id == Dossier.community_id)
            .where(q.where, Community.key_difficult.is_(True)).group_by(q.child))
    for child, n in q.rows(stmt):
        row(child)["key"]["with_dossier"] = n


def _dossier_list(q: _Query) -> list[dict[str, Any]]:
    """Every dossier (建档立卡) of the region's communities, open ones first, by time limit."""
    street = select(Region.code).where(Region.id == Community.street_id).scalar_subquery()
    stmt = (select(Dossier, Community.code, Community.name, Community.key_difficult, street.label("street"))
            .join(Community, Community.id == Dossier.community_id).where(q.where)
            .order_by(case((Dossier.status == "open", 0), else_=1), Dossier.due_on, Dossier.id))
    out = []
    for d, code, name, key, street_code in q.rows(stmt):
        out.append({"id": d.id, "community": code, "community_name": name, "street": street_code,
                    "key_difficult": bool(key), "cause": d.cause, "due_on": d.due_on.isoformat(),
                    "stationed_cadre": d.stationed_cadre, "status": d.status,
                    "overdue": d.status == "open" and d.due_on < q.day, "automatic": d.automatic,
                    "opened_at": d.opened_at.isoformat() if d.opened_at else None})
    return out


def _add(total: Any, part: Any) -> None:
    """Add part's numbers into total, recursively (strings and derived figures are left alone)."""
    for k, v in part.items():
        if k in ("code", "name", "completion", "average_age", "direct_household_share", *DERIVED):
            continue
        if isinstance(v, dict):
            _add(total.setdefault(k, {}), v)
        elif isinstance(v, int) and not isinstance(v, bool):
            total[k] = total.get(k, 0) + v


def _finish(r: dict[str, Any]) -> None:
    """Derive the shares and averages of a row from its counts."""
    for body in BODIES:
        b = r[body]
        b["closed"] = b["states"].get("closed", 0)
        b["suspended"] = b["states"].get("suspended", 0)
        st = r["structure"][body]
        st["average_age"] = round(st["age_sum"] / st["age_known"], 1) if st["age_known"] else None
        st["college_and_above"] = sum(st["education"].get(e, 0) for e in COLLEGE_AND_ABOVE)
    res = r["residents"]
    dh = res["elected_modes"]["direct"] + res["elected_modes"]["household"]
    res["direct_household_share"] = round(dh / res["elected"], 4) if res["elected"] else None
    elections = r["party"]["elections"] + r["residents"]["elections"]
    r["completion"] = round((r["party"]["closed"] + r["residents"]["closed"]) / elections, 4) if elections else 0.0
    finish_people(r)


def map_points(uow: UnitOfWork, actor: Actor, campaign_code: Any, region_code: Any = None) -> list[dict[str, Any]]:
    """One point per county (district) of the region at its seat: communities and the share of elections closed."""
    s = uow.session
    campaign = get_campaign(s, actor, campaign_code)
    region = report_region(s, actor, campaign, region_code)
    scope = campaign.scope
    where = and_(REGION_COLUMN[region.level] == region.id, REGION_COLUMN[scope.level] == scope.id,
                 community_scope(actor))
    communities = {cid: n for cid, n in s.execute(select(Community.county_id, func.count()).where(where)
                                                  .group_by(Community.county_id))}
    elections = {cid: (n, int(closed or 0)) for cid, n, closed in s.execute(
        select(Community.county_id, func.count(), count_if(Election.state == "closed"))
        .select_from(Election).join(Community, Community.id == Election.community_id)
        .where(where, Election.campaign_id == campaign.id).group_by(Community.county_id))}
    if region.level in ("province", "city"):
        level_col = Region.province_id if region.level == "province" else Region.city_id
        counties = s.execute(select(Region.id, Region.code, Region.name, Region.longitude, Region.latitude).where(
            Region.level == "county", level_col == region.id, region_scope(actor)).order_by(Region.code))
    else:
        counties = s.execute(select(Region.id, Region.code, Region.name, Region.longitude, Region.latitude).where(
            Region.id == (region.county_id or region.id)))
    # a street cadre sees their district on the map but may not open its report (only their street's)
    visible = set(s.scalars(select(Region.id).where(Region.level == "county", region_scope(actor))))
    out = []
    for cid, code, name, lon, lat in counties:
        n, closed = elections.get(cid, (0, 0))
        out.append({"code": code, "name": name, "longitude": lon, "latitude": lat, "visible": cid in visible,
                    "communities": communities.get(cid, 0), "elections": n, "closed": closed,
                    "completion": round(closed / n, 4) if n else 0.0})
    return out


def _report_due(campaign: Campaign) -> Optional[str]:
    """The campaign's report date (its own, else summary due + 10 days), never the rule set's (domain.md §6)."""
    from .campaigns import report_due_of
    due = report_due_of(campaign)
    return due.isoformat() if due else None

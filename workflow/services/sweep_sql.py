"""The SQL of the sweep: candidate rungs per kind and level, who is copied, and the digest notifications."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import DateTime, Integer, String, and_, case, cast, exists, func, insert, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased, join

from ..labels import BODIES, STATES
from ..models import Campaign, Community, Complaint, Dossier, Election, Escalation, Incident, Notification, Responsibility, User
from ..ruleset import RuleSet, available_rule_sets, get_rule_set
from .notifications import smtp_url

FIRST_DIRECT = ("first", "direct")
DIGEST_LINES = 5
DIGEST_LINK = "/notices/escalations?mine=1"


def default_rule_set(s: Session) -> str:
    """Return the rule set of the latest campaign, else liaoning-2014 (or the first shipped one)."""
    name = s.scalar(select(Campaign.rule_set).order_by(Campaign.id.desc()).limit(1))
    if name:
        return str(name)
    shipped = available_rule_sets()
    return "liaoning-2014" if "liaoning-2014" in shipped else shipped[0]


def community_rule_set_expr(community_id: Any, fallback: str) -> Any:
    """SQL: the rule set of the community's latest campaign (domain.md §6), else the fallback."""
    latest = (select(Campaign.rule_set).join(Election, Election.campaign_id == Campaign.id)
              .where(Election.community_id == community_id).order_by(Campaign.id.desc()).limit(1).scalar_subquery())
    return func.coalesce(latest, literal(fallback))


def community_rule_set(s: Session, community_id: int) -> RuleSet:
    """Return the rule set that governs a community's dossiers and incidents."""
    return get_rule_set(str(s.scalar(select(community_rule_set_expr(community_id, default_rule_set(s))))))


def _copy_people(kind: str, c: Any, exclude: Any) -> Any:
    """A select of (uid, username): first/direct persons of street, county, city (+ inspectors for complaints)."""
    rr, u = aliased(Responsibility), aliased(User)
    people = (select(u.id.label("uid"), u.username.label("username")).join(rr, rr.user_id == u.id)
              .where(rr.kind.in_(FIRST_DIRECT), rr.region_id.in_([c.street_id, c.county_id, c.city_id]),
                     u.active.is_(True), u.id != func.coalesce(exclude, -1))
              .correlate_except(rr, u))
    if kind != "complaint":
        return people.distinct()
    ui = aliased(User)
    return people.union(select(ui.id, ui.username).where(
        ui.role == "inspector", ui.active.is_(True), ui.id != func.coalesce(exclude, -1),
        ui.scope_id.in_([c.street_id, c.county_id, c.city_id, c.province_id])).correlate_except(ui))


def _copied_json(kind: str, c: Any, exclude: Any, pg: bool) -> Any:
    sub = _copy_people(kind, c, exclude).subquery()
    if pg:
        agg = func.coalesce(func.json_agg(aggregate_order_by(sub.c.username, sub.c.username)),
                            literal_column("'[]'::json"))
        return select(agg).select_from(sub).scalar_subquery()
    ordered = select(sub.c.username).order_by(sub.c.username).subquery()
    return select(func.json_group_array(ordered.c.username)).select_from(ordered).scalar_subquery()


def candidates(kind: str, level: int, cutoff: dt.date, stamp: Any, pg: bool, campaigns: Optional[list[int]] = None,
               rule_set: Optional[tuple[str, str]] = None) -> Any:
    """SELECT the rungs of `kind` at `level` now due (due date before cutoff) that do not exist yet."""
    c = aliased(Community, name="c")
    r, tu, x = aliased(Responsibility, name="r"), aliased(User, name="tu"), aliased(Escalation, name="x")
    if kind == "election":
        e = aliased(Election, name="e")
        frm: Any = join(e, c, c.id == e.community_id)
        subj, elec, state, due = e.id, e.id, e.state, e.due_on
        conds = [e.campaign_id.in_(campaigns or []), e.due_on < cutoff, e.state != "closed"]
    elif kind == "complaint":
        q, el = aliased(Complaint, name="q"), aliased(Election, name="el")
        frm = join(q, el, el.id == q.election_id).join(c, c.id == q.community_id)
        subj, elec, state, due = q.id, q.election_id, literal("open"), q.due_on
        conds = [q.resolved_at.is_(None), q.due_on < cutoff, el.campaign_id.in_(campaigns or [])]
    else:
        assert rule_set is not None
        name, fallback = rule_set
        if kind == "dossier":
            d = aliased(Dossier, name="d")
            frm = join(d, c, c.id == d.community_id)
            subj, elec, state, due = d.id, literal(None, Integer), literal("open"), d.due_on
            conds = [d.status == "open", d.due_on < cutoff]
        else:
            i = aliased(Incident, name="i")
            frm = join(i, c, c.id == i.community_id)
            subj, elec, state, due = i.id, literal(None, Integer), literal("unacknowledged"), i.ack_due_on
            conds = [i.acknowledged_at.is_(None), i.ack_due_on < cutoff]
        conds.append(community_rule_set_expr(c.id, fallback) == name)
    target = {1: r.community_id == c.id, 2: r.region_id == c.street_id, 3: r.region_id == c.county_id}[level]
    # the rungs that exist, read once before the INSERT grows the table: probing escalations itself while the
    # statement appends to it is quadratic when the planner thinks the table is small (first sweep, a deadline
    # passing for a whole province at once: 77 s instead of under 2 s for 59,000 rungs)
    # (SQLite copies the SELECT before inserting anyway, and a WITH in front hides the INSERT's rowcount there)
    have: Any = select(x.subject_id, x.state, x.due_on).where(x.kind == kind, x.level == level)
    have = have.cte(f"have_{kind}_{level}").prefix_with("MATERIALIZED") if pg else have.subquery()
    return (select(literal(kind), subj, elec, c.id, state, due, literal(level), stamp, tu.id,
                   _copied_json(kind, c, tu.id, pg))
            .select_from(frm)
            .outerjoin(r, and_(r.kind == "contact", target))
            .outerjoin(tu, and_(tu.id == r.user_id, tu.active.is_(True)))
            .where(*conds, ~exists().where(have.c.subject_id == subj, have.c.state == state, have.c.due_on == due)))


def _pairs(new_ids: Any) -> Any:
    """(rung_id, user_id, copy) for every new rung: its notified person, then everyone copied on it."""
    x, c = aliased(Escalation, name="px"), aliased(Community, name="pc")
    rr, u, ui = aliased(Responsibility), aliased(User), aliased(User)
    notified = select(x.id.label("rung_id"), x.notified_user_id.label("user_id"), literal(0).label("copy")).where(
        x.id.in_(new_ids), x.notified_user_id.is_not(None))
    copied = (select(x.id, u.id, literal(1)).select_from(x).join(c, c.id == x.community_id)
              .join(rr, and_(rr.kind.in_(FIRST_DIRECT), rr.region_id.in_([c.street_id, c.county_id, c.city_id])))
              .join(u, and_(u.id == rr.user_id, u.active.is_(True)))
              .where(x.id.in_(new_ids), u.id != func.coalesce(x.notified_user_id, -1)))
    inspectors = (select(x.id, ui.id, literal(1)).select_from(x).join(c, c.id == x.community_id)
                  .join(ui, and_(ui.role == "inspector", ui.active.is_(True),
                                 ui.scope_id.in_([c.street_id, c.county_id, c.city_id, c.province_id])))
                  .where(x.id.in_(new_ids), x.kind == "complaint", ui.id != func.coalesce(x.notified_user_id, -1)))
    return notified.union(copied, inspectors).subquery("pairs")


def _label(col: Any, table: dict[Any, tuple[str, str]], idx: int) -> Any:
    return case({k: v[idx] for k, v in table.items()}, value=col, else_=cast(col, String))


def _what(x: Any, e: Any, idx: int) -> Any:
    texts = (("举报逾期未办结", "complaint not resolved in time"), ("建档立卡逾期未销号", "dossier past its time limit"),
             ("重大问题报告逾期未确认", "incident not acknowledged in time"))
    return case((x.kind == "election", _label(e.body, BODIES, idx) + "·" + _label(x.state, STATES, idx)),
                (x.kind == "complaint", texts[0][idx]), (x.kind == "dossier", texts[1][idx]), else_=texts[2][idx])


def add_digests(s: Session, new_ids: Any, instant: dt.datetime, pg: bool) -> int:
    """Give every person reached by the new rungs one notification: counts and the first lines; return how many."""
    p = _pairs(new_ids)
    x, c, e, u = aliased(Escalation, name="dx"), aliased(Community, name="dc"), aliased(Election, name="de"), aliased(User, name="du")
    due = cast(x.due_on, String)
    zh = ("【" + case({1: "一级", 2: "二级", 3: "三级"}, value=x.level, else_="") + "】" + c.name + "（" + c.code + "）："
          + _what(x, e, 0) + "，期限 " + due + case((p.c.copy == 1, "（抄送）"), else_=""))
    en = ("[level " + cast(x.level, String) + "] " + c.name + " (" + c.code + "): " + _what(x, e, 1) + ", due " + due
          + case((p.c.copy == 1, " (copy)"), else_=""))
    rn = func.row_number().over(partition_by=p.c.user_id, order_by=(x.level.desc(), x.due_on, x.id))
    inner = (select(p.c.user_id, p.c.copy, x.level, case((u.language == "en", en), else_=zh).label("line"), rn.label("rn"))
             .select_from(p).join(x, x.id == p.c.rung_id).join(c, c.id == x.community_id)
             .outerjoin(e, e.id == x.election_id).join(u, u.id == p.c.user_id)
             .order_by(p.c.user_id, rn).subquery("lines"))
    shown = case((inner.c.rn <= DIGEST_LINES, inner.c.line))
    lines = (func.string_agg(shown, aggregate_order_by(literal("\n"), inner.c.rn)) if pg
             else func.group_concat(shown, "\n"))
    n = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    g = (select(inner.c.user_id, func.count().label("total"), n(inner.c.copy == 0).label("mine"),
                n(inner.c.level == 3).label("l3"), n(inner.c.level == 2).label("l2"), n(inner.c.level == 1).label("l1"),
                lines.label("lines")).group_by(inner.c.user_id).subquery("digest"))
    r = aliased(User, name="ru")
    t = lambda col: cast(col, String)  # noqa: E731
    en_lang = r.language == "en"
    subject = case((en_lang, "Escalation: " + t(g.c.total) + " new overdue item(s)"
                    + case((g.c.mine > 0, ", " + t(g.c.mine) + " for you to act on"), else_=" (copy)")),
                   else_="督办提醒：新增逾期督办 " + t(g.c.total) + " 项"
                   + case((g.c.mine > 0, "（需您督办 " + t(g.c.mine) + " 项）"), else_="（抄送）"))
    head = case((en_lang, "Level 3: " + t(g.c.l3) + ", level 2: " + t(g.c.l2) + ", level 1: " + t(g.c.l1) + "\n"),
                else_="三级 " + t(g.c.l3) + " 项，二级 " + t(g.c.l2) + " 项，一级 " + t(g.c.l1) + " 项\n")
    more = case((g.c.total > DIGEST_LINES, case((en_lang, "\n… " + t(g.c.total) + " in all, see the escalation list"),
                                                else_="\n…… 共 " + t(g.c.total) + " 项，详见督办列表")), else_="")
    mail = (case((and_(r.email.is_not(None), r.email != ""), "pending"), else_=None) if smtp_url()
            else literal(None, String))
    sel = (select(g.c.user_id, subject, head + func.coalesce(g.c.lines, "") + more, literal(DIGEST_LINK), mail,
                  literal(instant, DateTime(timezone=True)))
           .select_from(g).join(r, r.id == g.c.user_id).where(r.active.is_(True)))
    stmt = insert(Notification).from_select(["user_id", "subject", "body", "link", "email_status", "created_at"], sel)
    if pg:
        return int(s.scalar(select(func.count()).select_from(stmt.returning(Notification.id).cte("counted"))) or 0)
    return int(s.execute(stmt).rowcount or 0)

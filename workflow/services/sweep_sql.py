"""The SQL of the sweep: candidate rungs per kind and level, who is copied, and the digest notifications."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Column, Integer, MetaData, String, Table, and_, case, exists, func, insert, literal,
                        literal_column, select, text)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased, join

from ..models import (Campaign, Community, Complaint, Dossier, Election, Escalation, Incident, Region, Responsibility, User,
                      VoterObjection)
from ..ruleset import RuleSet, available_rule_sets, get_rule_set

FIRST_DIRECT = ("first", "direct")
_TEMP = MetaData()
#: per sweep: who is copied for a community of each street (first/direct persons of its street, county, city)
COPY_PEOPLE = Table("huanjie_copy_people", _TEMP, Column("street_id", Integer, primary_key=True),
                    Column("user_id", Integer, primary_key=True), Column("username", String(64)))
#: per sweep: the same as one JSON list of usernames per street (what a rung's `copied` holds)
COPY_NAMES = Table("huanjie_copy_names", _TEMP, Column("street_id", Integer, primary_key=True), Column("names", JSON))


def prepare_copies(s: Session, pg: bool) -> None:
    """Fill the per-sweep tables of copied persons per street, read by every INSERT of the sweep."""
    tail = " ON COMMIT DELETE ROWS" if pg else ""
    s.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS huanjie_copy_people (street_id integer, user_id integer, "
                   f"username varchar(64), PRIMARY KEY (street_id, user_id)){tail}"))
    s.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS huanjie_copy_names (street_id integer PRIMARY KEY, "
                   f"names {'json' if pg else 'text'}){tail}"))
    s.execute(COPY_PEOPLE.delete())
    s.execute(COPY_NAMES.delete())
    st, rr, u = aliased(Region, name="st"), aliased(Responsibility, name="rr"), aliased(User, name="u")
    people = (select(st.id, u.id, u.username).distinct()
              .join(rr, and_(rr.kind.in_(FIRST_DIRECT), rr.region_id.in_([st.id, st.county_id, st.city_id])))
              .join(u, and_(u.id == rr.user_id, u.active.is_(True))).where(st.level == "street"))
    s.execute(insert(COPY_PEOPLE).from_select(["street_id", "user_id", "username"], people))
    cp = COPY_PEOPLE.alias("cp")
    if pg:
        names = select(cp.c.street_id, func.json_agg(aggregate_order_by(cp.c.username, cp.c.username)))
    else:
        ordered = select(cp).order_by(cp.c.street_id, cp.c.username).subquery()
        cp = ordered  # type: ignore[assignment]
        names = select(cp.c.street_id, func.json_group_array(cp.c.username))
    s.execute(insert(COPY_NAMES).from_select(["street_id", "names"], names.group_by(cp.c.street_id)))


def _street_copied(c: Any, exclude: Any, pg: bool) -> Any:
    """The street's copied persons; only when the notified person is among them is the list rebuilt without them."""
    cn, cp = COPY_NAMES.alias("cn"), COPY_PEOPLE.alias("cpx")
    listed = exists().where(cp.c.street_id == c.street_id, cp.c.user_id == exclude)
    others = (select(cp.c.username).where(cp.c.street_id == c.street_id, cp.c.user_id != exclude)
              .order_by(cp.c.username).correlate_except(cp).subquery())
    rebuilt = (select(func.coalesce(func.json_agg(aggregate_order_by(others.c.username, others.c.username)),
                                    literal_column("'[]'::json"))) if pg
               else select(func.json_group_array(others.c.username))).select_from(others).scalar_subquery()
    fast = select(cn.c.names).where(cn.c.street_id == c.street_id).scalar_subquery()
    empty = literal_column("'[]'::json") if pg else literal("[]")
    return case((listed, rebuilt), else_=func.coalesce(fast, empty))


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


def _levels() -> Any:
    """A three-row table (level) = 1, 2, 3 that works on both dialects."""
    return select(literal(1).label("level")).union_all(select(literal(2)), select(literal(3))).subquery("lv")


def candidates(kind: str, cutoffs: dict[int, dt.date], stamp: Any, pg: bool, campaigns: Optional[list[int]] = None,
               rule_set: Optional[tuple[str, str]] = None) -> Any:
    """SELECT the rungs of `kind`, every level at once, now due (due date before the level's cutoff), not yet raised.

    One statement for the three levels: the subjects, their community and the three contacts are joined once.
    """
    c = aliased(Community, name="c")
    lv = _levels()
    loosest = max(cutoffs.values())
    if kind == "election":
        e = aliased(Election, name="e")
        frm: Any = join(e, c, c.id == e.community_id)
        subj, elec, state, due = e.id, e.id, e.state, e.due_on
        conds = [e.campaign_id.in_(campaigns or []), e.due_on < loosest, e.state != "closed"]
    elif kind == "complaint":
        q, el = aliased(Complaint, name="q"), aliased(Election, name="el")
        frm = join(q, el, el.id == q.election_id).join(c, c.id == q.community_id)
        subj, elec, state, due = q.id, q.election_id, literal("open"), q.due_on
        conds = [q.resolved_at.is_(None), q.due_on < loosest, el.campaign_id.in_(campaigns or [])]
    elif kind == "objection":
        # an objection to the roll past its decision date (VCL Art. 14: 三日内作出处理决定) escalates like a complaint
        o, el = aliased(VoterObjection, name="o"), aliased(Election, name="el")
        frm = join(o, el, el.id == o.election_id).join(c, c.id == o.community_id)
        subj, elec, state, due = o.id, o.election_id, literal("open"), o.due_on
        conds = [o.status == "open", o.due_on < loosest, el.campaign_id.in_(campaigns or [])]
    else:
        assert rule_set is not None
        name, fallback = rule_set
        if kind == "dossier":
            d = aliased(Dossier, name="d")
            frm = join(d, c, c.id == d.community_id)
            subj, elec, state, due = d.id, literal(None, Integer), literal("open"), d.due_on
            conds = [d.status == "open", d.due_on < loosest]
        else:
            i = aliased(Incident, name="i")
            frm = join(i, c, c.id == i.community_id)
            subj, elec, state, due = i.id, literal(None, Integer), literal("unacknowledged"), i.ack_due_on
            conds = [i.acknowledged_at.is_(None), i.ack_due_on < loosest]
        conds.append(community_rule_set_expr(c.id, fallback) == name)
    cutoff = case({level: literal(day) for level, day in cutoffs.items()}, value=lv.c.level)
    # the contact of each level: the community's (street cadre), the street's (county leader), the county's
    targets = {1: lambda r: r.community_id == c.id, 2: lambda r: r.region_id == c.street_id,
               3: lambda r: r.region_id == c.county_id}
    people = {}
    for level, target in targets.items():
        r, u = aliased(Responsibility, name=f"r{level}"), aliased(User, name=f"u{level}")
        frm = frm.outerjoin(r, and_(r.kind == "contact", target(r))).outerjoin(
            u, and_(u.id == r.user_id, u.active.is_(True)))
        people[level] = u.id
    notified = case({level: uid for level, uid in people.items()}, value=lv.c.level)
    # the rungs that exist, read once before the INSERT grows the table: probing escalations itself while the
    # statement appends to it is quadratic when the planner thinks the table is small (first sweep, a deadline
    # passing for a whole province at once: 77 s instead of under 2 s for 59,000 rungs)
    # (SQLite copies the SELECT before inserting anyway, and a WITH in front hides the INSERT's rowcount there)
    x = aliased(Escalation, name="x")
    have: Any = select(x.subject_id, x.state, x.due_on, x.level).where(x.kind == kind)
    have = have.cte(f"have_{kind}").prefix_with("MATERIALIZED") if pg else have.subquery()
    copied = _copied_json(kind, c, notified, pg) if kind == "complaint" else _street_copied(c, notified, pg)
    return (select(literal(kind), subj, elec, c.id, state, due, lv.c.level, stamp, notified, copied)
            .select_from(frm.join(lv, due < cutoff))
            .where(*conds, ~exists().where(have.c.subject_id == subj, have.c.state == state, have.c.due_on == due,
                                           have.c.level == lv.c.level)))

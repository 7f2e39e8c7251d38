"""The sweep's notifications: one digest per person reached by the new rungs (counts per level and the first
lines), instead of one notification per rung; built in SQL over the rungs this sweep inserted."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, String, and_, case, cast, exists, func, insert, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from ..labels import BODIES, STATES
from ..models import Community, Election, Escalation, Notification, User
from .notifications import smtp_url
from .sweep_sql import COPY_PEOPLE

DIGEST_LINES = 5
DIGEST_LINK = "/notices/escalations?mine=1"


def _pairs(new_ids: Any) -> Any:
    """(rung_id, user_id, copy, level, due_on) for every new rung: its notified person and everyone copied.

    The three branches are disjoint (the notified person is never copied; an inspector who is also a first or
    direct person comes once), so UNION ALL needs no de-duplication.
    """
    x, c, ui = aliased(Escalation, name="px"), aliased(Community, name="pc"), aliased(User, name="ui")
    cp, cp2 = COPY_PEOPLE.alias("pcp"), COPY_PEOPLE.alias("pcp2")
    new = x.id.in_(new_ids)
    notified = select(x.id.label("rung_id"), x.notified_user_id.label("user_id"), literal(0).label("copy"),
                      x.level.label("level"), x.due_on.label("due_on")).where(new, x.notified_user_id.is_not(None))
    copied = (select(x.id, cp.c.user_id, literal(1), x.level, x.due_on).select_from(x)
              .join(c, c.id == x.community_id).join(cp, cp.c.street_id == c.street_id)
              .where(new, cp.c.user_id != func.coalesce(x.notified_user_id, -1)))
    inspectors = (select(x.id, ui.id, literal(1), x.level, x.due_on).select_from(x).join(c, c.id == x.community_id)
                  .join(ui, and_(ui.role == "inspector", ui.active.is_(True),
                                 ui.scope_id.in_([c.street_id, c.county_id, c.city_id, c.province_id])))
                  .where(new, x.kind == "complaint", ui.id != func.coalesce(x.notified_user_id, -1),
                         ~exists().where(cp2.c.street_id == c.street_id, cp2.c.user_id == ui.id)))
    return notified.union_all(copied, inspectors).cte("pairs")


def _label(col: Any, table: dict[Any, tuple[str, str]], idx: int) -> Any:
    return case({k: v[idx] for k, v in table.items()}, value=col, else_=cast(col, String))


def _what(x: Any, body: Any, idx: int) -> Any:
    texts = (("举报逾期未办结", "complaint not resolved in time"), ("建档立卡逾期未销号", "dossier past its time limit"),
             ("重大问题报告逾期未确认", "incident not acknowledged in time"),
             ("选民名单申诉逾期未处理", "objection to the voter roll not decided in time"))
    return case((x.kind == "election", _label(body, BODIES, idx) + "·" + _label(x.state, STATES, idx)),
                (x.kind == "complaint", texts[0][idx]), (x.kind == "dossier", texts[1][idx]),
                (x.kind == "objection", texts[3][idx]), else_=texts[2][idx])


def _lines(p: Any, pg: bool) -> Any:
    """The first DIGEST_LINES lines per person (highest level, earliest due first), in the person's language."""
    rn = func.row_number().over(partition_by=p.c.user_id, order_by=(p.c.level.desc(), p.c.due_on, p.c.rung_id))
    ranked = select(p.c.rung_id, p.c.user_id, p.c.copy, rn.label("rn")).subquery("ranked")
    top = select(ranked).where(ranked.c.rn <= DIGEST_LINES).subquery("top_pairs")
    x, u = aliased(Escalation, name="dx"), aliased(User, name="du")
    # names and bodies by primary key for the few top rows (a join would hash whole tables)
    name = select(Community.name).where(Community.id == x.community_id).scalar_subquery()
    code = select(Community.code).where(Community.id == x.community_id).scalar_subquery()
    body = select(Election.body).where(Election.id == x.election_id).scalar_subquery()
    due = cast(x.due_on, String)
    copy = top.c.copy == 1
    zh = ("【" + case({1: "一级", 2: "二级", 3: "三级"}, value=x.level, else_="") + "】" + name + "（" + code + "）："
          + _what(x, body, 0) + "，期限 " + due + case((copy, "（抄送）"), else_=""))
    en = ("[level " + cast(x.level, String) + "] " + name + " (" + code + "): " + _what(x, body, 1) + ", due " + due
          + case((copy, " (copy)"), else_=""))
    top = (select(top.c.user_id, top.c.rn, case((u.language == "en", en), else_=zh).label("line"))
           .select_from(top).join(x, x.id == top.c.rung_id).join(u, u.id == top.c.user_id)
           .order_by(top.c.user_id, top.c.rn).subquery("top"))
    joined = (func.string_agg(top.c.line, aggregate_order_by(literal("\n"), top.c.rn)) if pg
              else func.group_concat(top.c.line, "\n"))
    return select(top.c.user_id, joined.label("lines")).group_by(top.c.user_id).subquery("lines")


def add_digests(s: Session, new_ids: Any, instant: dt.datetime, pg: bool) -> int:
    """Give every person reached by the new rungs one notification: counts and the first lines; return how many."""
    p = _pairs(new_ids)
    n = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    g = (select(p.c.user_id, func.count().label("total"), n(p.c.copy == 0).label("mine"), n(p.c.level == 3).label("l3"),
                n(p.c.level == 2).label("l2"), n(p.c.level == 1).label("l1")).group_by(p.c.user_id).subquery("counts"))
    lines = _lines(p, pg)
    r = aliased(User, name="ru")
    t = lambda col: cast(col, String)  # noqa: E731
    en = r.language == "en"
    subject = case((en, "Escalation: " + t(g.c.total) + " new overdue item(s)"
                    + case((g.c.mine > 0, ", " + t(g.c.mine) + " for you to act on"), else_=" (copy)")),
                   else_="督办提醒：新增逾期督办 " + t(g.c.total) + " 项"
                   + case((g.c.mine > 0, "（需您督办 " + t(g.c.mine) + " 项）"), else_="（抄送）"))
    head = case((en, "Level 3: " + t(g.c.l3) + ", level 2: " + t(g.c.l2) + ", level 1: " + t(g.c.l1) + "\n"),
                else_="三级 " + t(g.c.l3) + " 项，二级 " + t(g.c.l2) + " 项，一级 " + t(g.c.l1) + " 项\n")
    more = case((g.c.total > DIGEST_LINES, case((en, "\n… " + t(g.c.total) + " in all, see the escalation list"),
                                                else_="\n…… 共 " + t(g.c.total) + " 项，详见督办列表")), else_="")
    mail = (case((and_(r.email.is_not(None), r.email != ""), "pending"), else_=None) if smtp_url()
            else literal(None, String))
    sel = (select(g.c.user_id, subject, head + func.coalesce(lines.c.lines, "") + more, literal(DIGEST_LINK), mail,
                  literal(instant, DateTime(timezone=True)), literal(0))
           .select_from(g).join(lines, lines.c.user_id == g.c.user_id).join(r, r.id == g.c.user_id)
           .where(r.active.is_(True)))
    stmt = insert(Notification).from_select(
        ["user_id", "subject", "body", "link", "email_status", "created_at", "email_attempts"], sel)
    if pg:
        return int(s.scalar(select(func.count()).select_from(stmt.returning(Notification.id).cte("counted"))) or 0)
    # SQLite reports no rowcount for INSERT ... SELECT through the ORM session (-1): count what it returns
    return len(s.execute(stmt.returning(Notification.id)).all())

"""The overdue sweep (三包三保, domain.md §6): set-based SQL that raises each rung exactly once.

Nothing is loaded row by row into Python. Per rule set and level, one INSERT … SELECT picks the overdue
subjects (elections by the (due_on, state) index, open complaints, open dossiers, unacknowledged incidents)
that have no rung with that key yet, and inserts the rungs with INSERT … ON CONFLICT DO NOTHING (PostgreSQL)
or INSERT OR IGNORE (SQLite) on the unique key (kind, subject_id, state, due_on, level): a crash rolls the
whole sweep back, a concurrent sweep cannot duplicate a rung, and a restart raises what is missing.
Level 3 opens the fallback dossier; every recipient gets one digest notification per sweep (not one per rung);
rungs whose subject moved on are closed with set-based UPDATEs.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any, Callable, Optional

from sqlalchemy import (Column, DateTime, Integer, MetaData, Table, exists, func, insert,
                        literal, select, text, update)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from .. import metrics
from ..auth import SYSTEM, Actor
from ..clock import SHANGHAI, now, today
from ..db import UnitOfWork
from ..errors import InvalidRequest, InvalidState
from ..models import AuditEvent, Campaign, Complaint, Dossier, Election, Escalation, Incident, VoterObjection
from ..ruleset import get_rule_set
from .chain import stamp as stamp_history
from .common import audit
from .escalation import escalations_for_election  # noqa: F401 - re-exported for the election page
from .locks import db_lock
from .sweep_digest import add_digests
from .sweep_sql import candidates, community_rule_set_expr, default_rule_set, prepare_copies

TS = DateTime(timezone=True)
#: the subjects swept per campaign of a rule set (dossiers and incidents go by the community's latest campaign)
CAMPAIGN_KINDS = ("election", "complaint", "objection")
_NEW = Table("huanjie_new_rungs", MetaData(), Column("id", Integer, primary_key=True), prefixes=["TEMPORARY"])
RUNG_COLUMNS = ["kind", "subject_id", "election_id", "community_id", "state", "due_on", "level", "raised_at",
                "notified_user_id", "copied"]
Stage = Optional[Callable[[str], None]]


FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_instant(value: Any) -> Optional[dt.datetime]:
    """Parse an ISO 8601 timestamp (naive means Asia/Shanghai) or a date (noon in Shanghai); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(12))
    elif isinstance(value, str):
        raw = value.strip()
        try:
            moment = (dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(12)) if len(raw) == 10
                      else dt.datetime.fromisoformat(raw.replace("Z", "+00:00")))
        except ValueError:
            raise InvalidRequest.one("at", "must be an ISO 8601 timestamp, e.g. 2015-01-08T09:00:00+08:00",
                                     "必须是 ISO 8601 时间，例如 2015-01-08T09:00:00+08:00") from None
    else:
        raise InvalidRequest.one("at", "must be a timestamp string or null", "必须是时间字符串或为空")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # date arithmetic near year 1 or 9999 overflows
        raise InvalidRequest.one("at", f"must be between {FIRST_YEAR} and {LAST_YEAR}",
                                 f"必须在{FIRST_YEAR}年至{LAST_YEAR}年之间")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(dt.timezone.utc)


def sweep_overdue(target: Any, at: Any = None, actor: Actor = SYSTEM, on_stage: Stage = None,
                  wait: float = 60.0) -> dict[str, int]:
    """Raise every rung now due and close those whose subject moved on; return {"raised", "closed", ...}.

    Given a UnitOfWork, run inside it. Given a Database, hold the sweep lock (waiting up to `wait` seconds,
    else InvalidState) and run in a transaction of its own.
    """
    instant = parse_instant(at) or now()
    if hasattr(target, "session"):
        return _sweep(target, instant, actor, on_stage)
    result = try_sweep(target, instant, actor, on_stage, wait)
    if result is None:
        raise InvalidState("another sweep is running; try again shortly", "另一次督办扫描正在进行，请稍后再试")
    return result


def try_sweep(database: Any, at: Any = None, actor: Actor = SYSTEM, on_stage: Stage = None,
              wait: float = 0.0) -> Optional[dict[str, int]]:
    """Sweep under the database lock; return None when another process holds it (the scheduler skips)."""
    instant = parse_instant(at) or now()
    with db_lock(database, "sweep", wait=wait) as got:
        if not got:
            return None
        started = time.perf_counter()
        with database.uow() as uow:
            result = _sweep(uow, instant, actor, on_stage)
        # counted once committed: a sweep that rolls back raised nothing
        metrics.metrics().sweep_seconds.observe(time.perf_counter() - started)
        metrics.metrics().rungs_raised.inc(result.get("raised", 0))
        return result


class _NewRungs:
    """Tracks the rungs this sweep inserted: a temporary table on PostgreSQL, ids above the old maximum on SQLite
    (an SQLite writer holds the database lock for the whole transaction, so nobody else inserts meanwhile)."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.pg = s.get_bind().dialect.name == "postgresql"
        if self.pg:
            s.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS huanjie_new_rungs (id integer PRIMARY KEY) "
                           "ON COMMIT DELETE ROWS"))
            s.execute(text("DELETE FROM huanjie_new_rungs"))
            self.ids: Any = select(_NEW.c.id)
        else:
            floor = s.scalar(select(func.coalesce(func.max(Escalation.id), 0)))
            self.ids = select(Escalation.id).where(Escalation.id > floor)

    def insert(self, sel: Any) -> int:
        """Insert the candidate rungs, skipping keys that exist; return how many were new."""
        if self.pg:
            ins = (postgresql.insert(Escalation).from_select(RUNG_COLUMNS, sel)
                   .on_conflict_do_nothing(constraint="uq_escalation_rung").returning(Escalation.id).cte("ins"))
            return inserted(self.s, insert(_NEW).from_select(["id"], select(ins.c.id)), _NEW.c.id)
        return inserted(self.s, insert(Escalation).prefix_with("OR IGNORE").from_select(RUNG_COLUMNS, sel), Escalation.id)


def inserted(s: Session, stmt: Any, key: Any) -> int:
    """Run an INSERT … SELECT and return how many rows it inserted (psycopg reports no rowcount for it)."""
    if s.get_bind().dialect.name == "postgresql":
        return int(s.scalar(select(func.count()).select_from(stmt.returning(key).cte("counted"))) or 0)
    return int(s.execute(stmt).rowcount or 0)


def _rule_set_groups(s: Session) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for name, cid in s.execute(select(Campaign.rule_set, Campaign.id).order_by(Campaign.id)):
        groups.setdefault(name, []).append(cid)
    return groups


def _sweep(uow: UnitOfWork, instant: dt.datetime, actor: Actor, on_stage: Stage) -> dict[str, int]:
    s = uow.session
    stage = on_stage or (lambda _name: None)
    day = today(instant)
    stamp = literal(instant, TS)
    new = _NewRungs(s)
    prepare_copies(s, new.pg)
    groups = _rule_set_groups(s)
    fallback = default_rule_set(s)
    names = sorted(set(groups) | {fallback})
    raised = 0
    for name in names:
        # D + offset has passed  <=>  D < today - offset
        cutoffs = {level: day - dt.timedelta(days=offset)
                   for level, offset in enumerate(get_rule_set(name).escalation_offsets_days, start=1)}
        for kind in ("election", "complaint", "objection", "dossier", "incident"):
            if kind in CAMPAIGN_KINDS and name not in groups:
                continue
            if kind == "objection" and not get_rule_set(name).voter_roll:
                continue
            scope = {"campaigns": groups[name]} if kind in CAMPAIGN_KINDS else {"rule_set": (name, fallback)}
            raised += new.insert(candidates(kind, cutoffs, stamp, new.pg, **scope))
            stage(f"{kind}s of {name}")
    dossiers = _fallback_dossiers(s, new.ids, names, fallback, day, instant, actor)
    stage("fallback dossiers")
    notified = add_digests(s, new.ids, instant, new.pg) if raised else 0
    stage("notifications")
    closed = close_moved_on(s, instant)
    stage("closed")
    result = {"raised": raised, "closed": closed, "dossiers": dossiers, "notifications": notified}
    audit(s, actor, "sweep", data={"at": instant.isoformat(), "day": day.isoformat(), **result})
    s.flush()
    return result


def _fallback_dossiers(s: Session, new_ids: Any, names: list[str], fallback: str, day: dt.date,
                       instant: dt.datetime, actor: Actor) -> int:
    """Level 3 gives the community a dossier (cause 'overdue') when it has no open one; audited set-based."""
    floor = s.scalar(select(func.coalesce(func.max(Dossier.id), 0)))
    x = aliased(Escalation)
    d = aliased(Dossier)
    made = 0
    for name in names:
        due = day + dt.timedelta(days=get_rule_set(name).dossier_fallback_days)
        sel = (select(x.community_id, literal("overdue"), literal(due), literal("open"), literal(True),
                      literal(instant, TS), literal("三级督办自动建档 / opened by a level-3 escalation"))
               .where(x.id.in_(new_ids), x.level == 3,
                      community_rule_set_expr(x.community_id, fallback) == name,
                      ~exists().where(d.community_id == x.community_id, d.status == "open"))
               .group_by(x.community_id))
        made += inserted(s, insert(Dossier).from_select(
            ["community_id", "cause", "due_on", "status", "automatic", "opened_at", "note"], sel), Dossier.id)
    if made:
        # one history row per dossier, each stamped into the chain of rows without an election
        at = now()
        rows = [stamp_history(s, {"at": at, "actor_id": actor.user_id, "actor": actor.username, "community_id": community,
                          "action": "dossier_opened", "note": str(did), "data": {"cause": "overdue", "automatic": True}})
                for did, community in s.execute(select(Dossier.id, Dossier.community_id).where(
                    Dossier.id > floor, Dossier.automatic.is_(True)).order_by(Dossier.id))]
        s.execute(insert(AuditEvent), rows)
    return made


def close_moved_on(s: Session, instant: dt.datetime) -> int:
    """Close open rungs whose subject moved on: state or due date changed, resolved, acknowledged, gone."""
    x = Escalation
    still = {
        "election": exists().where(Election.id == x.subject_id, Election.state == x.state,
                                   Election.due_on == x.due_on),
        # a complaint's rungs (also the interference rungs keyed on the receipt date) last until it is resolved
        "complaint": exists().where(Complaint.id == x.subject_id, Complaint.resolved_at.is_(None)),
        "objection": exists().where(VoterObjection.id == x.subject_id, VoterObjection.status == "open"),
        "dossier": exists().where(Dossier.id == x.subject_id, Dossier.status == "open", Dossier.due_on == x.due_on),
        "incident": exists().where(Incident.id == x.subject_id, Incident.acknowledged_at.is_(None),
                                   Incident.ack_due_on == x.due_on),
    }
    closed = 0
    for kind, cond in still.items():
        closed += s.execute(update(x).where(x.closed_at.is_(None), x.kind == kind, ~cond)
                            .values(closed_at=instant).execution_options(synchronize_session=False)).rowcount or 0
    return closed


def close_rungs(s: Session, kind: str, subject_id: int, instant: Optional[dt.datetime] = None) -> int:
    """Close the open rungs of one subject at once (a dossier resolved, an incident acknowledged)."""
    return s.execute(update(Escalation).where(Escalation.kind == kind, Escalation.subject_id == subject_id,
                                              Escalation.closed_at.is_(None))
                     .values(closed_at=instant or now()).execution_options(synchronize_session=False)).rowcount or 0


__all__ = ["sweep_overdue", "try_sweep", "parse_instant", "close_moved_on", "close_rungs",
           "escalations_for_election"]

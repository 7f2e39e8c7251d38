"""Firing triggers: the snapshot the guards read, due dates, side effects, all in one transaction."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Optional, Union

from sqlalchemy import String, Text, bindparam, cast, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from .. import guards as G
from .. import metrics
from ..facts import FACTS
from ..history import GENESIS
from ..auth import Actor, may_fire
from ..clock import SHANGHAI, now, today
from ..db import UnitOfWork
from ..errors import Forbidden, GuardsFailed, InvalidRequest, InvalidTrigger, VersionConflict
from ..machines import ALL_TRIGGERS, DEFINITIONS, runner
from ..machines.base import LEAVING
from ..models import (AuditEvent, Candidate, Certificate, CommunityOrder, Complaint, Election,
                      Escalation, Fact, Round)
from ..ruleset import get_rule_set
from . import chain
from .common import audit, parse_date, require_text
from .direct import run
from .subject import TRANSITION_COLUMNS, Subject, load_subject, sync_loaded

#: an election as the ORM loads it, or as a transition reads it: the snapshot and due dates read either
ElectionLike = Union[Election, Subject]
BLOCKING_CATEGORIES = ("bribery", "improper_competition")
REENTRY_TRIGGERS = ("another_round", "revote", "void_result")


def effective_order(s: Session, election: ElectionLike) -> str:
    """Return the community's order override in this campaign, or the campaign default."""
    override = s.get(CommunityOrder, (election.campaign_id, election.community_id))
    return override.order if override else election.campaign.order


def other_election(s: Session, election: ElectionLike) -> Optional[Election]:
    """Return the community's other election in the same campaign."""
    return s.scalars(select(Election).where(
        Election.campaign_id == election.campaign_id, Election.community_id == election.community_id,
        Election.body != election.body)).first()


def _reached_state(e: Optional[Election]) -> Optional[str]:
    if e is None:
        return None
    return e.suspended_from if e.state == "suspended" else e.state


CANDIDATE_VIEW_COLUMNS = ("id", "name", "post", "full_member", "party_member", "qualified", "on_election_committee",
                          "presented", "withdrawn", "disqualified", "voided", "elected", "party_post",
                          "full_time_deputy", "id_hash", "gender")
#: read after `certified` (the views' keyword fields)
CANDIDATE_VIEW_EXTRA = ("write_in",)


def _snapshot_statements() -> dict[str, Any]:
    """Build once: the snapshot's reads as Core statements on the tables, the election's id bound as `eid`."""
    f, r, c, k, cert = (m.__table__ for m in (Fact, Round, Complaint, Candidate, Certificate))
    eid = bindparam("eid")
    certified = (select(cert.c.id).where(cert.c.candidate_id == k.c.id, cert.c.revoked_at.is_(None))
                 .exists().label("certified"))
    return {
        "facts": select(f.c.key, f.c.value).where(f.c.election_id == eid),
        "rounds": select(r.c.id, r.c.kind, r.c.valid, r.c.problems, r.c.basis, r.c.tied).where(
            r.c.election_id == eid, r.c.superseded.is_(False)).order_by(r.c.id),
        "complaints": select(c.c.candidate_id).where(
            c.c.election_id == eid, c.c.resolved_at.is_(None), c.c.category.in_(BLOCKING_CATEGORIES),
            c.c.candidate_id.is_not(None)),
        "candidates": select(*(k.c[name] for name in CANDIDATE_VIEW_COLUMNS), certified,
                             *(k.c[name] for name in CANDIDATE_VIEW_EXTRA), k.c.review_status)
        .where(k.c.election_id == eid).order_by(k.c.id),
    }


_SNAPSHOT_READS = _snapshot_statements()


def _read(s: Session, part: str, election_id: int) -> Any:
    """Run one of the snapshot's reads on the session's connection (flushed first, so it sees this unit of work)."""
    return s.connection().execute(_SNAPSHOT_READS[part], {"eid": election_id})


def candidate_views(s: Session, election_id: int) -> tuple[G.CandidateView, ...]:
    """Return the guards' view of an election's candidates (one query of plain columns, no ORM objects)."""
    n = len(CANDIDATE_VIEW_COLUMNS)
    m = n + 1 + len(CANDIDATE_VIEW_EXTRA)
    return tuple(G.CandidateView(*row[:n], certified=bool(row[n]), review=row[m],
                                 **{name: bool(v) for name, v in zip(CANDIDATE_VIEW_EXTRA, row[n + 1:m])})
                 for row in _read(s, "candidates", election_id))


#: what each guard reads beyond the election and its community, so that a transition loads only that;
#: a guard missing here makes snapshot() load everything (never a wrong answer, only a slower one)
SNAPSHOT_PARTS = frozenset({"facts", "candidates", "rounds", "complaints", "order"})
GUARD_READS: dict[str, frozenset[str]] = {
    **{key: frozenset({"facts"}) for key in FACTS},
    **{code: frozenset({"facts"}) for code in ("contingency_plan_filed", "seats_in_range", "election_mode_set",
                                                 "election_day_set", "voter_list_timely", "candidate_list_timely")},
    **{code: frozenset({"candidates"}) for code in (
        "candidates_eligible", "candidate_surplus", "candidates_qualified", "candidates_reviewed",
        "election_committee_independent",
        "candidates_presented", "seats_unfilled", "certificates_issued", "candidate_elected",
        "secretary_elected")},
    # the vacancy rule reads the approval, the last round and who is elected
    "seats_filled": frozenset({"facts", "candidates", "rounds"}),
    **{code: frozenset({"rounds"}) for code in ("round_recorded", "round_valid", "round_invalid")},
    "no_open_complaints": frozenset({"candidates", "complaints"}),
    "party_election_certified": frozenset({"order"}),
    "residents_election_certified": frozenset({"order"}),
    "legal_basis_correct": frozenset(),
    "village_law_applicable": frozenset(),
}


def parts_read_by(codes: Any) -> frozenset[str]:
    """Return the snapshot parts the given guards read."""
    return frozenset().union(*(GUARD_READS.get(code, SNAPSHOT_PARTS) for code in codes))


def snapshot(s: Session, election: ElectionLike, with_other: bool = True,
             codes: Optional[tuple[str, ...]] = None) -> G.GuardContext:
    """Build the read-only context the guards evaluate; with codes, only what those guards read."""
    parts = SNAPSHOT_PARTS if codes is None else parts_read_by(codes)
    community = election.community
    if parts - {"order"}:
        s.flush()  # the reads below go straight to the connection: let them see this unit of work's changes
    facts: dict[str, Any] = {}
    if "facts" in parts:
        facts = {key: value for key, value in _read(s, "facts", election.id)}
    rounds: tuple[G.RoundView, ...] = ()
    if "rounds" in parts:
        rounds = tuple(G.RoundView(rid, kind, valid, tuple(problems or ()), basis or "",
                                   {p: tuple(ids) for p, ids in (tied or {}).items()})
                       for rid, kind, valid, problems, basis, tied in _read(s, "rounds", election.id))
    blocking: frozenset[int] = frozenset()
    if "complaints" in parts:
        blocking = frozenset(cid for (cid,) in _read(s, "complaints", election.id))
    order, other_state = "party_first", None
    if "order" in parts:
        order = effective_order(s, election)
        other_state = _reached_state(other_election(s, election)) if with_other else None
    return G.GuardContext(
        body=election.body, state=election.state, rules=get_rule_set(election.campaign.rule_set),
        facts=facts, seats={k: int(v) for k, v in (election.seats or {}).items()},
        candidates=candidate_views(s, election.id) if "candidates" in parts else (), rounds=rounds,
        key_difficult=community.key_difficult, village_converted=community.village_converted,
        collective_reform_done=community.collective_reform_done, village_law=election.village_law,
        party_org_type=community.party_org_type, party_members=community.party_members or 0, order=order, other_state=other_state,
        blocking_complaints=blocking, round_permit=election.round_permit)


def due_for(election: ElectionLike, state: str, entered: dt.date) -> Optional[dt.date]:
    """Return the due date of a state (the one place due dates are computed; see due_with_source)."""
    return due_with_source(election, state, entered)[0]


def due_with_source(election: ElectionLike, state: str, entered: Optional[dt.date]
                    ) -> tuple[Optional[dt.date], Optional[str]]:
    """Return a state's due date and what set it: the campaign's date, election day + the rule set's offset
    (domain.md §6, §11: the earlier of the two), or for handover the result + the rule set's days; closed none.

    entered is the day the state was entered (for handover: the day the result was announced); None when the
    state is still ahead, so that no result-based date applies yet.
    """
    if state == "closed":
        return None, None
    if state == "suspended":
        return election.review_on, "campaign"
    rules = get_rule_set(election.campaign.rule_set)
    raw = (election.campaign.due or {}).get(state)
    due: Optional[dt.date] = dt.date.fromisoformat(raw) if raw else None
    source = "campaign" if due else None
    offset = rules.offset(state) if election.body == "residents" else None
    day = getattr(election, "election_day", None)
    if offset is not None and day is not None:
        planned = day + dt.timedelta(days=offset)
        if due is None or planned < due:
            due, source = planned, "election_day"
    if state == "handover" and entered is not None:
        limit = entered + dt.timedelta(days=rules.handover_days)
        if due is None or limit < due:
            due, source = limit, "result"
    if due is not None and election.due_shift_days:
        due += dt.timedelta(days=election.due_shift_days)
    return due, source


@lru_cache(maxsize=None)
def reentry_fact_keys(body: str, state: str) -> frozenset[str]:
    """Return the fact keys read in a state and every later state (cleared when the state is re-entered)."""
    definition = DEFINITIONS[body]
    keys: set[str] = set()
    for st in definition.states_from(state):
        trig = LEAVING.get(st)
        if trig:
            for code in definition.guards(trig):
                # the guard's own fact, and the facts a computed guard reads (seats_filled: vacancy_approved)
                keys.update(k for k in (code, *G.GUARDS[code].reads) if k in FACTS)
    return frozenset(keys)


_FACTS = Fact.__table__
_FACTS_OF = (select(_FACTS.c.id, _FACTS.c.key, _FACTS.c.value)
             .where(_FACTS.c.election_id == bindparam("eid"), _FACTS.c.key.in_(bindparam("keys", expanding=True))))
_DELETE_FACTS = delete(_FACTS).where(_FACTS.c.id.in_(bindparam("ids", expanding=True)))


def clear_facts_from(s: Session, actor: Actor, election: ElectionLike, state: str) -> list[str]:
    """Clear the facts of state and later states; the history keeps their values."""
    s.flush()
    conn = s.connection()
    rows = conn.execute(_FACTS_OF, {"eid": election.id, "keys": sorted(reentry_fact_keys(election.body, state))}).all()
    if rows:
        audit(s, actor, "facts_cleared", election=election,  # type: ignore[arg-type]
              data={"facts": {f.key: f.value for f in rows}, "reason": f"re-entered {state}"})
        conn.execute(_DELETE_FACTS, {"ids": [f.id for f in rows]})
    return sorted(f.key for f in rows)


def parse_trigger_request(trigger: Any, note: Any, review_on: Any) -> tuple[str, Optional[str], Optional[dt.date]]:
    """Check the body of a transition request (400s before any 409)."""
    if not isinstance(trigger, str) or trigger not in ALL_TRIGGERS:
        raise InvalidRequest.one("trigger", "is not a known trigger", "不是已知的操作")
    note_text = require_text(note, "note", 2000, required=trigger == "suspend")
    review = parse_date(review_on, "review_on", required=False)
    if review is not None and trigger != "suspend":
        raise InvalidRequest.one("review_on", "is only for suspend", "仅用于暂停")
    return trigger, note_text, review


def available(definition_body: str, ctx: G.GuardContext, election: Election) -> list[dict[str, Any]]:
    """Return the triggers offered from the current state (void_result never; village law only where it applies)."""
    definition = DEFINITIONS[definition_body]
    out, seen = [], set()
    for t in definition.triggers_from(election.state):
        name = t["trigger"]
        if name in definition.internal or name in seen:
            continue
        if "resumes_to" in t and t["resumes_to"] != election.suspended_from:
            continue
        if name == "apply_village_law" and not G.village_law_applicable(ctx):
            continue
        seen.add(name)
        out.append(t)
    return out


def fire_trigger(uow: UnitOfWork, actor: Actor, election_id: Any, trigger: Any, version: Any,
                 note: Any = None, review_on: Any = None) -> Subject:
    """Fire a trigger on an election: checks in contract order, then state, side records and audit atomically.

    Returns the election as the transition left it (state, version, due date...); an `Election` the caller's
    unit of work already holds is brought up to date as well.
    """
    try:
        return _fire_trigger(uow, actor, election_id, trigger, version, note, review_on)
    except (InvalidRequest, InvalidTrigger, Forbidden, VersionConflict) as exc:
        # guard failures and successes are counted where the machine runs (_apply), for every caller
        metrics.transition(str(trigger), exc.code, ALL_TRIGGERS)
        raise


def _fire_trigger(uow: UnitOfWork, actor: Actor, election_id: Any, trigger: Any, version: Any,
                  note: Any, review_on: Any) -> Subject:
    s = uow.session
    election = load_subject(s, actor, election_id)
    trigger, note_text, review = parse_trigger_request(trigger, note, review_on)
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidRequest.one("version", "must be an integer", "必须是整数")
    definition = DEFINITIONS[election.body]
    if trigger in definition.internal or not runner(election.body).can_fire(election.state, trigger):
        raise InvalidTrigger()
    if trigger == "resume" and election.suspended_from is None:
        raise InvalidTrigger()
    if not may_fire(actor, trigger):
        raise Forbidden()
    if election.version != version:
        raise VersionConflict()
    _apply(s, actor, election, trigger, note_text, review)
    return election


def _apply(s: Session, actor: Actor, election: Subject, trigger: str, note: Optional[str],
           review: Optional[dt.date], data: Optional[dict[str, Any]] = None) -> None:
    """Evaluate the trigger's guards, run the shared machine, write the transition and its side records."""
    # only what the trigger's guards read; a trigger without guards (suspend, resume) needs no snapshot at all
    codes = DEFINITIONS[election.body].guards(trigger)
    failing = G.unmet(codes, snapshot(s, election, codes=codes)) if codes else []
    if failing:
        metrics.transition(trigger, "guard_failed", ALL_TRIGGERS)
        metrics.guard_failures(u.code for u in failing)
        raise GuardsFailed(failing)
    source = election.state
    # the guards were just evaluated on the snapshot: the machine's condition reuses that verdict
    dest = runner(election.body).fire(source, trigger, lambda _t: not failing, resumes_to=election.suspended_from)
    if dest is None:  # the machine refused although the guards held: treat as invalid
        raise InvalidTrigger()
    extra = _transition(s, actor, election, trigger, source, dest, review, data)
    _write_transition(s, election, {
        "at": now(), "actor_id": actor.user_id, "actor": actor.username, "action": "transition",
        "election_id": election.id, "community_id": election.community_id, "from_state": source, "to_state": dest,
        "trigger": trigger, "note": note, "data": extra})
    if election.open_rungs:
        _close_rungs(s, election)
    sync_loaded(s, election)
    metrics.transition(trigger, "ok", ALL_TRIGGERS)


def _transition(s: Session, actor: Actor, election: Subject, trigger: str, source: str, dest: str,
                review: Optional[dt.date], data: Optional[dict[str, Any]]) -> dict[str, Any]:
    """Set the election's new values and write the side records (facts cleared); return the audit row's data."""
    day = today()
    rules = get_rule_set(election.campaign.rule_set)
    extra: dict[str, Any] = dict(data or {})
    if trigger == "suspend":
        election.suspended_from = source
        election.suspended_on = day
        election.review_on = review or day + dt.timedelta(days=rules.suspension_review_days)
        extra["review_on"] = election.review_on.isoformat()
    elif trigger == "resume":
        spent = (day - (election.suspended_on or day)).days
        election.due_shift_days += spent
        extra["days_suspended"] = spent
        election.suspended_from = election.suspended_on = election.review_on = None
    elif trigger == "apply_village_law":
        election.village_law = True
    if trigger in REENTRY_TRIGGERS:
        election.round_permit = next_round_kind(s, election, trigger)
        extra["round_kind"] = election.round_permit
        extra["facts_cleared"] = clear_facts_from(s, actor, election, dest)
    result_day = None
    if dest == "handover":
        # handover is due from the result, not from entering handover (VCL Art. 20); resuming into it too
        result_day = _result_day(s, election)
    moved_on = dest != source and trigger not in ("suspend", "resume")
    if moved_on:
        election.due_shift_days = 0
    election.state = dest
    if moved_on or trigger in REENTRY_TRIGGERS:
        election.state_entered_at = now()
    entered = shanghai_date(election.state_entered_at) if election.state_entered_at else day
    election.due_on = due_for(election, dest, result_day or entered)
    election.updated_at = now()
    return extra


_RESULT_AT = (select(AuditEvent.at).where(AuditEvent.election_id == bindparam("eid"),
                                          AuditEvent.trigger == "announce_result")
              .order_by(AuditEvent.id.desc()).limit(1))


def _result_day(s: Session, election: Subject) -> Optional[dt.date]:
    """The Shanghai day the election's (latest) result was announced, or None."""
    at = s.connection().execute(_RESULT_AT, {"eid": election.id}).scalar()
    return shanghai_date(at) if at is not None else None


_LAST_ROUND = (select(Round.tied).where(Round.election_id == bindparam("eid"), Round.superseded.is_(False))
               .order_by(Round.id.desc()).limit(1))


def next_round_kind(s: Session, election: Subject, trigger: str) -> str:
    """The round kind a re-entry awaits: a by-election after a void, a tie-break after a tie, else another round.

    A by-election still awaited stays awaited (an another_round fired meanwhile does not skip it).
    """
    if trigger == "revote":
        return "revote"
    if trigger == "void_result" or election.round_permit == "by_election":
        return "by_election"
    tied = s.connection().execute(_LAST_ROUND, {"eid": election.id}).scalar()
    return "tie_break" if any(tied or {}) and any((tied or {}).values()) else "another"


def _close_rungs(s: Session, election: Subject) -> None:
    """Close the election's open escalation rungs as soon as it moves on (the sweep would, but later)."""
    moved = Escalation.state != election.state
    if election.due_on is not None:
        moved = moved | (Escalation.due_on != election.due_on)
    s.connection().execute(update(Escalation).where(
        Escalation.kind == "election", Escalation.subject_id == election.id, Escalation.closed_at.is_(None),
        moved).values(closed_at=now()))


def shanghai_date(at: dt.datetime) -> dt.date:
    """Return the Shanghai calendar date of a stored instant (SQLite hands timestamps back naive, in UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(SHANGHAI).date()


AUDIT_COLUMNS = ("at", "actor_id", "actor", "action", "election_id", "community_id", "from_state", "to_state",
                 "trigger", "note", "data")


def _write_statements() -> tuple[Any, Any, Any]:
    """Build once: the version-checked UPDATE, the history INSERT, and both as one PostgreSQL statement."""
    e, a = Election.__table__, AuditEvent.__table__
    moved = (update(e).where(e.c.id == bindparam("w_id"), e.c.version == bindparam("w_version"))
             .values(version=e.c.version + 1, **{name: bindparam(f"w_{name}") for name in TRANSITION_COLUMNS}))
    history = insert(a)
    # PostgreSQL: the history row is inserted from the UPDATE's RETURNING, so it exists exactly when the
    # version matched, and the whole write is one round trip; its id is drawn and its hash computed in the same
    # statement (SHA-256 of the chain's head and the encoding workflow.history made, with the id spliced in),
    # under the election's row lock the transition holds since it read the election
    updated = moved.returning(e.c.id).cte("moved")
    # (prefixed: execute parameters named like an elections column would join the UPDATE's SET clause)
    binds = {name: bindparam(f"h_{name}", type_=a.c[name].type) for name in AUDIT_COLUMNS}
    new_id = select(func.nextval(literal(chain.SEQUENCE)).label("nid")).select_from(updated).cte("nid")
    head = (select(a.c.hash).where(a.c.election_id == binds["election_id"]).order_by(a.c.id.desc()).limit(1)
            .scalar_subquery())
    text_ = func.coalesce(head, literal(GENESIS, String)).concat(bindparam("h_head", type_=Text)).concat(
        cast(new_id.c.nid, Text)).concat(bindparam("h_tail", type_=Text))
    digest = func.encode(func.sha256(func.convert_to(text_, literal("UTF8"))), literal("hex"))
    row = select(new_id.c.nid, digest, *binds.values()).select_from(new_id)
    both = (insert(a).from_select(["id", "hash", *AUDIT_COLUMNS], row).returning(a.c.id, a.c.hash)
            .execution_options(preserve_rowcount=True))
    return moved, history, both


_UPDATE_ELECTION, _INSERT_HISTORY, _UPDATE_WITH_HISTORY = _write_statements()


def _write_transition(s: Session, election: Subject, history: dict[str, Any]) -> None:
    """Write the transition's columns with the next version, and its history row, after the side records.

    The optimistic lock: only a transition moves the version, and only from the version that was read; a version
    moved by someone else writes nothing and raises VersionConflict.
    """
    s.flush()  # the side records' history rows (facts cleared) come before the transition's own
    conn = s.connection()
    params = {f"w_{name}": getattr(election, name) for name in TRANSITION_COLUMNS}
    params.update(w_id=election.id, w_version=election.version)
    if conn.dialect.name == "postgresql":
        params["h_head"], params["h_tail"] = chain.stamp_parts(s, history)
        params.update((f"h_{name}", history[name]) for name in AUDIT_COLUMNS)
        written = run(s, _UPDATE_WITH_HISTORY, params, returns_rows=True).first()
        if written is None:
            raise VersionConflict()
        chain.appended(s, election.id, written[1])
    else:
        if conn.execute(_UPDATE_ELECTION, params).rowcount != 1:
            raise VersionConflict()
        conn.execute(_INSERT_HISTORY, chain.stamp(s, history))
    election.version += 1


def fire_internal(s: Session, actor: Actor, election: Election, trigger: str, note: Optional[str],
                  data: dict[str, Any]) -> None:
    """Fire a trigger the engine fires itself (void_result from a complaint's resolution); keeps election in step."""
    _apply(s, actor, load_subject(s, None, election.id), trigger, note, None, data)

"""Objections to the published roll (申诉, domain.md §10; VCL Art. 14): filed within the rule set's days,
decided within its days, escalating when late; `voter_objections_resolved` is computed from them."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth import Actor, may_edit_election, require
from ..clock import now, today
from ..db import UnitOfWork
from ..errors import InvalidRequest, InvalidState, NotFound
from ..models import Election, Fact, Voter, VoterObjection
from ..roll import Person
from .common import audit, get_election, parse_date, require_choice, require_int, require_text
from .sweep import close_rungs
from .voters import (_require_names, add_person, check_voter, duplicate_error, published_on, roll_rules, take_off,
                     voter_dict)

KINDS = ("add", "remove", "correct")
DECISIONS = ("upheld", "rejected")


def objection_dict(o: VoterObjection, day: Optional[dt.date] = None) -> dict[str, Any]:
    """Return an objection as the API shows it (the person's id number masked)."""
    person = {k: v for k, v in (o.person or {}).items() if k != "id_hash"}
    day = day or today()
    return {"id": o.id, "election": o.election_id, "kind": o.kind, "voter": o.voter_id, "person": person or None,
            "reason": o.reason, "filed_on": o.filed_on.isoformat(), "due_on": o.due_on.isoformat(),
            "status": o.status, "overdue": o.status == "open" and o.due_on < day,
            "decision_note": o.decision_note,
            "decided_at": o.decided_at.isoformat() if o.decided_at else None}


def set_computed_fact(s: Session, actor: Actor, election: Election, key: str, value: Any) -> None:
    """Record a fact the engine computes (never by hand under a roll), with its history row."""
    fact = s.scalars(select(Fact).where(Fact.election_id == election.id, Fact.key == key)).first()
    previous = fact.value if fact else None
    if fact is not None and previous == value:
        return
    if fact is None:
        fact = Fact(election_id=election.id, key=key)
        s.add(fact)
    fact.value, fact.note, fact.recorded_by, fact.recorded_at = value, "computed", actor.user_id, now()
    audit(s, actor, "fact_recorded", election=election, note="computed from the voter roll",
          data={"key": key, "value": value, "previous": previous, "computed": True})


def open_objections(s: Session, election_id: int) -> int:
    """Return the number of objections still open."""
    return s.scalar(select(func.count()).select_from(VoterObjection).where(
        VoterObjection.election_id == election_id, VoterObjection.status == "open")) or 0


def _voter_of(s: Session, election: Election, raw: Any) -> Voter:
    vid = require_int(raw, "voter", 1, 2**62)
    voter = s.get(Voter, vid)
    if voter is None or voter.election_id != election.id or voter.status != "registered":
        raise InvalidRequest.one("voter", "is not a voter on this roll", "不是本选民名单中的选民")
    return voter


def file_objection(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> VoterObjection:
    """File an objection within objection_days of the first publication; it is due objection_decision_days later."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    rules = roll_rules(election)
    assert rules.roll is not None
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = sorted(set(raw) - {"kind", "voter", "person", "reason", "filed_on"})
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in unknown})
    kind = require_choice(raw.get("kind"), "kind", KINDS)
    reason = require_text(raw.get("reason"), "reason", 2000)
    filed = parse_date(raw.get("filed_on"), "filed_on", required=False) or today()
    if filed > today():
        raise InvalidRequest.one("filed_on", "must not be later than today", "不能晚于今天")
    first = published_on(s, election.id)
    if first is None:
        raise InvalidState("objections are filed once the roll is published", "选民名单公布后才能提出申诉")
    if filed < first:
        raise InvalidRequest.one("filed_on", "must not be earlier than the roll's publication", "不能早于选民名单公布日期")
    voter: Optional[Voter] = None
    person: Optional[Person] = None
    if kind in ("remove", "correct"):
        voter = _voter_of(s, election, raw.get("voter"))
    elif raw.get("voter") is not None:
        raise InvalidRequest.one("voter", "an objection to add a person names no voter", "增补申诉不填写选民")
    if kind in ("add", "correct"):
        if not isinstance(raw.get("person"), dict):
            raise InvalidRequest.one("person", "is required: the person's voter fields", "必填：该人员的选民信息")
        assert election.election_day is not None or True
        person = check_voter(raw["person"], election.election_day or first, rules)
    require(may_edit_election(actor))
    if (filed - first).days > rules.roll.objection_days:
        raise InvalidState(f"objections are filed within {rules.roll.objection_days} days of the roll's publication "
                           f"({first.isoformat()})",
                           f"申诉应自选民名单公布（{first.isoformat()}）之日起{rules.roll.objection_days}日内提出")
    row = VoterObjection(election_id=election.id, community_id=election.community_id, kind=kind,
                         voter_id=voter.id if voter else None, person=person.stored() if person else {},
                         reason=reason or "", filed_on=filed,
                         due_on=filed + dt.timedelta(days=rules.roll.objection_decision_days), status="open",
                         filed_by=actor.user_id, filed_at=now())
    s.add(row)
    s.flush()
    set_computed_fact(s, actor, election, "voter_objections_resolved", False)
    audit(s, actor, "objection_filed", election=election, note=reason, data=objection_dict(row))
    s.flush()
    return row


def decide_objection(uow: UnitOfWork, actor: Actor, objection_id: Any, decision: Any, note: Any) -> VoterObjection:
    """Decide an objection; an upheld one changes the roll with the checks of registration."""
    s = uow.session
    if isinstance(objection_id, bool) or not str(objection_id).isdigit():
        raise NotFound()
    row = s.get(VoterObjection, int(objection_id))
    if row is None:
        raise NotFound()
    election = get_election(s, actor, row.election_id, for_update=True)
    rules = roll_rules(election)
    verdict = require_choice(decision, "decision", DECISIONS)
    note_text = require_text(note, "note", 2000, required=False)
    require(may_edit_election(actor))
    if row.status != "open":
        raise InvalidState("this objection is already decided", "该申诉已作出处理决定")
    if verdict == "upheld":
        _apply(s, actor, election, row, rules)
    row.status, row.decision_note, row.decided_by, row.decided_at = verdict, note_text, actor.user_id, now()
    s.flush()
    close_rungs(s, "objection", row.id)
    if open_objections(s, election.id) == 0:
        set_computed_fact(s, actor, election, "voter_objections_resolved", True)
    audit(s, actor, "objection_decided", election=election, note=note_text, data=objection_dict(row))
    s.flush()
    return row


def _person(row: VoterObjection) -> Person:
    p = row.person
    return Person(name=p["name"], gender=p["gender"], birth_date=dt.date.fromisoformat(p["birth_date"]),
                  id_hash=p["id_hash"], id_mask=p["id_number"], household=p.get("household"), group=p.get("group"),
                  category=p["category"],
                  resident_since=dt.date.fromisoformat(p["resident_since"]) if p.get("resident_since") else None)


def _apply(s: Session, actor: Actor, election: Election, row: VoterObjection, rules: Any) -> None:
    """Change the roll as the upheld objection asks (a duplicate person refuses the decision: nothing changes)."""
    if row.kind == "add":
        voter = add_person(s, actor, election, _person(row))
        audit(s, actor, "voter_registered", election=election, note=f"objection {row.id}",
              data={"voter": voter.id, "objection": row.id, **_person(row).as_dict()})
        return
    voter = s.get(Voter, row.voter_id)
    if voter is None or voter.status != "registered":
        raise InvalidState("the voter is no longer on the roll", "该选民已不在名单中")
    if row.kind == "remove":
        take_off(s, voter, f"objection {row.id}: {row.reason}"[:500])
        audit(s, actor, "voter_removed", election=election, note=row.reason,
              data={"voter": voter.id, "objection": row.id, "name": voter.name, "id_number": voter.id_mask})
        return
    person = _person(row)
    if person.id_hash != voter.id_hash:
        dup = duplicate_error(s, actor, election.campaign_id, person.id_hash)
        if dup is not None:
            raise dup
    before = voter_dict(voter)
    voter.name, voter.gender, voter.birth_date = person.name, person.gender, person.birth_date
    voter.id_hash, voter.id_mask, voter.active_key = person.id_hash, person.id_mask, person.id_hash
    voter.household, voter.group_name, voter.category = person.household, person.group, person.category
    voter.resident_since = person.resident_since
    audit(s, actor, "voter_corrected", election=election, note=row.reason,
          data={"voter": voter.id, "objection": row.id, "before": before, "after": voter_dict(voter)})


def list_objections(s: Session, actor: Actor, election_id: Any, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """Return an election's objections, open and oldest due first."""
    election = get_election(s, actor, election_id)
    roll_rules(election)
    _require_names(actor)
    base = select(VoterObjection).where(VoterObjection.election_id == election.id)
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = s.scalars(base.order_by(VoterObjection.status != "open", VoterObjection.due_on, VoterObjection.id)
                     .limit(per_page).offset((page - 1) * per_page)).all()
    day = today()
    return {"items": [objection_dict(o, day) for o in rows], "total": total, "page": page, "per_page": per_page}

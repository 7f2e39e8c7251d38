"""The voter roll (选民登记, domain.md §10): registration, removal, proxies, the computed counts."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth import Actor, may_edit_election, require
from ..clock import now, today
from ..config import identity_key
from ..db import UnitOfWork
from ..errors import Duplicate, Forbidden, InvalidRequest, InvalidState, NotFound
from ..models import Community, Election, Fact, Voter
from ..roll import Person, PersonProblems, check_person
from ..ruleset import RuleSet, get_rule_set
from .common import audit, get_election, in_scope, require_int, require_text

REGISTRATION_STATES = ("preparation", "nomination")
#: from voting on, a proxy can no longer be given (domain.md §10)
NO_PROXY_STATES = ("voting", "certification", "handover", "summary", "closed")
MAX_PER_PAGE = 500


def roll_rules(election: Election) -> RuleSet:
    """Return the election's rule set if it keeps a voter roll for this body, else raise InvalidState."""
    rules = get_rule_set(election.campaign.rule_set)
    if election.body != "residents" or not rules.voter_roll:
        raise InvalidState("this election keeps no voter roll (residents' elections under a rule set with voter_roll)",
                           "该选举不设选民名单（仅适用于设有选民登记的居委会选举）")
    return rules


def published_on(s: Session, election_id: int) -> Optional[dt.date]:
    """Return the day the roll was first published (the fact voter_list_published_on), or None."""
    value = s.scalar(select(Fact.value).where(Fact.election_id == election_id, Fact.key == "voter_list_published_on"))
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _open_roll(s: Session, actor: Actor, election_id: Any) -> tuple[Election, RuleSet, dt.date]:
    """The election whose roll may change: a roll, before publication, with election day (409s in api.md order)."""
    election = get_election(s, actor, election_id, for_update=True)
    rules = roll_rules(election)
    if election.state not in REGISTRATION_STATES or published_on(s, election.id) is not None:
        raise InvalidState("voters are registered in preparation and nomination, before the roll is published",
                           "选民登记须在准备和提名阶段、选民名单公布之前进行")
    if election.election_day is None:
        raise InvalidState("record the fact election_day first: ages are counted on it",
                           "请先填写选举日：年龄以选举日计算")
    return election, rules, election.election_day


def check_voter(raw: Any, election_day: dt.date, rules: RuleSet) -> Person:
    """Check a person for the roll; raise InvalidRequest with every field (never echoing the id number)."""
    assert rules.roll is not None
    try:
        return check_person(raw, election_day, rules.roll, identity_key(), today())
    except PersonProblems as exc:
        raise InvalidRequest(exc.problems) from None


def duplicate_error(s: Session, actor: Actor, campaign_id: int, key: str) -> Optional[Duplicate]:
    """Return the 409 for a person already on a roll of the campaign (the community named only in scope)."""
    row = s.execute(select(Community).join(Voter, Voter.community_id == Community.id)
                    .where(Voter.campaign_id == campaign_id, Voter.active_key == key)).scalars().first()
    if row is None:
        return None
    if in_scope(actor, row):
        return Duplicate(f"this person is already on the roll of {row.name} ({row.code}) in this campaign",
                         f"此人已登记在本次换届{row.name}（{row.code}）的选民名单中")
    return Duplicate("this person is already on another roll in this campaign", "此人已登记在本次换届的其他选民名单中")


def voter_dict(v: Voter, names: bool = True) -> dict[str, Any]:
    """Return a voter as the API shows it: the id number masked, never whole."""
    return {"id": v.id, "election": v.election_id, "name": v.name, "gender": v.gender,
            "birth_date": v.birth_date.isoformat(), "id_number": v.id_mask, "household": v.household,
            "group": v.group_name, "category": v.category,
            "resident_since": v.resident_since.isoformat() if v.resident_since else None, "status": v.status,
            "removed_reason": v.removed_reason, "proxy_holder": v.proxy_holder_id}


def new_voter(election: Election, person: Person, actor: Actor) -> dict[str, Any]:
    """Return the row values of a registered person (shared by registration, import and objections)."""
    return {"election_id": election.id, "campaign_id": election.campaign_id, "community_id": election.community_id,
            "name": person.name, "gender": person.gender, "birth_date": person.birth_date,
            "id_hash": person.id_hash, "id_mask": person.id_mask, "active_key": person.id_hash,
            "household": person.household, "group_name": person.group, "category": person.category,
            "resident_since": person.resident_since, "status": "registered", "created_by": actor.user_id,
            "created_at": now()}


def add_person(s: Session, actor: Actor, election: Election, person: Person) -> Voter:
    """Put a checked person on the roll, or raise Duplicate; nothing is written on a duplicate."""
    dup = duplicate_error(s, actor, election.campaign_id, person.id_hash)
    if dup is not None:
        raise dup
    voter = Voter(**new_voter(election, person, actor))
    try:
        with s.begin_nested():
            s.add(voter)
            s.flush()
    except IntegrityError:  # registered elsewhere at the same moment
        raise duplicate_error(s, actor, election.campaign_id, person.id_hash) or Duplicate() from None
    return voter


def register_voter(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> Voter:
    """Register a voter (domain.md §10): 409s first (roll, state, election day), then the body, then duplicates."""
    s = uow.session
    election, rules, day = _open_roll(s, actor, election_id)
    person = check_voter(raw, day, rules)
    require(may_edit_election(actor))
    voter = add_person(s, actor, election, person)
    audit(s, actor, "voter_registered", election=election, data={"voter": voter.id, **person.as_dict()})
    s.flush()
    return voter


def get_voter(s: Session, actor: Actor, voter_id: Any) -> tuple[Voter, Election]:
    """Load a voter whose election the actor may see, or raise NotFound."""
    if isinstance(voter_id, bool) or not (isinstance(voter_id, int) or (isinstance(voter_id, str)
                                                                        and voter_id.isdigit())):
        raise NotFound()
    voter = s.get(Voter, int(voter_id))
    if voter is None:
        raise NotFound()
    return voter, get_election(s, actor, voter.election_id, for_update=True)


def remove_voter(uow: UnitOfWork, actor: Actor, voter_id: Any, reason: Any) -> Voter:
    """Take a voter off the roll before publication; the history keeps the reason."""
    s = uow.session
    voter, election = get_voter(s, actor, voter_id)
    reason_text = require_text(reason, "reason", 500)
    require(may_edit_election(actor))
    roll_rules(election)
    if published_on(s, election.id) is not None or election.state not in REGISTRATION_STATES:
        raise InvalidState("after publication the roll changes only through objections", "选民名单公布后只能通过申诉更正")
    if voter.status != "registered":
        raise InvalidState("this voter was already removed", "该选民已被移除")
    take_off(s, voter, reason_text)
    audit(s, actor, "voter_removed", election=election, note=reason_text,
          data={"voter": voter.id, "name": voter.name, "id_number": voter.id_mask})
    s.flush()
    return voter


def take_off(s: Session, voter: Voter, reason: Optional[str]) -> None:
    """Mark a voter removed, free their place in the campaign, and cancel proxies to and from them."""
    voter.status, voter.active_key, voter.removed_reason, voter.removed_at = "removed", None, reason, now()
    voter.proxy_holder_id = None
    s.execute(update(Voter).where(Voter.proxy_holder_id == voter.id).values(proxy_holder_id=None, proxy_given_at=None)
              .execution_options(synchronize_session=False))


def give_proxy(uow: UnitOfWork, actor: Actor, voter_id: Any, holder: Any) -> Voter:
    """Record a written proxy (委托投票): one per voter, at most proxy_max per holder, before voting opens."""
    s = uow.session
    voter, election = get_voter(s, actor, voter_id)
    holder_id = require_int(holder, "holder", 1, 2**62)
    require(may_edit_election(actor))
    rules = roll_rules(election)
    limit = rules.residents_rules(election.village_law).proxy_max
    if election.state in NO_PROXY_STATES or election.state == "suspended" and election.suspended_from in NO_PROXY_STATES:
        raise InvalidState("no proxy can be given once voting has opened", "投票开始后不能再办理委托投票")
    target = s.get(Voter, holder_id)
    if voter.status != "registered":
        raise InvalidState("this person is not on the roll", "该人员不在选民名单中")
    if target is None or target.election_id != election.id or target.status != "registered" or target.id == voter.id:
        raise InvalidState("the holder must be another voter on the same roll", "受托人必须是同一选民名单中的其他选民")
    if voter.proxy_holder_id is not None:
        raise InvalidState("this voter has already given a proxy", "该选民已委托他人投票")
    if target.proxy_holder_id is not None:
        raise InvalidState("the holder has given a proxy themselves", "受托人本人已委托他人投票")
    held = s.scalar(select(func.count()).select_from(Voter).where(Voter.proxy_holder_id == target.id)) or 0
    if held >= limit:
        raise InvalidState(f"a voter may hold at most {limit} proxies", f"每一选民接受委托不得超过{limit}人")
    voter.proxy_holder_id, voter.proxy_given_at = target.id, now()
    audit(s, actor, "proxy_given", election=election, data={"voter": voter.id, "holder": target.id,
                                                             "name": voter.name, "holder_name": target.name})
    s.flush()
    return voter


def _require_names(actor: Actor) -> None:
    """Observers see counts, not names (domain.md §10, 个人信息保护法)."""
    if actor.role not in ("admin", "supervisor", "cadre", "inspector"):
        raise Forbidden("observers see the roll's counts, not its names", "观察员只能查看选民人数，不能查看名单")


def list_voters(s: Session, actor: Actor, election_id: Any, q: Any = None, page: int = 1,
                per_page: int = 50, status: str = "registered") -> dict[str, Any]:
    """Return one page of the roll, by name; q searches the name, household or group."""
    election = get_election(s, actor, election_id)
    roll_rules(election)
    _require_names(actor)
    conds = [Voter.election_id == election.id]
    if status != "all":
        conds.append(Voter.status == status)
    text = require_text(q, "q", 100, required=False)
    if text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        conds.append(or_(Voter.name.like(like), Voter.household.like(like), Voter.group_name.like(like)))
    total = s.scalar(select(func.count()).select_from(Voter).where(*conds)) or 0
    rows = s.scalars(select(Voter).where(*conds).order_by(Voter.name, Voter.id)
                     .limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [voter_dict(v) for v in rows], "total": total, "page": page, "per_page": per_page}


def roll_summary(s: Session, actor: Actor, election_id: Any) -> dict[str, Any]:
    """Return the roll's counts (observers too): registered, households, by category, publication date."""
    election = get_election(s, actor, election_id)
    roll_rules(election)
    by = dict(s.execute(select(Voter.category, func.count()).where(
        Voter.election_id == election.id, Voter.status == "registered").group_by(Voter.category)).all())
    return {"registered": sum(by.values()), "households": households(s, election.id),
            "by_category": {k: int(by.get(k, 0)) for k in ("hukou", "resident", "worker")},
            "proxies": proxies(s, election.id), "published_on": _iso(published_on(s, election.id))}


def registered(s: Session, election_id: int) -> int:
    """Return the number of registered voters."""
    return s.scalar(select(func.count()).select_from(Voter).where(
        Voter.election_id == election_id, Voter.status == "registered")) or 0


def households(s: Session, election_id: int) -> int:
    """Return the households on the roll (a voter without a household counts as one of their own)."""
    named = s.scalar(select(func.count(func.distinct(Voter.household))).where(
        Voter.election_id == election_id, Voter.status == "registered", Voter.household.is_not(None))) or 0
    alone = s.scalar(select(func.count()).select_from(Voter).where(
        Voter.election_id == election_id, Voter.status == "registered", Voter.household.is_(None))) or 0
    return int(named) + int(alone)


def proxies(s: Session, election_id: int) -> int:
    """Return the number of proxies given."""
    return s.scalar(select(func.count()).select_from(Voter).where(
        Voter.election_id == election_id, Voter.status == "registered", Voter.proxy_holder_id.is_not(None))) or 0


def expected_voters(s: Session, election: Election, mode: Any) -> Optional[int]:
    """Return a round's computed `expected` under a roll: voters (direct) or households; None otherwise."""
    rules = get_rule_set(election.campaign.rule_set)
    if election.body != "residents" or not rules.voter_roll or mode not in ("direct", "household"):
        return None
    return registered(s, election.id) if mode == "direct" else households(s, election.id)


def _iso(day: Optional[dt.date]) -> Optional[str]:
    return day.isoformat() if day else None

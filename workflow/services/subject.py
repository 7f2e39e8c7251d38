"""What a transition reads and writes of one election, loaded as one row of plain columns.

Firing a trigger is the engine's hottest path. Loading the election, its community and its campaign as three ORM
objects costs several times what the transition's own writes cost, so the transition reads one Core row into a
`Subject` (with `community` and `campaign` parts that answer the attribute names the guards' snapshot reads on the
ORM objects) and writes through the session's connection. An `Election` already loaded in the same session is kept
in step by `sync_loaded`, so callers that hold one see the new state and version.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from sqlalchemy import Select, and_, bindparam, exists, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..auth import Actor
from ..errors import NotFound
from ..models import Campaign, Community, Election, Escalation
from .common import LEVEL_COLUMNS, parse_election_id, scope_level
from .direct import run

#: the election columns a transition may change (all written by one version-checked UPDATE)
TRANSITION_COLUMNS = ("state", "suspended_from", "suspended_on", "review_on", "due_shift_days", "village_law",
                      "round_permit", "state_entered_at", "due_on", "updated_at")
ELECTION_COLUMNS = ("id", "campaign_id", "community_id", "body", "version", "seats",
                    "election_day") + TRANSITION_COLUMNS


@dataclass(slots=True, frozen=True)
class CommunityPart:
    """The community's columns the guards read."""

    key_difficult: bool
    village_converted: bool
    collective_reform_done: bool
    party_org_type: str
    party_members: int


@dataclass(slots=True, frozen=True)
class CampaignPart:
    """The campaign's columns a transition reads (rule set, due dates, default order)."""

    rule_set: str
    due: dict[str, Any]
    order: str


@dataclass(slots=True)
class Subject:
    """One election as a transition sees it; the transition sets its new values here before writing them."""

    id: int
    campaign_id: int
    community_id: int
    body: str
    version: int
    seats: dict[str, Any]
    election_day: Optional[dt.date]
    state: str
    suspended_from: Optional[str]
    suspended_on: Optional[dt.date]
    review_on: Optional[dt.date]
    due_shift_days: int
    village_law: bool
    round_permit: Optional[str]
    state_entered_at: Optional[dt.datetime]
    due_on: Optional[dt.date]
    updated_at: Optional[dt.datetime]
    community: CommunityPart
    campaign: CampaignPart
    #: whether an escalation rung of this election is open (only then does the transition close rungs)
    open_rungs: bool


def _columns() -> list[Any]:
    e, c, k = Election.__table__.c, Community.__table__.c, Campaign.__table__.c
    rungs = exists().where(Escalation.kind == "election", Escalation.subject_id == e.id,
                           Escalation.closed_at.is_(None))
    return ([e[name] for name in ELECTION_COLUMNS]
            + [c.key_difficult, c.village_converted, c.collective_reform_done, c.party_org_type, c.party_members,
               k.rule_set, k.due, k.order_default, rungs.label("open_rungs")])


@lru_cache(maxsize=None)
def _statement(level: Optional[str], lock: bool) -> Select[Any]:
    """Build once per scope level: the election's row, limited to the scope whose id is bound as `scope`."""
    e, c, k = Election.__table__, Community.__table__, Campaign.__table__
    scope = true() if level is None else LEVEL_COLUMNS[level] == bindparam("scope")
    stmt = (select(*_columns()).select_from(e.join(c, c.c.id == e.c.community_id).join(k, k.c.id == e.c.campaign_id))
            .where(and_(e.c.id == bindparam("eid"), scope)))
    return stmt.with_for_update(of=e) if lock else stmt


def load_subject(s: Session, actor: Optional[Actor], election_id: Any, lock: bool = True) -> Subject:
    """Load an election the actor may see as a Subject (None: the engine itself, no scope), or raise NotFound.

    With lock, PostgreSQL locks the election row until the transaction ends (SQLite's writers already hold the
    database lock), so that concurrent transitions of one election queue and the version check decides.
    """
    eid = parse_election_id(election_id)
    params: dict[str, Any] = {"eid": eid}
    level: Optional[str] = None
    if actor is not None and actor.scope_id is not None:
        level = scope_level(actor)
        params["scope"] = actor.scope_id
    elif actor is not None and not actor.is_admin:
        raise NotFound()  # a user without a scope sees nothing
    s.flush()  # the Core read below must see what this unit of work changed through the ORM
    postgresql = s.get_bind().dialect.name == "postgresql"
    row = run(s, _statement(level, lock and postgresql), params, returns_rows=True).first()
    if row is None:
        raise NotFound()
    n = len(ELECTION_COLUMNS)
    values = dict(zip(ELECTION_COLUMNS, row[:n]))
    key_difficult, converted, reformed, org_type, members, rule_set, due, order, rungs = row[n:]
    return Subject(**values, community=CommunityPart(bool(key_difficult), bool(converted), bool(reformed), org_type,
                                                     int(members or 0)),
                   campaign=CampaignPart(rule_set, due or {}, order), open_rungs=bool(rungs))


def sync_loaded(s: Session, subject: Subject) -> None:
    """Give an Election this session already holds the subject's new values (as committed, no ORM history)."""
    loaded = s.identity_map.get(identity_key(Election, subject.id))
    if loaded is None:
        return
    for name in TRANSITION_COLUMNS + ("version",):
        set_committed_value(loaded, name, getattr(subject, name))

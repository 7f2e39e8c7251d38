"""What every service shares: scope checks in SQL, loaders that hide what is out of scope, the audit row."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import ColumnElement, inspect, select, true
from sqlalchemy.orm import Session, contains_eager, joinedload
from sqlalchemy.orm.util import identity_key

from ..auth import Actor
from ..clock import now
from ..errors import InvalidRequest, NotFound
from ..models import AuditEvent, Community, Election, Region
from ..text import text_problem
from .chain import stamp


#: the community's denormalized ancestor column for each region level
LEVEL_COLUMNS = {"province": Community.province_id, "city": Community.city_id, "county": Community.county_id,
                 "street": Community.street_id}


def level_column(level: str) -> Any:
    """Return the community column holding its ancestor at a region level."""
    return LEVEL_COLUMNS[level]


def in_region(region: Region) -> ColumnElement[bool]:
    """An SQL condition: the community lies inside region."""
    return LEVEL_COLUMNS[region.level] == region.id


def scope_level(actor: Actor) -> str:
    """Return the level of the actor's scope region (a scope without a level is a province)."""
    return actor.scope_level or "province"


def parse_election_id(election_id: Any) -> int:
    """Return the election id of a path or argument, or raise NotFound (never a 400 for an id)."""
    if isinstance(election_id, bool) or not (isinstance(election_id, int) or
                                             (isinstance(election_id, str) and election_id.isdigit())):
        raise NotFound()
    return int(election_id)


def community_scope(actor: Actor) -> ColumnElement[bool]:
    """An SQL condition limiting communities to the actor's region subtree."""
    if actor.scope_id is None:
        return true() if actor.is_admin else Community.id < 0
    return level_column(scope_level(actor)) == actor.scope_id


def region_scope(actor: Actor) -> ColumnElement[bool]:
    """An SQL condition limiting regions to the actor's subtree (the scope region included)."""
    if actor.scope_id is None:
        return true() if actor.is_admin else Region.id < 0
    column = {"province": Region.province_id, "city": Region.city_id,
              "county": Region.county_id, "street": Region.id}[scope_level(actor)]
    return column == actor.scope_id


def in_scope(actor: Actor, community: Community) -> bool:
    """Return whether a loaded community lies inside the actor's scope."""
    if actor.scope_id is None:
        return actor.is_admin
    return getattr(community, f"{scope_level(actor)}_id") == actor.scope_id


def region_in_scope(actor: Actor, region: Region) -> bool:
    """Return whether a loaded region lies inside the actor's scope."""
    if actor.scope_id is None:
        return actor.is_admin
    if actor.scope_level == "street":
        return region.id == actor.scope_id
    return getattr(region, f"{actor.scope_level}_id") == actor.scope_id


def get_election(s: Session, actor: Actor, election_id: Any, for_update: bool = False) -> Election:
    """Load an election the actor may see, or raise NotFound (missing and out of scope look the same)."""
    eid = parse_election_id(election_id)
    lock = for_update and s.bind is not None and s.get_bind().dialect.name == "postgresql"
    if not lock:
        # already loaded in this unit of work (with its community and campaign): a query would hand back the very
        # same object without refreshing it, so check the scope on it instead (a walk through the demo's
        # elections loads each one dozens of times); PostgreSQL's row lock still needs the query
        loaded = s.identity_map.get(identity_key(Election, eid))
        if loaded is not None and not {"community", "campaign"} & inspect(loaded).unloaded:
            if not in_scope(actor, loaded.community):
                raise NotFound()
            return loaded
    # the community (already joined for the scope) and the campaign come with the election: every service
    # that loads an election reads them, and a lazy load each would cost a query per call
    stmt = (select(Election).join(Community).where(Election.id == eid, community_scope(actor))
            .options(contains_eager(Election.community), joinedload(Election.campaign, innerjoin=True)))
    if lock:
        stmt = stmt.with_for_update(of=Election)
    election = s.scalars(stmt).first()
    if election is None:
        raise NotFound()
    return election


def get_community(s: Session, actor: Actor, code: Any) -> Community:
    """Load a community by code inside the actor's scope, or raise NotFound."""
    c = s.scalars(select(Community).where(Community.code == str(code), community_scope(actor))).first()
    if c is None:
        raise NotFound()
    return c


def get_region(s: Session, actor: Actor, code: Any) -> Region:
    """Load a region by code inside the actor's scope, or raise NotFound."""
    r = s.scalars(select(Region).where(Region.code == str(code), region_scope(actor))).first()
    if r is None:
        raise NotFound()
    return r


def audit(s: Session, actor: Actor, action: str, *, election: Optional[Election] = None,
          community_id: Optional[int] = None, from_state: Optional[str] = None,
          to_state: Optional[str] = None, trigger: Optional[str] = None, note: Optional[str] = None,
          data: Optional[dict[str, Any]] = None) -> AuditEvent:
    """Append one row to the history (its id and hash appended to its chain, in this transaction)."""
    fields = stamp(s, {"at": now(), "actor_id": actor.user_id, "actor": actor.username, "action": action,
                       "election_id": election.id if election is not None else None,
                       "community_id": community_id if community_id is not None else
                       (election.community_id if election is not None else None),
                       "from_state": from_state, "to_state": to_state, "trigger": trigger, "note": note,
                       "data": data or {}})
    row = AuditEvent(**fields)
    s.add(row)
    return row


def parse_date(value: Any, name: str, required: bool = True) -> Optional[dt.date]:
    """Parse YYYY-MM-DD or raise InvalidRequest naming the field."""
    if value is None or value == "":
        if required:
            raise InvalidRequest.one(name, "is required", "必填")
        return None
    parsed: Optional[dt.date] = None
    if isinstance(value, dt.date):
        parsed = value
    elif isinstance(value, str) and len(value) == 10:
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            pass
    # a year far outside any campaign would overflow date arithmetic (due dates, review dates)
    if parsed is None or not 1900 <= parsed.year <= 2999:
        raise InvalidRequest.one(name, "must be a valid date YYYY-MM-DD between 1900 and 2999",
                                 "必须是1900年至2999年之间的有效日期（YYYY-MM-DD）")
    return parsed


def require_text(value: Any, name: str, max_len: int = 2000, required: bool = True,
                 multiline: Optional[bool] = None) -> Optional[str]:
    """Return stripped text, or raise InvalidRequest when missing, not a string, too long or against the text rule.

    multiline defaults to max_len > 200: names and codes are one line, causes, summaries and notes may not be.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidRequest.one(name, "is required", "必填")
        return None
    if not isinstance(value, str):
        raise InvalidRequest.one(name, "must be a string", "必须是文本")
    if len(value) > max_len:
        raise InvalidRequest.one(name, f"must be at most {max_len} characters", f"不能超过{max_len}个字符")
    problem = text_problem(value.strip(), max_len > 200 if multiline is None else multiline)
    if problem is not None:
        raise InvalidRequest.one(name, *problem)
    return value.strip()


def require_int(value: Any, name: str, minimum: int = 0, maximum: int = 10**9) -> int:
    """Return an integer in range, or raise InvalidRequest."""
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise InvalidRequest.one(name, f"must be an integer from {minimum} to {maximum}",
                                 f"必须是{minimum}到{maximum}之间的整数")
    return value


def require_bool(value: Any, name: str) -> bool:
    """Return a boolean, or raise InvalidRequest."""
    if not isinstance(value, bool):
        raise InvalidRequest.one(name, "must be true or false", "必须为 true 或 false")
    return value


def require_choice(value: Any, name: str, choices: tuple[str, ...] | list[str]) -> str:
    """Return one of choices, or raise InvalidRequest listing them."""
    if value not in choices:
        raise InvalidRequest.one(name, f"must be one of {', '.join(choices)}", f"必须是以下之一：{'、'.join(choices)}")
    return str(value)

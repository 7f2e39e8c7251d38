"""Street-wide facts (domain.md §13): one fact recorded on every election of a region, each on its own."""
from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import guards as G
from ..auth import Actor, may_record_fact, require
from ..db import UnitOfWork
from ..errors import InvalidRequest
from ..facts import FACTS, parse_fact_value
from ..machines import DEFINITIONS
from ..machines.base import LEAVING
from ..models import Community, Election, Fact
from .campaigns import get_campaign
from .common import community_scope, get_region, level_column, require_text
from .election_data import record_facts

BODIES = {"party": ("party",), "residents": ("residents",), "both": ("party", "residents")}

#: why an election is listed in "skipped"; "not_read_now" is still recorded (domain.md §13)
REASONS = ("closed", "other_body", "already_set", "not_read_now")


@cache
def state_reads(body: str, state: str) -> frozenset[str]:
    """Return the fact keys the guards of the trigger leaving this state read."""
    trig = LEAVING.get(state)
    if not trig:
        return frozenset()
    keys: set[str] = set()
    for code in DEFINITIONS[body].guards(trig):
        keys.update(k for k in (code, *G.GUARDS[code].reads) if k in FACTS)
    return frozenset(keys)


def _parse_request(body: Any, key: Any, value: Any) -> tuple[tuple[str, ...], str, dict[str, Any]]:
    """Check body and key; return the bodies that have the key, the key and the stored value per body."""
    if body not in BODIES:
        raise InvalidRequest.one("body", "must be party, residents or both", "必须为 party、residents 或 both")
    if not isinstance(key, str) or key not in FACTS:
        raise InvalidRequest.one("key", "is not a fact key", "不是事实项")
    bodies = tuple(b for b in BODIES[body] if b in FACTS[key].bodies)
    if not bodies:
        raise InvalidRequest.one("key", f"'{key}' is not a fact of the chosen elections",
                                 f"“{key}”不是所选选举的事实项")
    return bodies, key, {b: parse_fact_value(b, key, value) for b in bodies}


def _elections(s: Session, actor: Actor, campaign_id: int, region: Any) -> list[Election]:
    column = level_column(region.level)
    return list(s.scalars(select(Election).join(Community).where(
        Election.campaign_id == campaign_id, column == region.id, community_scope(actor))
        .order_by(Election.id)))


def record_region_fact(uow: UnitOfWork, actor: Actor, code: Any, region_code: Any, body: Any, key: Any,
                       value: Any, note: Any = None, preview: bool = False) -> dict[str, Any]:
    """Record one fact on every election of a region (preview: nothing written); list the skipped with reasons."""
    s = uow.session
    campaign = get_campaign(s, actor, code)
    region = get_region(s, actor, region_code)
    bodies, key, stored = _parse_request(body, key, value)
    require(may_record_fact(actor, key))
    note_text = require_text(note, "note", 2000, required=False)
    elections = _elections(s, actor, campaign.id, region)
    ids = [e.id for e in elections]
    current: dict[int, Any] = dict(s.execute(select(Fact.election_id, Fact.value).where(
        Fact.election_id.in_(ids), Fact.key == key)).all()) if ids else {}
    recorded: list[int] = []
    skipped: list[dict[str, Any]] = []
    for e in elections:
        if e.body not in bodies:
            skipped.append({"id": e.id, "reason": "other_body", "recorded": False})
        elif e.state == "closed":
            skipped.append({"id": e.id, "reason": "closed", "recorded": False})
        elif e.id in current and current[e.id] == stored[e.body]:
            skipped.append({"id": e.id, "reason": "already_set", "recorded": False})
        else:
            if key not in state_reads(e.body, e.state):
                skipped.append({"id": e.id, "reason": "not_read_now", "recorded": True})
            recorded.append(e.id)
    if not preview:
        for eid in recorded:
            # the existing service: its own scope, role and closed checks, one fact row and one history row each
            record_facts(uow, actor, eid, {key: stored[next(e.body for e in elections if e.id == eid)]}, note_text)
    return {"recorded": len(recorded), "recorded_ids": recorded, "skipped": skipped, "preview": bool(preview)}

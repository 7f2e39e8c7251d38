"""People and posts (domain.md §9): id numbers kept as hash + mask, the Party posts, 一肩挑 and 交叉任职."""
from __future__ import annotations

from typing import Any, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import config
from ..auth import Actor, may_edit_election, require
from ..db import UnitOfWork
from ..errors import InvalidRequest, InvalidState
from ..identity import PROBLEM_TEXT, InvalidIdNumber, id_hash, mask_id_number, validate_id_number
from ..models import Campaign, Candidate, Election
from .common import audit, get_community, get_election

PARTY_POSTS = ("secretary", "deputy_secretary")
POST_STATES = ("certification", "handover", "summary")
POST_FIELDS = ("secretary", "deputy_secretaries", "full_time_deputy")


def parse_id_number(raw: Any) -> tuple[Optional[str], Optional[str]]:
    """Return (keyed hash, masked form) of an id number, (None, None) for none; a 400 naming the field otherwise.

    The number itself is dropped here: nothing after this function ever sees it (个人信息保护法).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    try:
        number = validate_id_number(raw)
    except InvalidIdNumber as exc:
        zh, en = PROBLEM_TEXT[str(exc)]
        raise InvalidRequest.one("id_number", en, zh) from None
    return id_hash(config.identity_key(), number), mask_id_number(number)


# ---------------------------------------------------------------- posts of the Party committee
def posts_of(candidates: Iterable[Candidate]) -> dict[str, Any]:
    """Return the posts as the API shows them (candidate ids), read from the elected, not voided candidates."""
    held = [c for c in candidates if c.elected and not c.voided and c.party_post in PARTY_POSTS]
    secretary = next((c.id for c in held if c.party_post == "secretary"), None)
    deputies = sorted(c.id for c in held if c.party_post == "deputy_secretary")
    full_time = next((c.id for c in held if c.party_post == "deputy_secretary" and c.full_time_deputy), None)
    return {"secretary": secretary, "deputy_secretaries": deputies, "full_time_deputy": full_time}


def election_posts(s: Session, election: Election) -> dict[str, Any]:
    """Return an election's posts (party); a residents' election's posts are its candidates' own."""
    return posts_of(s.scalars(select(Candidate).where(Candidate.election_id == election.id)))


def _ident(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequest.one(name, "must be a candidate id", "必须是候选人编号")
    return value


def _parse_posts(raw: Any) -> tuple[Optional[int], list[int], Optional[int]]:
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = set(raw) - set(POST_FIELDS)
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in sorted(unknown)})
    secretary = None if raw.get("secretary") is None else _ident(raw["secretary"], "secretary")
    deputies_raw = raw.get("deputy_secretaries") or []
    if not isinstance(deputies_raw, list):
        raise InvalidRequest.one("deputy_secretaries", "must be a list of candidate ids", "必须是候选人编号列表")
    deputies = [_ident(v, "deputy_secretaries") for v in deputies_raw]
    full_time = None if raw.get("full_time_deputy") is None else _ident(raw["full_time_deputy"], "full_time_deputy")
    return secretary, deputies, full_time


def set_posts(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> dict[str, Any]:
    """Record the posts the first plenary elected (PR1990 Art. 15): secretary, deputies, the full-time deputy."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    secretary, deputies, full_time = _parse_posts(raw)
    if election.body != "party":
        raise InvalidRequest.one("election", "a residents' committee's posts are its candidates' posts",
                                 "居委会成员的职务即其候选职位，无需另行确定")
    require(may_edit_election(actor))
    if election.state not in POST_STATES:
        raise InvalidState("posts are recorded from certification until the election is closed",
                           "书记、副书记职务在当选确认阶段至总结验收阶段确定")
    candidates = list(s.scalars(select(Candidate).where(Candidate.election_id == election.id)))
    members = {c.id: c for c in candidates if c.elected and not c.voided}
    named = ([("secretary", secretary)] if secretary is not None else []) + [("deputy_secretaries", d) for d in deputies]
    for field, cid in named + ([("full_time_deputy", full_time)] if full_time is not None else []):
        if cid not in members:
            raise InvalidRequest.one(field, "is not an elected member of this election", "不是本次选举的当选委员")
    seen: dict[str, int] = {}
    for field, cid in named:
        person = members[cid].id_hash or f"candidate:{cid}"  # the same number on two records is one person
        if person in seen:
            raise InvalidRequest.one(field, "one person holds one post: secretary or one deputy's",
                                     "一人只能担任书记或副书记中的一个职务")
        seen[person] = cid
    if full_time is not None and full_time not in deputies:
        raise InvalidRequest.one("full_time_deputy", "must be one of the deputy secretaries", "须为副书记之一")
    previous = posts_of(candidates)
    for c in candidates:
        post = "secretary" if c.id == secretary else "deputy_secretary" if c.id in deputies else None
        c.party_post, c.full_time_deputy = post, post == "deputy_secretary" and c.id == full_time
    s.flush()
    posts = posts_of(candidates)
    if posts != previous:
        audit(s, actor, "posts_set", election=election,
              data={"posts": posts, "previous": previous,
                    "names": {str(cid): members[cid].name for cid in _ids(posts)}})
    return posts


def _ids(posts: dict[str, Any]) -> list[int]:
    return ([posts["secretary"]] if posts["secretary"] else []) + list(posts["deputy_secretaries"])


def release_post(s: Session, actor: Actor, election: Election, cand: Candidate, reason: str) -> None:
    """A voided person loses their post (§9); the history row says which and why."""
    if cand.party_post is None:
        return
    previous = election_posts(s, election)
    cand.party_post, cand.full_time_deputy = None, False
    s.flush()
    audit(s, actor, "posts_set", election=election,
          data={"posts": election_posts(s, election), "previous": previous, "released": cand.id, "reason": reason})


# ---------------------------------------------------------------- one person, two posts (一肩挑, 交叉任职)
def community_people(s: Session, community_id: int, campaign_id: Optional[int] = None) -> list[dict[str, Any]]:
    """Return, per campaign, 一肩挑 and 交叉任职 of a community, linked by identity (same keyed hash) only."""
    stmt = (select(Candidate, Election.body, Campaign.code).join(Election, Election.id == Candidate.election_id)
            .join(Campaign, Campaign.id == Election.campaign_id)
            .where(Election.community_id == community_id, Candidate.elected.is_(True), Candidate.voided.is_(False))
            .order_by(Campaign.id, Candidate.id))
    if campaign_id is not None:
        stmt = stmt.where(Election.campaign_id == campaign_id)
    by_campaign: dict[str, dict[str, list[Candidate]]] = {}
    for cand, body, code in s.execute(stmt):
        by_campaign.setdefault(code, {"party": [], "residents": []})[body].append(cand)
    return [links(code, people["party"], people["residents"]) for code, people in by_campaign.items()]


def links(campaign: str, party: list[Candidate], residents: list[Candidate]) -> dict[str, Any]:
    """Compute 一肩挑 (secretary = director) and 交叉任职 (elected to both) from one community's elected people."""
    secretary = next((c for c in party if c.party_post == "secretary"), None)
    director = next((c for c in residents if c.post == "director"), None)
    one_shoulder: Optional[bool] = None  # unknown until both posts are held
    if secretary is not None and director is not None:
        one_shoulder = bool(secretary.id_hash) and secretary.id_hash == director.id_hash
    by_hash = {c.id_hash: c for c in residents if c.id_hash}
    cross = [{"name": c.name, "party_candidate": c.id, "party_post": c.party_post or "member",
              "residents_candidate": by_hash[c.id_hash].id, "residents_post": by_hash[c.id_hash].post}
             for c in party if c.id_hash and c.id_hash in by_hash]
    return {"campaign": campaign, "yijiantiao": one_shoulder,
            "secretary": secretary.name if secretary else None, "director": director.name if director else None,
            "cross": cross, "cross_count": len(cross), "party_elected": len(party),
            "residents_elected": len(residents),
            "without_id_number": sum(1 for c in (*party, *residents) if not c.id_hash)}


def people_of_community(uow: UnitOfWork, actor: Actor, code: Any, campaign: Optional[str] = None) -> list[dict[str, Any]]:
    """Return a community's 一肩挑 and 交叉任职 per campaign, for the caller's scope."""
    s = uow.session
    community = get_community(s, actor, code)
    campaign_id = None
    if campaign:
        campaign_id = s.scalar(select(Campaign.id).where(Campaign.code == str(campaign))) or -1
    return community_people(s, community.id, campaign_id)

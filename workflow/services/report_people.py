"""The report's figures of people and posts (domain.md §7 rev. 2, §9): 一肩挑, 交叉任职, women per committee,
re-elected members, vacant seats, and the appointed roster (first secretaries, part-time members) as rows of their own.

Each is a GROUP BY over the report's communities, like the rest of the report; people are linked by the keyed hash
of their id number only (never by name), so elected people without a number are never linked and are counted.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from ..models import Candidate, Community, Election, RosterMember

ELECTED_STATES = ("certification", "handover", "summary", "closed")
ROSTER_KINDS = ("first_secretary", "part_time_member")
Row = Callable[[Any], dict[str, Any]]


def count_if(condition: Any) -> Any:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), portable across SQLite and PostgreSQL."""
    return func.sum(case((condition, 1), else_=0))


def empty_people() -> dict[str, Any]:
    """The people-and-posts figures of one region, all zero."""
    return {"communities_with_both_posts": 0, "yijiantiao": 0, "yijiantiao_share": None,
            "persons_elected": 0, "cross": 0, "cross_share": None, "without_id_number": 0}


def empty_roster() -> dict[str, Any]:
    """The appointed roster of one region (never counted among the elected)."""
    return {"first_secretary": 0, "part_time_member": 0, "women": 0}


def _reached_result() -> Any:
    return or_(Election.state.in_(ELECTED_STATES),
               and_(Election.state == "suspended", Election.suspended_from.in_(ELECTED_STATES)))


def _held(candidate: Any) -> Any:
    return and_(candidate.elected.is_(True), candidate.voided.is_(False))


def people_figures(q: Any, row: Row) -> None:
    """Add 一肩挑, 交叉任职 and the committees' women, incumbents and vacant seats to the rows."""
    _one_shoulder(q, row)
    _cross(q, row)
    _committees(q, row)
    _vacant(q, row)
    _roster(q, row)


def _pair(q: Any, party_on: Callable[[Any], Any], residents_on: Callable[[Any, Any], Any]) -> Any:
    """A party candidate and a residents' candidate of one community in the campaign, both elected and not voided.

    The conditions on each candidate go into its join (the residents' side may use the party candidate, as the
    identity join does through the id-hash index), so that no community's committees are crossed in full.
    """
    ep, er = aliased(Election), aliased(Election)
    cp, cr = aliased(Candidate), aliased(Candidate)
    return (select(q.child).select_from(ep)
            .join(Community, Community.id == ep.community_id)
            .join(cp, and_(cp.election_id == ep.id, _held(cp), party_on(cp)))
            .join(er, and_(er.community_id == ep.community_id, er.campaign_id == ep.campaign_id,
                           er.body == "residents"))
            .join(cr, and_(cr.election_id == er.id, _held(cr), residents_on(cr, cp)))
            .where(q.where, ep.campaign_id == q.campaign.id, ep.body == "party")), cp, cr


def _one_shoulder(q: Any, row: Row) -> None:
    """Communities whose secretary is known and whose director is elected; those where they are one person."""
    stmt, cp, cr = _pair(q, lambda cp: cp.party_post == "secretary", lambda cr, cp: cr.post == "director")
    same = and_(cp.id_hash.is_not(None), cp.id_hash == cr.id_hash)
    stmt = stmt.add_columns(func.count(), count_if(same)).group_by(q.child)
    for child, both, one in q.rows(stmt):
        p = row(child)["people"]
        p["communities_with_both_posts"] += both
        p["yijiantiao"] += int(one or 0)


def _cross(q: Any, row: Row) -> None:
    """People elected to both committees of their community (交叉任职), matched by identity."""
    stmt, _, _ = _pair(q, lambda cp: cp.id_hash.is_not(None), lambda cr, cp: cr.id_hash == cp.id_hash)
    for child, n in q.rows(stmt.add_columns(func.count()).group_by(q.child)):
        row(child)["people"]["cross"] += n


def _committees(q: Any, row: Row) -> None:
    """Per body: committees elected, those with a woman, incumbents re-elected, people without an id number."""
    woman = (select(Candidate.id).where(Candidate.election_id == Election.id, _held(Candidate),
                                        Candidate.gender == "f").exists())
    elected = select(Candidate.id).where(Candidate.election_id == Election.id, _held(Candidate)).exists()
    stmt = (select(q.child, Election.body, func.count(), count_if(woman))
            .select_from(Election).join(Community, Community.id == Election.community_id)
            .where(q.elections, elected).group_by(q.child, Election.body))
    for child, body, n, with_woman in q.rows(stmt):
        st = row(child)["structure"][body]
        st["committees"] += n
        st["committees_with_woman"] += int(with_woman or 0)
    stmt = (select(q.child, Election.body, count_if(Candidate.incumbent.is_(True)),
                   count_if(Candidate.id_hash.is_(None)))
            .select_from(Candidate).join(Election, Election.id == Candidate.election_id)
            .join(Community, Community.id == Election.community_id)
            .where(q.elections, _held(Candidate)).group_by(q.child, Election.body))
    for child, body, incumbents, unnumbered in q.rows(stmt):
        r = row(child)
        r["structure"][body]["incumbents"] += int(incumbents or 0)
        r["people"]["without_id_number"] += int(unnumbered or 0)


def _vacant(q: Any, row: Row) -> None:
    """Seats left vacant (暂缺, §4.4): an election past the result with fewer members than seats."""
    held = (select(func.count()).where(Candidate.election_id == Election.id, _held(Candidate))
            .correlate(Election).scalar_subquery())
    stmt = (select(q.child, Election.body, Election.seats, held)
            .select_from(Election).join(Community, Community.id == Election.community_id)
            .where(q.elections, _reached_result()))
    for child, body, seats, n in q.rows(stmt):
        total = sum(int(v) for v in (seats or {}).values() if isinstance(v, int))
        vacant = max(total - int(n or 0), 0)
        if vacant:
            b = row(child)[body]
            b["vacant_seats"] += vacant
            b["elections_with_vacancy"] += 1


def _roster(q: Any, row: Row) -> None:
    """The appointed roster beside the Party elections: its own rows, never among the elected."""
    stmt = (select(q.child, RosterMember.kind, func.count(), count_if(RosterMember.gender == "f"))
            .select_from(RosterMember).join(Election, Election.id == RosterMember.election_id)
            .join(Community, Community.id == Election.community_id)
            .where(q.elections, RosterMember.removed_at.is_(None)).group_by(q.child, RosterMember.kind))
    for child, kind, n, women in q.rows(stmt):
        r = row(child)["roster"]
        r[kind] = r.get(kind, 0) + n
        r["women"] += int(women or 0)


def finish_people(r: dict[str, Any]) -> None:
    """Derive the shares: 一肩挑 of the communities with both posts known, 交叉任职 of the people elected."""
    p = r["people"]
    people = r["structure"]["party"]["elected"] + r["structure"]["residents"]["elected"] - p["cross"]
    p["persons_elected"] = people
    both = p["communities_with_both_posts"]
    p["yijiantiao_share"] = round(p["yijiantiao"] / both, 4) if both else None
    p["cross_share"] = round(p["cross"] / people, 4) if people else None
    for body in ("party", "residents"):
        st = r["structure"][body]
        st["women_share"] = round(st["women"] / st["elected"], 4) if st["elected"] else None

"""What pages print instead of system ids: people by name and post, communities by name with their region path
(市 › 区 › 街道), elections by community and body. Set-wise reads shared by the UI and the API."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select

from ..db import UnitOfWork
from ..labels import BODIES, ROLES, label
from ..models import Community, Election, Region, User

PATH_SEP = " › "


def user_labels(uow: UnitOfWork, usernames: Iterable[str], lang: str = "zh") -> dict[str, str]:
    """{username: "李红（沈阳市 督导）"}: display name, then the area and role (the username when unnamed)."""
    names = {n for n in usernames if n}
    if not names:
        return {}
    rows = uow.session.execute(select(User.username, User.display_name, User.role, Region.name)
                               .outerjoin(Region, Region.id == User.scope_id).where(User.username.in_(names)))
    out = {}
    en = lang.startswith("en")
    for username, display, role, area in rows:
        post = " ".join(p for p in (area, label(ROLES, role, lang)) if p)
        shown = display or username
        out[username] = f"{shown} ({post})" if en else f"{shown}（{post}）"
    return {n: out.get(n, n) for n in names}


def community_paths(uow: UnitOfWork, codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """{community code: {"name", "path": "沈阳市 › 和平区 › 太原街街道", "street"}} for the codes given."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    s = uow.session
    rows = s.execute(select(Community.code, Community.name, Community.street_id, Community.county_id,
                            Community.city_id).where(Community.code.in_(wanted))).all()
    ids = {i for r in rows for i in r[2:] if i}
    regions = {i: n for i, n in s.execute(select(Region.id, Region.name).where(Region.id.in_(ids)))} if ids else {}
    return {code: {"name": name, "street": regions.get(street, ""),
                   "path": PATH_SEP.join(regions[i] for i in (city, county, street) if i in regions)}
            for code, name, street, county, city in rows}


def election_labels(uow: UnitOfWork, ids: Iterable[int], lang: str = "zh") -> dict[int, str]:
    """{election id: "阳光1社区 · 社区党组织换届选举"}."""
    wanted = {int(i) for i in ids if i}
    if not wanted:
        return {}
    rows = uow.session.execute(select(Election.id, Election.body, Community.name)
                               .join(Community, Community.id == Election.community_id).where(Election.id.in_(wanted)))
    return {i: f"{name} · {label(BODIES, body, lang)}" for i, body, name in rows}


def describe_rungs(uow: UnitOfWork, items: list[dict[str, Any]], lang: str = "zh") -> list[dict[str, Any]]:
    """Add to escalation rows the community's name and path, the election's label and people's names."""
    paths = community_paths(uow, (r["community"] for r in items))
    people = user_labels(uow, [r["notified"] for r in items if r.get("notified")] +
                         [n for r in items for n in r.get("copied") or ()], lang)
    elections = election_labels(uow, (r["election"] for r in items if r.get("election")), lang)
    for r in items:
        where = paths.get(r["community"], {})
        r["community_name"] = where.get("name", r["community"])
        r["community_path"] = where.get("path", "")
        r["election_label"] = elections.get(r.get("election") or 0, "")
        r["notified_name"] = people.get(r["notified"], r["notified"]) if r.get("notified") else None
        r["copied_names"] = [people.get(n, n) for n in r.get("copied") or ()]
    return items


def region_choices(uow: UnitOfWork, actor: Any, max_regions: int = 400) -> list[tuple[str, str]]:
    """The regions a filter may pick, in the actor's area: (code, "沈阳市 › 和平区"), province to county, and the
    streets too while they stay few (a county's or a street's user)."""
    from .common import region_scope
    s = uow.session
    rows = s.execute(select(Region.id, Region.code, Region.name, Region.level, Region.city_id, Region.county_id)
                     .where(region_scope(actor), Region.level != "street").order_by(Region.code)).all()
    streets = s.execute(select(Region.id, Region.code, Region.name, Region.level, Region.city_id, Region.county_id)
                        .where(region_scope(actor), Region.level == "street").order_by(Region.code)
                        .limit(max_regions + 1)).all()
    if len(rows) + len(streets) <= max_regions:
        rows = sorted([*rows, *streets], key=lambda r: r[1])
    names = {r[0]: r[2] for r in rows}
    out = []
    for rid, code, name, level, city, county in rows:
        chain = [names[i] for i in (city, county) if i and i != rid and i in names and level != "province"]
        out.append((code, PATH_SEP.join([*chain, name])))
    return out

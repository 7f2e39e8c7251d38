"""The demo's second campaign under national-2026: one city's residents' elections with rolls of realistic size
(a few thousand voters per community), published announcements and a few objections.

The rolls are generated set-wise (one COPY per community on PostgreSQL) but every person goes through the same
check as registration (workflow.roll.check_person), so the demo holds nothing the services would refuse.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Callable

from sqlalchemy import select

from . import clock
from .auth import SYSTEM
from .config import identity_key
from .db import Database
from .identity import make_id_number
from .importing.engine import bulk_insert
from .models import Campaign, Community, Election, Region, Voter
from .roll import check_person
from .ruleset import get_rule_set
from .services.announcements import publish
from .services.campaigns import create_campaign, launch_campaign
from .services.election_data import record_facts, set_seats
from .services.objections import decide_objection, file_objection
from .services.voters import new_voter

NATIONAL_CAMPAIGN = "CN-2026-DEMO"
CITY = "210100"  # 沈阳市
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志海波宁欣怡浩宇子涵梓轩雨桐佳琪晨阳"


def national_loaded(db: Database) -> bool:
    """Return whether the national demo campaign exists."""
    with db.uow(write=False) as uow:
        return uow.session.scalar(select(Campaign.id).where(Campaign.code == NATIONAL_CAMPAIGN)) is not None


def load_national(db: Database, rng: random.Random, communities: int = 6, per_community: int = 2500,
                  published: int = 2, echo: Callable[[str], Any] = print) -> int:
    """Create the national-2026 campaign for one city, fill `communities` rolls and publish; return voters."""
    if national_loaded(db):
        return 0
    today = clock.today()
    day = today + dt.timedelta(days=30)
    due = {"preparation": today + dt.timedelta(days=10), "nomination": today + dt.timedelta(days=25),
           "candidate_meeting": today + dt.timedelta(days=29), "voting": day, "certification": day + dt.timedelta(3),
           "handover": day + dt.timedelta(days=10), "summary": day + dt.timedelta(days=30)}
    with db.uow() as uow:
        city = uow.session.scalar(select(Region).where(Region.code == CITY))
        if city is None:
            return 0
        create_campaign(uow, SYSTEM, NATIONAL_CAMPAIGN, f"沈阳市{day.year}年村（社区）“两委”换届（全国规则演示）",
                        "national-2026", CITY, "concurrent", {k: v.isoformat() for k, v in due.items()})
        launch_campaign(uow, SYSTEM, NATIONAL_CAMPAIGN)
    with db.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Election.id, Community.code).join(Community).join(Campaign)
            .where(Campaign.code == NATIONAL_CAMPAIGN, Election.body == "residents")
            .order_by(Community.code).limit(communities)).all()
    rules = get_rule_set("national-2026")
    key = identity_key()
    total = 0
    taken: set[str] = set()  # communities of one district share the id prefix: no number twice in the campaign
    for index, (election_id, code) in enumerate(rows):
        with db.uow() as uow:
            record_facts(uow, SYSTEM, election_id, {"election_day": day.isoformat(), "election_mode": "direct",
                                                    "election_committee_formed": True})
            set_seats(uow, SYSTEM, election_id, {"director": 1, "deputy_director": 2, "member": 4})
            election = uow.session.get(Election, election_id)
            people = _people(rng, code[:6], per_community, day, rules, key, today, taken)
            bulk_insert(uow.session, Voter, [new_voter(election, p, SYSTEM) for p in people])
            total += len(people)
            publish(uow, SYSTEM, election_id, {"kind": "election_notice"})
            if index < published:
                publish(uow, SYSTEM, election_id, {"kind": "voter_list"})
        if index < published:
            _objections(db, rng, election_id, code, day, rules, key, today)
        echo(f"  national-2026: {code} roll of {per_community} voters"
             + (", published with objections" if index < published else ""))
    return total


def _people(rng: random.Random, region: str, n: int, day: dt.date, rules: Any, key: bytes, today: dt.date,
            seen: set[str] | None = None) -> list:
    """Generate n distinct adults (valid id numbers, none in `seen`: one person per roll of the campaign),
    checked as registration checks them."""
    out: list = []
    seen = set() if seen is None else seen
    households = max(1, n // 2)
    while len(out) < n:
        born = day - dt.timedelta(days=rng.randint(18 * 366, 90 * 365))
        # sequence 999 is kept for the forgotten residents objections add (_objections): never a duplicate
        number = make_id_number(region, born, rng.randint(0, 998))
        if number in seen:
            continue
        seen.add(number)
        i = len(out)
        raw = {"name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
               "gender": "m" if int(number[16]) % 2 else "f", "id_number": number,
               "household": f"{rng.randint(1, 30)}号楼{rng.randint(1, households // 30 + 1)}室",
               "group": f"第{i % 8 + 1}居民小组", "category": "hukou"}
        if i % 25 == 0:
            raw.update(category="resident", resident_since=(day - dt.timedelta(days=rng.randint(400, 3000))).isoformat())
        out.append(check_person(raw, day, rules.roll, key, today))
    return out


def _objections(db: Database, rng: random.Random, election_id: int, code: str, day: dt.date, rules: Any,
                key: bytes, today: dt.date) -> None:
    """A few objections: one to add a forgotten resident (decided), one to remove a voter (still open)."""
    # one forgotten resident per community: the district prefix repeats, so the birth date tells them apart
    forgotten = make_id_number(code[:6], dt.date(1975, 1, 1) + dt.timedelta(days=int(code[-6:])), 999)
    with db.uow() as uow:
        voter = uow.session.scalar(select(Voter.id).where(Voter.election_id == election_id).limit(1))
        added = file_objection(uow, SYSTEM, election_id, {
            "kind": "add", "reason": "本人长期在外务工，登记时漏登",
            "person": {"name": "补登" + rng.choice(SURNAMES), "gender": "m", "id_number": forgotten,
                       "group": "第1居民小组", "category": "hukou"}})
        file_objection(uow, SYSTEM, election_id, {"kind": "remove", "voter": voter,
                                                  "reason": "已迁出本社区，户籍已转出"})
        uow.session.flush()
        decide_objection(uow, SYSTEM, added.id, "upheld", "经居民选举委员会核实，予以补登")

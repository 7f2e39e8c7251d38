"""The Liaoning demo data set: real cities and districts, streets, communities, users and a live campaign.

Every election is advanced through the services by the Walker, so its facts, candidates and rounds obey the
rules; the bulk parts (regions, communities, users) are inserted set-wise so the demo loads in seconds.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import insert, select

from . import clock
from .auth import SYSTEM, Actor
from .db import Database
from .models import Campaign, Community, Election, Region, Responsibility, User
from .passwords import hash_password
from .services.campaigns import create_campaign, launch_campaign, set_community_order
from .services.complaints import file_complaint, resolve_complaint
from .services.elections import fire_trigger
from .services.reads import actor_for
from .walk import Walker

DIVISIONS = Path(__file__).parent / "data" / "liaoning-divisions.csv"
DEMO_CAMPAIGN = "LN-DEMO"
DEMO_PASSWORD = "huanjie-demo"
STREET_WORDS = ("中山", "北站", "新华", "太原", "南湖", "八一", "长白", "滨河", "五里", "泰山", "青年", "光明",
                "文化", "胜利", "站前", "民主", "向阳", "新开", "友谊", "兴华", "东陵", "金山", "春和", "和平",
                "建设", "解放", "永安", "回龙", "桃源", "人民")
COMMUNITY_WORDS = ("阳光", "和谐", "幸福", "锦绣", "花园", "枫林", "翠湖", "春晖", "丽水", "景星", "长青", "富民",
                   "安康", "新城", "松涛", "望湖", "金桥", "文苑", "康乐", "南苑", "北苑", "东苑", "西苑", "福安",
                   "世纪", "明珠", "绿洲", "朝阳", "宏伟", "兴隆", "嘉园", "怡康", "广宁", "雅居", "龙湾", "海韵")
#: target state of the party election and its weight; residents follow (party first is the default order)
TARGETS = (("preparation", 8), ("nomination", 30), ("candidate_meeting", 20), ("voting", 12),
           ("certification", 10), ("handover", 8), ("summary", 6), ("closed", 6))
MAIN = [t for t, _ in TARGETS]


def read_divisions() -> list[dict[str, str]]:
    """Return the packaged Liaoning division rows (province, 14 cities, 100 counties)."""
    with DIVISIONS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def demo_loaded(db: Database) -> bool:
    """Return whether the demo campaign already exists."""
    with db.uow(write=False) as uow:
        return uow.session.scalar(select(Campaign.id).where(Campaign.code == DEMO_CAMPAIGN)) is not None


def load_demo(db: Database, communities: int = 1000, seed: int = 2014,
              echo: Callable[[str], Any] = print) -> list[tuple[str, str, str, str]]:
    """Load the demo into an empty database (or leave an existing demo alone) and return the logins."""
    rng = random.Random(seed)
    if demo_loaded(db):
        echo("the demo data set is already loaded; nothing to do")
        return _logins(db)
    with db.uow(write=False) as uow:
        if uow.session.scalar(select(Region.id).limit(1)) is not None:
            raise ValueError("this database already holds other data; point HUANJIE_INSTANCE or "
                             "HUANJIE_DATABASE_URL at an empty one for the demo")
    started = dt.datetime.now()
    streets = _regions(db, rng)
    echo(f"regions: 1 province, 14 cities, 100 districts and counties, {len(streets)} streets")
    _communities(db, rng, streets, communities)
    echo(f"communities: {communities}")
    _users(db, streets)
    today = clock.today()
    due = {"preparation": today - dt.timedelta(days=16), "nomination": today + dt.timedelta(days=15),
           "candidate_meeting": today + dt.timedelta(days=35), "voting": today + dt.timedelta(days=60),
           "certification": today + dt.timedelta(days=70), "handover": today + dt.timedelta(days=85),
           "summary": today + dt.timedelta(days=95)}
    with db.uow() as uow:
        create_campaign(uow, SYSTEM, DEMO_CAMPAIGN, f"辽宁省{today.year}年城市社区党组织和居委会换届选举（演示）",
                        "liaoning-2014", "210000", "party_first", {k: v.isoformat() for k, v in due.items()},
                        # the demo's own report date, after its summary due date (domain.md §6)
                        (due["summary"] + dt.timedelta(days=12)).isoformat())
        created = launch_campaign(uow, SYSTEM, DEMO_CAMPAIGN)
    echo(f"campaign {DEMO_CAMPAIGN}: {created} elections")
    _advance(db, rng, echo)
    from .demo_roll import NATIONAL_CAMPAIGN, load_national
    # realistic rolls (a few thousand per community) for the full demo; small ones for a small demo
    voters = load_national(db, rng, per_community=2500 if communities >= 200 else 200, echo=echo)
    echo(f"campaign {NATIONAL_CAMPAIGN} (national-2026): {voters} voters on the rolls")
    echo(f"demo loaded in {(dt.datetime.now() - started).total_seconds():.1f} s")
    return _logins(db)


def _regions(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = read_divisions()
    with db.uow() as uow:
        s = uow.session
        ids: dict[str, Region] = {}
        for row in rows:
            parent = ids.get(row["parent"]) if row["parent"] else None
            region = Region(code=row["code"], name=row["name"], level=row["level"],
                            parent_id=parent.id if parent else None,
                            longitude=float(row["longitude"]), latitude=float(row["latitude"]))
            s.add(region)
            s.flush()
            from .services.structure import set_ancestors
            set_ancestors(region, parent)
            ids[row["code"]] = region
        streets = []
        for row in rows:
            if row["level"] != "county":
                continue
            county = ids[row["code"]]
            urban = row["name"].endswith("区")
            words = rng.sample(STREET_WORDS, 5 if urban else 3)
            for i, word in enumerate(words, start=1):
                suffix = "街道" if urban or i == 1 else "镇"
                streets.append({"code": f"{county.code}{i:03d}", "name": f"{word}{suffix}", "level": "street",
                                "parent_id": county.id, "province_id": county.province_id,
                                "city_id": county.city_id, "county_id": county.county_id,
                                "urban": urban})
        s.execute(insert(Region), [{k: v for k, v in st.items() if k != "urban"} for st in streets])
        by_code = {r.code: r.id for r in s.scalars(select(Region).where(Region.level == "street"))}
        for st in streets:
            st["id"] = by_code[st["code"]]
    return streets


def _communities(db: Database, rng: random.Random, streets: list[dict[str, Any]], total: int) -> None:
    weights = [3 if st["urban"] else 1 for st in streets]
    counts = {st["code"]: 0 for st in streets}
    rows = []
    for _ in range(total):
        st = rng.choices(streets, weights)[0]
        counts[st["code"]] += 1
        n = counts[st["code"]]
        risk = rng.random()
        village = risk < 0.05
        row = {
            "code": f"{st['code']}{n:03d}" if n < 1000 else f"{st['code']}{n:05d}",
            "name": f"{rng.choice(COMMUNITY_WORDS)}{rng.choice(('', '里', '园', '街', '路'))}{n}社区"
            if rng.random() < 0.3 else f"{rng.choice(COMMUNITY_WORDS)}{n}社区",
            "street_id": st["id"], "county_id": st["county_id"], "city_id": st["city_id"],
            "province_id": st["province_id"],
            "households": rng.randint(800, 5000), "voters": 0,
            "party_org_type": rng.choices(("committee", "general_branch", "branch"), (1, 3, 6))[0],
            "party_members": rng.randint(40, 400),
            "urban_rural_fringe": 0.05 <= risk < 0.10, "village_converted": village,
            "collective_reform_done": village and rng.random() < 0.6,
            "migrant_dense": 0.10 <= risk < 0.15, "new_residential": 0.15 <= risk < 0.19,
            "other_risk": "历史遗留问题较多" if 0.19 <= risk < 0.205 else None,
        }
        row["voters"] = row["households"] * 2 + rng.randint(0, 800)
        row["key_difficult"] = bool(row["urban_rural_fringe"] or row["village_converted"] or row["migrant_dense"]
                                    or row["new_residential"] or row["other_risk"])
        rows.append(row)
    with db.uow() as uow:
        for i in range(0, len(rows), 5000):
            uow.session.execute(insert(Community), rows[i:i + 5000])


def _users(db: Database, streets: list[dict[str, Any]]) -> None:
    shared_hash = hash_password(DEMO_PASSWORD)  # one hash for the many generated street accounts
    with db.uow() as uow:
        s = uow.session
        region_id = {r.code: r.id for r in s.scalars(select(Region).where(Region.level != "street"))}
        named = [("admin", "系统管理员", "admin", None), ("sheng", "省督导 王建国", "supervisor", "210000"),
                 ("shenyang", "沈阳市督导 李红", "supervisor", "210100"),
                 ("heping", "和平区督导 张伟", "supervisor", "210102"),
                 ("jiwei", "和平区纪委 赵敏", "inspector", "210102"),
                 ("renda", "人大代表 陈静", "observer", "210100")]
        users = [{"username": u, "display_name": d, "role": r, "scope_id": region_id.get(c) if c else None,
                  "password_hash": shared_hash} for u, d, r, c in named]
        cities = [code for code in region_id if code.endswith("00") and code != "210000"]
        counties = [code for code in region_id if not code.endswith("00")]
        users += [{"username": f"city{code}", "display_name": f"市级包县领导 {code}", "role": "supervisor",
                   "scope_id": region_id[code], "password_hash": shared_hash} for code in cities if code != "210100"]
        users += [{"username": f"county{code}", "display_name": f"县级包街道领导 {code}", "role": "supervisor",
                   "scope_id": region_id[code], "password_hash": shared_hash} for code in counties if code != "210102"]
        users += [{"username": f"cadre{st['code']}", "display_name": f"{st['name']}包社区干部", "role": "cadre",
                   "scope_id": st["id"], "password_hash": shared_hash} for st in streets]
        s.execute(insert(User), users)
        uid = {u.username: u.id for u in s.scalars(select(User))}
        city_user = {code: uid["shenyang" if code == "210100" else f"city{code}"] for code in cities}
        county_user = {code: uid["heping" if code == "210102" else f"county{code}"] for code in counties}
        resp = []
        for code in counties:  # city leaders answer for counties; the county secretary is first responsible
            resp.append({"target_code": code, "region_id": region_id[code], "kind": "contact",
                         "user_id": city_user[code[:4] + "00"]})
            resp.append({"target_code": code, "region_id": region_id[code], "kind": "first",
                         "user_id": county_user[code]})
        for st in streets:  # county leaders answer for streets; the street secretary is direct responsible
            county_code = st["code"][:6]
            resp.append({"target_code": st["code"], "region_id": st["id"], "kind": "contact",
                         "user_id": county_user[county_code]})
            resp.append({"target_code": st["code"], "region_id": st["id"], "kind": "direct",
                         "user_id": uid[f"cadre{st['code']}"]})
        street_code = {st["id"]: st["code"] for st in streets}
        for cid, code, street_id in s.execute(select(Community.id, Community.code, Community.street_id)):
            resp.append({"target_code": code, "community_id": cid, "kind": "contact",
                         "user_id": uid[f"cadre{street_code[street_id]}"]})
        for i in range(0, len(resp), 5000):
            s.execute(insert(Responsibility), resp[i:i + 5000])


def _pick_targets(rng: random.Random) -> tuple[str, str]:
    party = rng.choices(MAIN, [w for _, w in TARGETS])[0]
    if MAIN.index(party) < MAIN.index("certification"):
        # party first: the residents' election cannot open voting before the party election is certified
        residents = MAIN[max(0, min(MAIN.index(party), MAIN.index("candidate_meeting"))
                             - (1 if rng.random() < 0.15 else 0))]
    else:
        residents = rng.choices(MAIN, [w for _, w in TARGETS])[0]
    return party, residents


def _advance(db: Database, rng: random.Random, echo: Callable[[str], Any]) -> None:
    with db.uow(write=False) as uow:
        s = uow.session
        users = {u.username: u for u in s.scalars(select(User).where(User.role != "cadre"))}
        actors = {name: actor_for(s, u) for name, u in users.items()}
        cadres = {u.scope_id: actor_for(s, u) for u in s.scalars(select(User).where(User.role == "cadre"))}
        pairs: dict[int, dict[str, int]] = {}
        street_of: dict[int, int] = {}
        for e_id, body, cid, street_id in s.execute(
                select(Election.id, Election.body, Election.community_id, Community.street_id).join(Community)):
            pairs.setdefault(cid, {})[body] = e_id
            street_of[cid] = street_id
    admin, province = actors["admin"], actors["sheng"]
    done = 0
    for cid, ids in sorted(pairs.items()):
        party_target, res_target = _pick_targets(rng)
        cadre = cadres[street_of[cid]]
        with db.uow() as uow:
            walker = Walker(uow, cadre, admin, province, rng, serial_prefix="LN")
            party = uow.session.get(Election, ids["party"])
            residents = uow.session.get(Election, ids["residents"])
            walker.advance_to(party, party_target)
            walker.advance_to(residents, res_target)
            _extras(uow, rng, walker, party, residents, admin)
            _roster(uow, walker, party)
        done += 1
        if done % 250 == 0:
            echo(f"  advanced {done} of {len(pairs)} communities")


def _extras(uow: Any, rng: random.Random, walker: Walker, party: Election, residents: Election, admin: Actor) -> None:
    """Sprinkle what a live campaign has: complaints, suspensions, order overrides."""
    roll = rng.random()
    e = residents if residents.state in ("nomination", "candidate_meeting", "voting") else party
    if roll < 0.04 and e.state not in ("preparation", "closed"):
        from .models import Candidate
        cand = uow.session.scalars(select(Candidate).where(Candidate.election_id == e.id)).first()
        category = rng.choice(("bribery", "procedure", "other", "improper_competition"))
        complaint = file_complaint(uow, walker.actor, e.id, category, cand.id if cand else None,
                                   (clock.today() - dt.timedelta(days=rng.randint(0, 40))).isoformat(),
                                   rng.choice(("有居民反映候选人存在拉票行为", "选民名单公布时间有异议",
                                               "反映选举委员会成员未回避", "反映投票站设置不规范")))
        if rng.random() < 0.3:
            resolve_complaint(uow, admin, complaint.id, "unfounded", "经调查核实，反映问题不属实", None)
    elif roll < 0.06 and e.state not in ("closed", "suspended"):
        fire_trigger(uow, admin, e.id, "suspend", e.version,
                     rng.choice(("选情复杂，启动应急处置预案", "发生群体性上访，暂停选举")),
                     (clock.today() + dt.timedelta(days=rng.choice((-5, -2, 7, 14)))).isoformat())
    elif roll < 0.08:
        set_community_order(uow, admin, party.campaign.code, party.community.code, "concurrent")


FIRST_SECRETARY_UNITS = ("区委组织部", "区民政局", "区发展和改革局", "街道党工委", "区人力资源和社会保障局")
PART_TIME_UNITS = ("区人民医院党委", "市第三中学党总支", "国网供电公司党支部", "辖区派出所党支部", "区税务局党组")


def _roster(uow: Any, walker: Walker, party: Election) -> None:
    """Give some communities a dispatched first secretary and part-time members (N2(1)), without drawing from rng
    (the rest of the demo stays as it was)."""
    from .services.roster import add_roster_member
    from .walk import person_name
    n = party.community_id
    names = random.Random(n)  # its own generator: the demo's draws stay as they were
    if n % 4 == 0:
        add_roster_member(uow, walker.actor, party.id, {
            "kind": "first_secretary", "name": person_name(names), "unit": FIRST_SECRETARY_UNITS[n % 5],
            "post": "科员" if n % 8 else "副科长", "start_on": party.campaign.due.get("preparation")})
    for i in range(n % 3):
        add_roster_member(uow, walker.actor, party.id, {
            "kind": "part_time_member", "name": person_name(names), "unit": PART_TIME_UNITS[(n + i) % 5],
            "gender": "fm"[(n + i) % 2]})


def _logins(db: Database) -> list[tuple[str, str, str, str]]:
    with db.uow(write=False) as uow:
        s = uow.session
        rows = []
        for name in ("admin", "sheng", "shenyang", "heping", "jiwei", "renda", "cadre210102001"):
            user = s.scalars(select(User).where(User.username == name)).first()
            if user is None:
                continue
            scope = s.get(Region, user.scope_id) if user.scope_id else None
            rows.append((name, DEMO_PASSWORD, user.role, f"{scope.name} {scope.code}" if scope else "全省/all"))
        return rows

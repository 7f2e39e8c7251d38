"""The region tree at national scale: 31 provinces, Liaoning's real cities and counties, the rest synthesized.

Codes follow the national pattern: province PP0000, city PPCC00, county PPCCXX, street county+3 digits,
community street+3 digits. Liaoning comes from the packaged division file; the other provinces get
plausible synthesized cities and counties, sized by a rough share of China's urban communities.
"""
from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

DIVISIONS = Path(__file__).resolve().parent.parent / "workflow" / "data" / "liaoning-divisions.csv"

#: code, name, longitude, latitude, weight (rough share of urban communities)
PROVINCES = (
    ("110000", "北京市", 116.40, 39.90, 3), ("120000", "天津市", 117.20, 39.12, 2),
    ("130000", "河北省", 114.50, 38.04, 5), ("140000", "山西省", 112.55, 37.87, 3),
    ("150000", "内蒙古自治区", 111.67, 40.82, 2), ("210000", "辽宁省", 123.43, 41.84, 4),
    ("220000", "吉林省", 125.32, 43.90, 2), ("230000", "黑龙江省", 126.66, 45.74, 3),
    ("310000", "上海市", 121.47, 31.23, 4), ("320000", "江苏省", 118.76, 32.06, 7),
    ("330000", "浙江省", 120.15, 30.27, 5), ("340000", "安徽省", 117.28, 31.86, 4),
    ("350000", "福建省", 119.30, 26.08, 3), ("360000", "江西省", 115.89, 28.68, 3),
    ("370000", "山东省", 117.00, 36.67, 7), ("410000", "河南省", 113.65, 34.76, 5),
    ("420000", "湖北省", 114.30, 30.59, 5), ("430000", "湖南省", 112.98, 28.19, 4),
    ("440000", "广东省", 113.27, 23.13, 9), ("450000", "广西壮族自治区", 108.32, 22.82, 3),
    ("460000", "海南省", 110.35, 20.02, 1), ("500000", "重庆市", 106.55, 29.56, 3),
    ("510000", "四川省", 104.07, 30.67, 6), ("520000", "贵州省", 106.71, 26.58, 2),
    ("530000", "云南省", 102.71, 25.04, 3), ("540000", "西藏自治区", 91.13, 29.65, 1),
    ("610000", "陕西省", 108.95, 34.27, 3), ("620000", "甘肃省", 103.82, 36.06, 2),
    ("630000", "青海省", 101.78, 36.62, 1), ("640000", "宁夏回族自治区", 106.23, 38.49, 1),
    ("650000", "新疆维吾尔自治区", 87.62, 43.79, 2),
)
PLACE_WORDS = ("东阳", "南平", "西宁", "北安", "安庆", "长宁", "永和", "丰城", "临江", "兴义", "清河", "青山", "白云",
               "金华", "宝山", "江陵", "龙泉", "凤翔", "平安", "德兴", "桂阳", "云阳", "海门", "松原", "华容", "嘉禾",
               "静安", "瑞金", "新野", "阜康", "鹤山", "梅河", "汉阴", "泰和", "宜川", "盘石", "通化", "昌平",
               "望城", "高安", "武宁", "怀远", "富源", "恩平", "林口", "建安", "文昌", "惠民", "兰西", "沙河")
STREET_WORDS = ("中山", "北站", "新华", "太原", "南湖", "八一", "长白", "滨河", "五里", "泰山", "青年", "光明",
                "文化", "胜利", "站前", "民主", "向阳", "新开", "友谊", "兴华", "东陵", "金山", "春和", "和平",
                "建设", "解放", "永安", "回龙", "桃源", "人民", "朝阳", "花园", "东风", "红旗", "团结", "工农")
COMMUNITY_WORDS = ("阳光", "和谐", "幸福", "锦绣", "花园", "枫林", "翠湖", "春晖", "丽水", "景星", "长青", "富民",
                   "安康", "新城", "松涛", "望湖", "金桥", "文苑", "康乐", "南苑", "北苑", "东苑", "西苑", "福安",
                   "世纪", "明珠", "绿洲", "朝阳", "宏伟", "兴隆", "嘉园", "怡康", "广宁", "雅居", "龙湾", "海韵")
MEAN_PER_STREET = 10  # urban streets hold about ten communities
STREETS_PER_COUNTY = 5
COUNTIES_PER_CITY = 9
MAX_PER_STREET = 60


@dataclass
class Region:
    """One row of the regions table, with the generator's bookkeeping."""

    id: int
    code: str
    name: str
    level: str
    parent_id: Optional[int]
    province_id: int
    city_id: Optional[int]
    county_id: Optional[int]
    longitude: Optional[float] = None
    latitude: Optional[float] = None
    communities: int = 0  # streets: how many communities to generate
    children: list["Region"] = field(default_factory=list)


class Tree:
    """The region tree being built, ids assigned in insertion order."""

    def __init__(self) -> None:
        self.rows: list[Region] = []

    def add(self, code: str, name: str, level: str, parent: Optional[Region],
            lon: Optional[float] = None, lat: Optional[float] = None) -> Region:
        rid = len(self.rows) + 1
        province_id = parent.province_id if parent else rid
        city_id = rid if level == "city" else (parent.city_id if parent else None)
        county_id = rid if level == "county" else (parent.county_id if parent else None)
        region = Region(rid, code, name, level, parent.id if parent else None, province_id, city_id, county_id,
                        lon, lat)
        self.rows.append(region)
        if parent is not None:
            parent.children.append(region)
        return region

    def level(self, level: str) -> list[Region]:
        """Return the regions of one level in id order."""
        return [r for r in self.rows if r.level == level]


def split(total: int, parts: int, rng: random.Random, low: int = 1, high: int = 10**9) -> list[int]:
    """Split total into parts uneven shares (each in [low, high]) that sum exactly to total."""
    parts = max(parts, 1)
    weights = [rng.gammavariate(4.0, 1.0) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [min(max(low, int(w * scale)), high) for w in weights]
    diff = total - sum(shares)
    step = 1 if diff > 0 else -1
    i = 0
    while diff != 0:
        j = i % parts
        if low <= shares[j] + step <= high:
            shares[j] += step
            diff -= step
        i += 1
        if i > parts * (high + 2):
            raise ValueError(f"cannot split {total} into {parts} shares within [{low}, {high}]")
    return shares


def _jitter(rng: random.Random, value: float, spread: float) -> float:
    return round(value + rng.uniform(-spread, spread), 6)


def _liaoning(tree: Tree, rng: random.Random, total: int) -> None:
    with DIVISIONS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ids: dict[str, Region] = {}
    for row in rows:
        ids[row["code"]] = tree.add(row["code"], row["name"], row["level"], ids.get(row["parent"]),
                                    float(row["longitude"]), float(row["latitude"]))
    counties = [r for r in ids.values() if r.level == "county"]
    streets = max(len(counties), math.ceil(total / MEAN_PER_STREET))
    _streets(tree, rng, counties, split(streets, len(counties), rng, 1, 999), total)


def _synthesized(tree: Tree, rng: random.Random, code: str, name: str, lon: float, lat: float, total: int) -> None:
    province = tree.add(code, name, "province", None, lon, lat)
    streets = max(1, math.ceil(total / MEAN_PER_STREET))
    counties = max(1, math.ceil(streets / STREETS_PER_COUNTY))
    cities = max(1, math.ceil(counties / COUNTIES_PER_CITY))
    county_rows: list[Region] = []
    words = rng.sample(PLACE_WORDS, min(cities, len(PLACE_WORDS)))
    for ci, per_city in enumerate(split(counties, cities, rng, 1, 99), start=1):
        city = tree.add(f"{code[:2]}{ci:02d}00", f"{words[(ci - 1) % len(words)]}市", "city", province,
                        _jitter(rng, lon, 2.0), _jitter(rng, lat, 1.5))
        county_words = rng.sample(PLACE_WORDS, min(per_city, len(PLACE_WORDS)))
        for k in range(1, per_city + 1):
            suffix = "区" if k <= max(1, per_city // 2) else "县"
            county_name = f"{county_words[(k - 1) % len(county_words)]}{suffix}"
            county_rows.append(tree.add(f"{code[:2]}{ci:02d}{k:02d}", county_name, "county", city,
                                        _jitter(rng, city.longitude or lon, 0.5),
                                        _jitter(rng, city.latitude or lat, 0.4)))
    _streets(tree, rng, county_rows, split(streets, len(county_rows), rng, 1, 999), total)


def _streets(tree: Tree, rng: random.Random, counties: list[Region], per_county: list[int], total: int) -> None:
    streets: list[Region] = []
    for county, n in zip(counties, per_county):
        for k in range(1, n + 1):
            suffix = "街道" if county.name.endswith("区") or k % 4 else "镇"
            streets.append(tree.add(f"{county.code}{k:03d}", f"{STREET_WORDS[(k * 7 + county.id) % len(STREET_WORDS)]}"
                                    f"{suffix}" if k <= len(STREET_WORDS) else f"第{k}{suffix}", "street", county))
    low = 1 if total >= len(streets) else 0  # a tiny data set leaves some streets empty
    for street, n in zip(streets, split(total, len(streets), rng, low, MAX_PER_STREET)):
        street.communities = n


def build_tree(communities: int, rng: random.Random) -> Tree:
    """Build provinces → cities → counties → streets with a community count on every street."""
    tree = Tree()
    weight = sum(p[4] for p in PROVINCES)
    shares = [max(1, communities * p[4] // weight) for p in PROVINCES]
    shares[PROVINCES.index(max(PROVINCES, key=lambda p: p[4]))] += communities - sum(shares)
    for (code, name, lon, lat, _w), share in zip(PROVINCES, shares):
        if code == "210000":
            _liaoning(tree, rng, share)
        else:
            _synthesized(tree, rng, code, name, lon, lat, share)
    return tree


def community_rows(tree: Tree, rng: random.Random) -> list[tuple]:
    """Return the communities table rows (explicit ids), with mixed flags as in the demo."""
    rows: list[tuple] = []
    for street in tree.level("street"):
        for n in range(1, street.communities + 1):
            cid = len(rows) + 1
            risk = rng.random()
            village = risk < 0.05
            fringe, migrant, new_res = 0.05 <= risk < 0.10, 0.10 <= risk < 0.15, 0.15 <= risk < 0.19
            other = "历史遗留问题较多" if 0.19 <= risk < 0.205 else None
            households = rng.randint(800, 5000)
            name = f"{COMMUNITY_WORDS[(cid * 13 + n) % len(COMMUNITY_WORDS)]}{('', '里', '园', '街', '路')[n % 5]}社区"
            rows.append((cid, f"{street.code}{n:03d}", name, street.id, street.county_id, street.city_id,
                         street.province_id, households, households * 2 + rng.randint(0, 800),
                         rng.choices(("committee", "general_branch", "branch"), (1, 3, 6))[0],
                         rng.randint(40, 400), fringe, village, village and rng.random() < 0.6, migrant, new_res,
                         other, bool(fringe or village or migrant or new_res or other)))
    return rows


COMMUNITY_COLUMNS = ("id", "code", "name", "street_id", "county_id", "city_id", "province_id", "households", "voters",
                     "party_org_type", "party_members", "urban_rural_fringe", "village_converted",
                     "collective_reform_done", "migrant_dense", "new_residential", "other_risk", "key_difficult")
REGION_COLUMNS = ("id", "code", "name", "level", "parent_id", "province_id", "city_id", "county_id", "longitude",
                  "latitude")


def region_rows(tree: Tree) -> list[tuple]:
    """Return the regions table rows (explicit ids)."""
    return [(r.id, r.code, r.name, r.level, r.parent_id, r.province_id, r.city_id, r.county_id, r.longitude,
             r.latitude) for r in tree.rows]

"""Importers of regions and communities: set-based lookups and bulk writes, ancestors kept consistent."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Iterable, Iterator

from sqlalchemy import select, update

from ..auth import LEVELS, may_administer, require
from ..models import Community, Region
from ..services.common import in_scope, region_scope
from ..services.structure import PARENT_LEVEL
from .columns import MISSING
from .engine import Importer, bulk_insert
from .kinds import COMMUNITIES, COMMUNITY_FLAGS, LEVEL_NAMES, REGIONS

CHUNK = 500
COMMUNITY_DEFAULTS: dict[str, Any] = {"households": 0, "voters": 0, "party_org_type": "branch", "party_members": 0,
                                      "other_risk": None, **{f: False for f in COMMUNITY_FLAGS}}
COMMUNITY_VALUES = ("name", "street_id", "county_id", "city_id", "province_id", *COMMUNITY_DEFAULTS, "key_difficult")


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """Split a list for IN (...) lookups of bounded size."""
    for i in range(0, len(items), size):
        yield items[i:i + size]




def key_difficult(values: dict[str, Any]) -> bool:
    """Apply the model's own rule (Community.refresh_key_difficult) to plain values."""
    ns = SimpleNamespace(**values)
    Community.refresh_key_difficult(ns)  # type: ignore[arg-type]
    return bool(ns.key_difficult)


def level_zh(level: str) -> str:
    return LEVEL_NAMES[level][0]


class _Coded(Importer):
    """An importer of records keyed by a code that must be unique in the file."""

    seen: dict[str, int]

    def unique(self, row: int, rec: dict[str, Any]) -> bool:
        """Report a code already used on an earlier row; a row whose code is unreadable is not fit."""
        if "code" not in rec:
            return False
        first = self.seen.setdefault(rec["code"], row)
        if first != row:
            self.problem(row, "code", f"duplicate code: already on row {first}", f"代码重复：与第{first}行相同")
            return False
        return True


class CommunityImporter(_Coded):
    """Communities: every field of api.md; the street's ancestors are copied onto the community."""

    kind = "communities"
    columns = COMMUNITIES

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        require(may_administer(self.actor))
        self.regions = {r.code: r for r in self.s.execute(
            select(Region.code, Region.id, Region.level, Region.county_id, Region.city_id, Region.province_id)
            .where(region_scope(self.actor)))}
        self.seen: dict[str, int] = {}

    def check(self, row: int, rec: dict[str, Any]) -> bool:
        ok = self.unique(row, rec)
        if "street" not in rec:
            return False
        street = self.regions.get(rec["street"])
        if street is None:
            self.problem(row, "street", f"unknown street code “{rec['street']}”", f"街道代码“{rec['street']}”不存在")
            ok = False
        elif street.level != "street":
            self.problem(row, "street", f"“{rec['street']}” is a {street.level}, not a street",
                         f"“{rec['street']}”是{level_zh(street.level)}级区划，不是街道")
            ok = False
        return ok

    def flush(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        existing: dict[str, Any] = {}
        for part in chunks([rec["code"] for _, rec in batch]):
            for row in self.s.execute(select(Community.id, Community.code, *[getattr(Community, c) for c in
                                                                               COMMUNITY_VALUES])
                                      .where(Community.code.in_(part))):
                existing[row.code] = row
        inserts, updates = [], []
        for row, rec in batch:
            old = existing.get(rec["code"])
            if old is not None and not in_scope(self.actor, old):
                self.problem(row, "code", "this code is used by a community outside your scope",
                             "该代码已被您管辖范围以外的社区使用")
                continue
            street = self.regions[rec["street"]]
            values = {k: (getattr(old, k) if old is not None else COMMUNITY_DEFAULTS[k]) if rec.get(k, MISSING)
                      is MISSING else rec[k] for k in COMMUNITY_DEFAULTS}
            values.update(name=rec["name"], street_id=street.id, county_id=street.county_id or 0,
                          city_id=street.city_id or 0, province_id=street.province_id or 0)
            values["key_difficult"] = key_difficult(values)
            if old is None:
                inserts.append({"code": rec["code"], **values})
            else:
                self.compare(old, values, updates)
        self.write(Community, inserts, updates)


class RegionImporter(_Coded):
    """Regions: created top-down (parents may come later in the file); existing ones are renamed, never moved."""

    kind = "regions"
    columns = REGIONS
    batch_size = None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        require(may_administer(self.actor))
        self.known = {r.code: r for r in self.s.execute(select(
            Region.id, Region.code, Region.name, Region.level, Region.parent_id, Region.longitude, Region.latitude,
            Region.province_id, Region.city_id, Region.county_id))}
        self.code_of = {r.id: r.code for r in self.known.values()}
        self.visible = set(self.s.scalars(select(Region.id).where(region_scope(self.actor))))
        self.seen: dict[str, int] = {}

    def check(self, row: int, rec: dict[str, Any]) -> bool:
        ok = self.unique(row, rec)
        if "level" not in rec or "parent" not in rec:
            return False
        parent = rec["parent"]
        if rec["level"] == "province" and parent not in (None, MISSING):
            self.problem(row, "parent", "a province has no parent", "省级区划没有上级")
            ok = False
        elif rec["level"] != "province" and parent in (None, MISSING):
            self.problem(row, "parent", "is required", "必填")
            ok = False
        return ok

    def flush(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        in_file = {rec["code"]: rec for _, rec in batch}
        new: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row, rec in batch:
            old = self.known.get(rec["code"])
            if old is not None:
                self._existing(row, rec, old, updates)
            elif self._parent_fits(row, rec, in_file):
                new.append(rec)
        self.counts.created += len(new)
        self.counts.updated += len(updates)
        if self.writing:
            if updates:
                self.s.execute(update(Region), updates)
            self._insert(new)

    def _existing(self, row: int, rec: dict[str, Any], old: Any, updates: list[dict[str, Any]]) -> None:
        if old.id not in self.visible:
            self.problem(row, "code", "this code is used by a region outside your scope", "该代码已被您管辖范围以外的区划使用")
            return
        parent = self.code_of.get(old.parent_id)
        if old.level != rec["level"]:
            self.problem(row, "level", f"an existing region cannot change its level (it is a {old.level})",
                         f"已有区划不能修改级别（现为{level_zh(old.level)}级）")
            return
        if rec.get("parent") not in (MISSING, parent):
            self.problem(row, "parent", f"an existing region cannot move (its parent is {parent})",
                         f"已有区划不能调整上级（现上级为{parent}）")
            return
        values = {"name": rec["name"]}
        for k in ("longitude", "latitude"):
            if rec.get(k, MISSING) is not MISSING:
                values[k] = rec[k]
        if any(getattr(old, k) != v for k, v in values.items()):
            updates.append({"id": old.id, **values})
        else:
            self.counts.unchanged += 1

    def _parent_fits(self, row: int, rec: dict[str, Any], in_file: dict[str, dict[str, Any]]) -> bool:
        level = rec["level"]
        if level == "province":
            if not self.actor.sees_everything():
                self.problem(row, "level", "only a system-wide administrator may create a province",
                             "只有全系统管理员可以新建省级区划")
                return False
            return True
        code = rec["parent"]
        parent = in_file.get(code)
        if parent is not None:
            parent_level = parent["level"]
        elif code in self.known and self.known[code].id in self.visible:
            parent_level = self.known[code].level
        else:
            self.problem(row, "parent", f"unknown parent code “{code}”", f"上级代码“{code}”不存在")
            return False
        if parent_level != PARENT_LEVEL[level]:
            need = PARENT_LEVEL[level]
            self.problem(row, "parent", f"a {level} belongs to a {need}; “{code}” is a {parent_level}",
                         f"{level_zh(level)}级区划的上级应为{level_zh(need)}级，而“{code}”是{level_zh(parent_level)}级")
            return False
        return True

    def _insert(self, new: list[dict[str, Any]]) -> None:
        own = {"province": "province_id", "city": "city_id", "county": "county_id"}
        for level in LEVELS:
            rows = [rec for rec in new if rec["level"] == level]
            if not rows:
                continue
            values = []
            for rec in rows:
                parent = self.known.get(rec["parent"]) if level != "province" else None
                values.append({"code": rec["code"], "name": rec["name"], "level": level,
                               "parent_id": parent.id if parent else None,
                               "province_id": parent.province_id if parent else None,
                               "city_id": parent.city_id if parent and level != "city" else None,
                               "county_id": parent.county_id if parent and level == "street" else None,
                               "longitude": _opt(rec, "longitude"), "latitude": _opt(rec, "latitude")})
            bulk_insert(self.s, Region, values)
            fresh = self._load([rec["code"] for rec in rows])
            if level in own:
                self.s.execute(update(Region), [{"id": r.id, own[level]: r.id} for r in fresh])
            for r in self._load([rec["code"] for rec in rows]):
                self.known[r.code] = r
                self.code_of[r.id] = r.code

    def _load(self, codes: Iterable[str]) -> list[Any]:
        out: list[Any] = []
        for part in chunks(list(codes)):
            out += self.s.execute(select(
                Region.id, Region.code, Region.name, Region.level, Region.parent_id, Region.longitude,
                Region.latitude, Region.province_id, Region.city_id, Region.county_id).where(Region.code.in_(part)))
        return out


def _opt(rec: dict[str, Any], key: str) -> Any:
    value = rec.get(key, MISSING)
    return None if value is MISSING else value

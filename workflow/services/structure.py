"""Regions, communities, users and responsibilities (三包三保)."""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import LEVELS, ROLES, Actor, may_administer, require
from ..db import UnitOfWork
from ..errors import Duplicate, Forbidden, InvalidRequest, NotFound
from ..models import Community, Region, Responsibility, User
from ..passwords import MIN_LENGTH, hash_password
from ..ruleset import ORG_TYPES
from .common import (
    audit,
    get_region,
    in_scope,
    region_in_scope,
    require_bool,
    require_choice,
    require_int,
    require_text,
)
from .login import change_password  # noqa: F401 - lives with the sessions it ends; kept importable from here

PARENT_LEVEL = {"city": "province", "county": "city", "street": "county"}
COMMUNITY_FLAGS = ("urban_rural_fringe", "village_converted", "collective_reform_done", "migrant_dense",
                   "new_residential")
RESPONSIBILITY_KINDS = ("contact", "first", "direct")


def _code(value: Any, name: str = "code") -> str:
    code = require_text(value, name, 24)
    assert code is not None
    if not code.isalnum():
        raise InvalidRequest.one(name, "may hold only letters and digits", "只能包含字母和数字")
    return code


def create_region(uow: UnitOfWork, actor: Actor, code: Any, name: Any, level: Any, parent: Any = None,
                  longitude: Optional[float] = None, latitude: Optional[float] = None) -> Region:
    """Create a region under its parent (province at the top); codes are unique."""
    s = uow.session
    code_text = _code(code)
    name_text = require_text(name, "name", 100)
    level_text = require_choice(level, "level", LEVELS)
    require(may_administer(actor))
    parent_region: Optional[Region] = None
    if level_text == "province":
        if parent is not None:
            raise InvalidRequest.one("parent", "a province has no parent", "省级没有上级")
        require(actor.sees_everything())
    else:
        if parent is None:
            raise InvalidRequest.one("parent", "is required", "必填")
        parent_region = get_region(s, actor, parent)
        if parent_region.level != PARENT_LEVEL[level_text]:
            raise InvalidRequest.one("parent", f"a {level_text} belongs to a {PARENT_LEVEL[level_text]}",
                                     "上级区域的级别不对")
    if s.scalar(select(Region.id).where(Region.code == code_text)) is not None:
        raise Duplicate("this region code is already used", "该区划代码已存在")
    region = Region(code=code_text, name=name_text, level=level_text,
                    parent_id=parent_region.id if parent_region else None,
                    longitude=longitude, latitude=latitude)
    s.add(region)
    s.flush()
    set_ancestors(region, parent_region)
    audit(s, actor, "region_created", data={"code": code_text, "name": name_text, "level": level_text,
                                             "parent": parent_region.code if parent_region else None})
    s.flush()
    return region


def set_ancestors(region: Region, parent: Optional[Region]) -> None:
    """Fill the denormalized ancestor ids (self included) used by scope filters."""
    region.province_id = parent.province_id if parent else region.id
    region.city_id = region.id if region.level == "city" else (parent.city_id if parent else None)
    region.county_id = region.id if region.level == "county" else (parent.county_id if parent else None)
    if region.level == "street" and parent is not None:
        region.city_id, region.county_id = parent.city_id, parent.county_id


def community_fields(raw: Any, creating: bool) -> dict[str, Any]:
    """Check the fields of a community (api.md)."""
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    known = {"code", "name", "street", "households", "voters", "party_org_type", "party_members",
             "other_risk", *COMMUNITY_FLAGS}
    unknown = set(raw) - known
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in sorted(unknown)})
    out: dict[str, Any] = {}
    if creating or "code" in raw:
        out["code"] = _code(raw.get("code"))
    if creating or "name" in raw:
        out["name"] = require_text(raw.get("name"), "name", 100)
    if creating or "street" in raw:
        out["street"] = _code(raw.get("street"), "street")
    for name in ("households", "voters", "party_members"):
        if name in raw:
            out[name] = require_int(raw[name], name, 0, 10**7)
    if "party_org_type" in raw:
        out["party_org_type"] = require_choice(raw["party_org_type"], "party_org_type", ORG_TYPES)
    for flag in COMMUNITY_FLAGS:
        if flag in raw:
            out[flag] = require_bool(raw[flag], flag)
    if "other_risk" in raw:
        out["other_risk"] = require_text(raw["other_risk"], "other_risk", 500, required=False)
    return out


def upsert_community(s: Session, actor: Actor, fields: dict[str, Any], creating: bool) -> Community:
    """Create (or, for imports, update) a community from checked fields."""
    street = get_region(s, actor, fields["street"]) if "street" in fields else None
    if street is not None and street.level != "street":
        raise InvalidRequest.one("street", "must be the code of a street", "必须是街道代码")
    existing = s.scalars(select(Community).where(Community.code == fields["code"])).first()
    if existing is not None and creating:
        raise Duplicate("this community code is already used", "该社区代码已存在")
    c = existing or Community(code=fields["code"])
    if existing is not None and not in_scope(actor, existing):
        raise NotFound()
    for k, v in fields.items():
        if k != "street":
            setattr(c, k, v)
    if street is not None:
        c.street_id, c.county_id = street.id, street.county_id or 0
        c.city_id, c.province_id = street.city_id or 0, street.province_id or 0
    c.refresh_key_difficult()
    if existing is None:
        s.add(c)
    s.flush()
    return c


def create_community(uow: UnitOfWork, actor: Actor, raw: Any) -> Community:
    """Create a community in a street inside the actor's scope."""
    fields = community_fields(raw, creating=True)
    require(may_administer(actor))
    c = upsert_community(uow.session, actor, fields, creating=True)
    audit(uow.session, actor, "community_created", community_id=c.id, data={"code": c.code, "name": c.name})
    return c


def review_departments() -> tuple[str, ...]:
    """The department codes of every rule set's joint review (a reviewer's department is one of them)."""
    from ..ruleset import available_rule_sets, get_rule_set
    codes: list[str] = []
    for name in available_rule_sets():
        review = get_rule_set(name).joint_review
        for d in (review.departments if review else ()):
            if d.code not in codes:
                codes.append(d.code)
    return tuple(codes)


def _department(role: str, department: Any) -> Optional[str]:
    """A reviewer needs a department of the rule sets' joint review; no other role has one (domain.md §12)."""
    if role != "reviewer":
        if department not in (None, ""):
            raise InvalidRequest.one("department", "only a reviewer has a department", "只有资格联审人员有所属部门")
        return None
    if department in (None, ""):
        raise InvalidRequest.one("department", "is required for a reviewer", "资格联审人员必须指定所属部门")
    return require_choice(department, "department", review_departments())


def create_user(uow: UnitOfWork, actor: Actor, username: Any, password: Any, role: Any,
                scope: Any = None, display_name: Any = None, email: Any = None, department: Any = None) -> User:
    """Create a user; a supervisor creates only users inside its own scope, never wider."""
    s = uow.session
    name = require_text(username, "username", 64)
    assert name is not None
    if not all(ch.isalnum() or ch in "._-" for ch in name):
        raise InvalidRequest.one("username", "may hold letters, digits, . _ -", "只能包含字母、数字和 . _ -")
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise InvalidRequest.one("password", f"must be at least {MIN_LENGTH} characters",
                                 f"至少{MIN_LENGTH}个字符")
    role_text = require_choice(role, "role", ROLES)
    require(may_administer(actor))
    region: Optional[Region] = None
    if scope is not None:
        region = get_region(s, actor, scope)
    elif role_text != "admin":
        raise InvalidRequest.one("scope", "is required for this role", "该角色必须指定管辖区域")
    if role_text == "admin" and not actor.is_admin:
        raise Forbidden()
    dept = _department(role_text, department)
    if s.scalar(select(User.id).where(User.username == name)) is not None:
        raise Duplicate("this username is taken", "该用户名已存在")
    user = User(username=name, password_hash=hash_password(password), role=role_text,
                scope_id=region.id if region else None,
                display_name=require_text(display_name, "display_name", 100, required=False) or name,
                email=require_text(email, "email", 200, required=False), department=dept)
    s.add(user)
    s.flush()
    audit(s, actor, "user_created", data={"username": name, "role": role_text,
                                           "scope": region.code if region else None,
                                           **({"department": dept} if dept else {})})
    return user


def set_responsibility(uow: UnitOfWork, actor: Actor, target: Any, username: Any, kind: Any = "contact") -> Responsibility:
    """Name who answers for a region or community (contact), or a region's first / direct responsible person."""
    s = uow.session
    code = _code(target, "target")
    kind_text = require_choice(kind if kind is not None else "contact", "kind", RESPONSIBILITY_KINDS)
    name = require_text(username, "username", 64)
    require(may_administer(actor))
    from .common import community_scope, region_scope
    region = s.scalars(select(Region).where(Region.code == code, region_scope(actor))).first()
    community = None if region else s.scalars(
        select(Community).where(Community.code == code, community_scope(actor))).first()
    if region is None and community is None:
        raise NotFound()
    user = s.scalars(select(User).where(User.username == name)).first()
    if user is None:
        raise InvalidRequest.one("username", "no such user", "没有该用户")
    row = s.scalars(select(Responsibility).where(Responsibility.target_code == code,
                                                 Responsibility.kind == kind_text)).first()
    if row is None:
        row = Responsibility(target_code=code, kind=kind_text)
        s.add(row)
    row.region_id = region.id if region else None
    row.community_id = community.id if community else None
    row.user_id = user.id
    s.flush()
    audit(s, actor, "responsibility_set", community_id=community.id if community else None,
          data={"target": code, "kind": kind_text, "username": name})
    return row


def region_visible(actor: Actor, region: Region) -> bool:
    """Return whether the actor may see the region."""
    return region_in_scope(actor, region)


def set_language(uow: UnitOfWork, user_id: int, language: str) -> None:
    """Keep a user's language preference ('zh' or 'en')."""
    user = uow.session.get(User, user_id)
    if user is not None and language in ("zh", "en"):
        user.language = language

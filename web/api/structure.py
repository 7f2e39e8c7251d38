"""Regions, communities, users and responsibilities (三包三保): admins, and supervisors inside their scope."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select

from workflow.auth import LEVELS, ROLES
from workflow.errors import NotFound
from workflow.labels import STATES
from workflow.models import Community, Region
from workflow.passwords import MIN_LENGTH
from workflow.ruleset import ORG_TYPES
from workflow.services import reads, structure
from workflow.services.common import community_scope, get_community, region_scope

from .core import actor, body, bp, load, load_query, op, query, uow
from .outputs import PeopleOut
from .schemas import Bool, line, DayOut, In, Number, Out, PageQuery, choice, count, page_schema, text


class RegionIn(In):
    code = text(24, required=True)
    name = text(100, required=True)
    level = choice(LEVELS, required=True)
    parent = text(24, nullable=True, load_default=None)
    longitude = Number(allow_none=True, validate=validate.Range(-180, 180))
    latitude = Number(allow_none=True, validate=validate.Range(-90, 90))


class RegionOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    parent = fields.String(required=True, allow_none=True)
    children = fields.List(fields.String(), required=True)
    longitude = fields.Float(allow_none=True)
    latitude = fields.Float(allow_none=True)


class CommunityIn(In):
    code = text(24, required=True)
    name = text(100, required=True)
    street = text(24, required=True)
    households = count(required=False, maximum=10**7)
    voters = count(required=False, maximum=10**7)
    party_org_type = choice(ORG_TYPES)
    party_members = count(required=False, maximum=10**7)
    urban_rural_fringe = Bool()
    village_converted = Bool()
    collective_reform_done = Bool()
    migrant_dense = Bool()
    new_residential = Bool()
    other_risk = line(500)


class ElectionBrief(Out):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    state = fields.String(required=True)
    overdue = fields.Boolean(required=True)
    due = DayOut(required=True, allow_none=True)
    version = fields.Integer()
    campaign = fields.String()
    campaign_id = fields.Integer()


class CommunityOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    street = fields.String(required=True, allow_none=True)
    households = fields.Integer()
    voters = fields.Integer()
    party_org_type = fields.String()
    party_members = fields.Integer()
    urban_rural_fringe = fields.Boolean()
    village_converted = fields.Boolean()
    collective_reform_done = fields.Boolean()
    migrant_dense = fields.Boolean()
    new_residential = fields.Boolean()
    other_risk = fields.String(allow_none=True)
    key_difficult = fields.Boolean(required=True)
    people = fields.List(fields.Nested(PeopleOut), metadata={"description": "一肩挑 and 交叉任职 per campaign"})
    elections = fields.List(fields.Nested(ElectionBrief), required=True)


class CommunityItem(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    street = fields.String(required=True, allow_none=True)
    street_name = fields.String(allow_none=True)
    key_difficult = fields.Boolean(required=True)
    elections = fields.List(fields.Nested(ElectionBrief), required=True)


class CommunityQuery(PageQuery):
    region = text(24)
    state = choice(STATES)
    overdue = fields.Boolean(truthy={"true", "1"}, falsy={"false", "0"})
    key = fields.Boolean(truthy={"true", "1"}, falsy={"false", "0"})
    q = fields.String(validate=validate.Length(max=100))
    campaign = text(40)


class CampaignQuery(In):
    campaign = text(40)


class UserIn(In):
    username = text(64, required=True)
    password = fields.String(required=True, validate=validate.Length(MIN_LENGTH, 1024))
    role = choice(ROLES, required=True)
    scope = text(24, nullable=True, load_default=None)
    display_name = text(100, nullable=True)
    email = text(200, nullable=True)
    department = text(32, nullable=True, metadata={"description": "a reviewer's joint-review department code"})


class UserOut(Out):
    username = fields.String(required=True)
    role = fields.String(required=True)
    scope = fields.String(required=True, allow_none=True)
    display_name = fields.String()
    email = fields.String(allow_none=True)
    department = fields.String(allow_none=True)


class ResponsibilityIn(In):
    username = text(64, required=True)
    kind = choice(structure.RESPONSIBILITY_KINDS, nullable=True, load_default="contact")


class ResponsibilityOut(Out):
    target = fields.String(required=True)
    kind = fields.String(required=True)
    username = fields.String(required=True)


CommunityPage = page_schema(CommunityItem, "CommunityPage")


@bp.post("/regions")
@bp.output(RegionOut, status_code=201)
@body(RegionIn)
@op("Structure", 400, 403, 404, 409)
def create_region() -> dict[str, Any]:
    """Create a region under its parent (a province: admin only)."""
    data = load(RegionIn)
    with uow() as w:
        region = structure.create_region(w, actor(), data["code"], data["name"], data["level"], data["parent"],
                                         data.get("longitude"), data.get("latitude"))
        return reads.region_detail(w, actor(), region.code)


@bp.get("/regions/<code>")
@bp.output(RegionOut)
@op("Structure", 404)
def get_region_view(code: str) -> dict[str, Any]:
    """Return a region with its children's codes."""
    with uow(write=False) as w:
        return reads.region_detail(w, actor(), code)


@bp.post("/communities")
@bp.output(CommunityOut, status_code=201)
@body(CommunityIn)
@op("Structure", 400, 403, 404, 409)
def create_community() -> dict[str, Any]:
    """Create a community in a street (the four flags or other_risk make it key/difficult)."""
    data = load(CommunityIn)
    with uow() as w:
        community = structure.create_community(w, actor(), data)
        return reads.community_detail(w, actor(), community.code)


@bp.get("/communities")
@bp.output(CommunityPage)
@query(CommunityQuery)
@op("Structure", 400, 404)
def list_communities() -> dict[str, Any]:
    """List the communities in scope with their elections (filters: region, state, overdue, key, q, campaign)."""
    args = load_query(CommunityQuery)
    with uow(write=False) as w:
        return reads.list_communities(
            w, actor(), region=args.get("region"), state=args.get("state"), overdue=args.get("overdue", False),
            key=args.get("key", False), q=args.get("q"), page=args["page"], per_page=args["per_page"],
            campaign=args.get("campaign"))


@bp.get("/communities/<code>")
@bp.output(CommunityOut)
@query(CampaignQuery)
@op("Structure", 400, 404)
def get_community_view(code: str) -> dict[str, Any]:
    """Return a community with its elections (of one campaign with ?campaign=, else of all)."""
    with uow(write=False) as w:
        get_community(w.session, actor(), code)
        args = load_query(CampaignQuery)
        return reads.community_detail(w, actor(), code, args.get("campaign"))


@bp.post("/users")
@bp.output(UserOut, status_code=201)
@body(UserIn)
@op("Users", 400, 403, 404, 409)
def create_user() -> dict[str, Any]:
    """Create a user (a supervisor: only inside its scope, never with a wider one)."""
    data = load(UserIn)
    with uow() as w:
        user = structure.create_user(w, actor(), data["username"], data["password"], data["role"], data["scope"],
                                     data.get("display_name"), data.get("email"), data.get("department"))
        scope = w.session.get(Region, user.scope_id) if user.scope_id else None
        return {"username": user.username, "role": user.role, "scope": scope.code if scope else None,
                "display_name": user.display_name, "email": user.email, "department": user.department}


@bp.put("/responsibilities/<code>")
@bp.output(ResponsibilityOut)
@body(ResponsibilityIn)
@op("Structure", 400, 403, 404)
def set_responsibility(code: str) -> dict[str, Any]:
    """Name who answers for a region or community (contact), or a region's first/direct responsible person."""
    with uow() as w:
        s, who = w.session, actor()
        found = s.scalar(select(Region.id).where(Region.code == code, region_scope(who))) or s.scalar(
            select(Community.id).where(Community.code == code, community_scope(who)))
        if found is None:
            raise NotFound()
        data = load(ResponsibilityIn)
        row = structure.set_responsibility(w, who, code, data["username"], data["kind"] or "contact")
        return {"target": row.target_code, "kind": row.kind, "username": data["username"]}


"""Campaigns: create, list, launch, order overrides, bulk acceptance and progress."""
from __future__ import annotations

from typing import Any

from marshmallow import fields

from workflow.machines import ACTIVE_STATES
from workflow.models import Campaign
from workflow.ruleset import available_rule_sets
from workflow.services import campaigns as svc
from workflow.services import street_facts
from workflow.services.common import get_community

from .core import actor, body, bp, load, load_query, op, page_of, query, uow
from .schemas import (Day, DayOut, EmptyIn, In, Out, PageQuery, Timestamp, UnmetOut, choice, note, page_schema,
                      text)

DueIn = type("DueIn", (In,), {state: Day(required=True) for state in ACTIVE_STATES})


class CampaignIn(In):
    code = text(40, required=True)
    name = text(200, required=True)
    rule_set = text(40, required=True, metadata={"examples": available_rule_sets()})
    scope = text(24, required=True)
    order = choice(svc.ORDERS, load_default="party_first")
    due = fields.Nested(DueIn, required=True)
    report_due = Day(allow_none=True, load_default=None,
                     metadata={"description": "the cities' report date; none: the summary due date + 10 days"})


class CampaignOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    rule_set = fields.String(required=True)
    scope = fields.String(required=True)
    order = fields.String(required=True)
    due = fields.Dict(keys=fields.String(), values=DayOut(), required=True)
    report_due = DayOut(allow_none=True, metadata={"description": "the campaign's own date, else summary due + 10"})
    report_due_source = fields.String(metadata={"enum": ["campaign", "summary"]})
    created_at = Timestamp(allow_none=True)
    launched_at = Timestamp(required=True, allow_none=True)


class OrderIn(In):
    order = choice(svc.ORDERS, required=True)


class OrderOut(Out):
    campaign = fields.String(required=True)
    community = fields.String(required=True)
    order = fields.String(required=True)


class AcceptIn(In):
    region = text(24, required=True)


class SkippedOut(Out):
    id = fields.Integer(required=True)
    community = fields.String()
    unmet = fields.List(fields.Nested(UnmetOut), required=True)


class AcceptOut(Out):
    accepted = fields.Integer(required=True)
    accepted_ids = fields.List(fields.Integer())
    skipped = fields.List(fields.Nested(SkippedOut), required=True)


class LaunchOut(Out):
    created = fields.Integer(required=True)


class ProgressQuery(In):
    region = text(24)


class BodyProgress(Out):
    states = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    overdue = fields.Integer(required=True)
    suspended = fields.Integer(required=True)


class BodiesOut(Out):
    party = fields.Nested(BodyProgress, required=True)
    residents = fields.Nested(BodyProgress, required=True)


class ProgressOut(Out):
    campaign = fields.String(required=True)
    region = fields.String(required=True)
    communities = fields.Integer(required=True)
    bodies = fields.Nested(BodiesOut, required=True)


CampaignPage = page_schema(CampaignOut, "CampaignPage")


def campaign_dict(c: Campaign) -> dict[str, Any]:
    """Return a campaign as the API shows it."""
    return {"code": c.code, "name": c.name, "rule_set": c.rule_set, "scope": c.scope.code, "order": c.order,
            "due": dict(c.due or {}), "report_due": svc.report_due_of(c),
            "report_due_source": "campaign" if c.report_due is not None else "summary", "created_at": c.created_at,
            "launched_at": c.launched_at}


@bp.post("/campaigns")
@bp.output(CampaignOut, status_code=201)
@body(CampaignIn)
@op("Campaigns", 400, 403, 404, 409)
def create_campaign() -> dict[str, Any]:
    """Create a campaign: rule set, scope, default order and a due date per state."""
    data = load(CampaignIn)
    with uow() as w:
        c = svc.create_campaign(w, actor(), data["code"], data["name"], data["rule_set"], data["scope"],
                                data["order"], data["due"], data.get("report_due"))
        return campaign_dict(c)


@bp.get("/campaigns")
@bp.output(CampaignPage)
@query(PageQuery)
@op("Campaigns", 400)
def list_campaigns() -> dict[str, Any]:
    """List the campaigns visible to the caller, newest first."""
    args = load_query(PageQuery)
    with uow(write=False) as w:
        return page_of([campaign_dict(c) for c in svc.list_campaigns(w, actor())], args["page"], args["per_page"])


@bp.get("/campaigns/<code>")
@bp.output(CampaignOut)
@op("Campaigns", 404)
def get_campaign(code: str) -> dict[str, Any]:
    """Return one campaign."""
    with uow(write=False) as w:
        return campaign_dict(svc.get_campaign(w.session, actor(), code))


@bp.post("/campaigns/<code>/launch")
@bp.output(LaunchOut)
@body(EmptyIn)
@op("Campaigns", 400, 403, 404)
def launch_campaign(code: str) -> dict[str, Any]:
    """Create the two elections of every community in scope that has none in this campaign (idempotent)."""
    with uow() as w:
        svc.get_campaign(w.session, actor(), code)
        load(EmptyIn)
        return {"created": svc.launch_campaign(w, actor(), code)}


@bp.put("/campaigns/<code>/order/<community>")
@bp.output(OrderOut)
@body(OrderIn)
@op("Campaigns", 400, 403, 404)
def set_order(code: str, community: str) -> dict[str, Any]:
    """Set the order of one community's two elections in this campaign (supervisor)."""
    with uow() as w:
        svc.get_campaign(w.session, actor(), code)
        get_community(w.session, actor(), community)
        data = load(OrderIn)
        order = svc.set_community_order(w, actor(), code, community, data["order"])
        return {"campaign": code, "community": community, "order": order}


@bp.post("/campaigns/<code>/accept")
@bp.output(AcceptOut)
@body(AcceptIn)
@op("Campaigns", 400, 403, 404)
def accept(code: str) -> dict[str, Any]:
    """Fire accept_summary on every election of the region in summary that meets its guards (city level+)."""
    with uow() as w:
        svc.get_campaign(w.session, actor(), code)
        data = load(AcceptIn)
        return svc.accept_region(w, actor(), code, data["region"])


@bp.get("/campaigns/<code>/progress")
@bp.output(ProgressOut)
@query(ProgressQuery)
@op("Campaigns", 400, 404)
def progress(code: str) -> dict[str, Any]:
    """Count the elections per body and state (zeros included), overdue and suspended, in a region."""
    with uow(write=False) as w:
        svc.get_campaign(w.session, actor(), code)
        args = load_query(ProgressQuery)
        return svc.progress(w, actor(), code, args.get("region"))


class StreetFactIn(In):
    region = text(24, required=True)
    body = choice(("party", "residents", "both"), required=True)
    key = text(60, required=True)
    value = fields.Raw(required=True, allow_none=True)
    note = note(2000)
    preview = fields.Boolean(load_default=False)


class StreetSkipOut(Out):
    id = fields.Integer(required=True)
    reason = fields.String(required=True, metadata={"enum": list(street_facts.REASONS)})
    recorded = fields.Boolean(metadata={"description": "true for not_read_now: recorded all the same"})


class StreetFactOut(Out):
    recorded = fields.Integer(required=True)
    recorded_ids = fields.List(fields.Integer())
    skipped = fields.List(fields.Nested(StreetSkipOut), required=True)
    preview = fields.Boolean()


@bp.post("/campaigns/<code>/facts")
@bp.output(StreetFactOut)
@body(StreetFactIn)
@op("Campaigns", 400, 403, 404)
def street_facts_record(code: str) -> dict[str, Any]:
    """Record one fact on every election of a region (preview: nothing written); skips listed with reasons."""
    with uow() as w:
        svc.get_campaign(w.session, actor(), code)
        data = load(StreetFactIn)
        return street_facts.record_region_fact(w, actor(), code, data["region"], data["body"], data["key"],
                                               data["value"], data.get("note"), data["preview"])

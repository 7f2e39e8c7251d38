"""Escalations (三包三保), the sweep on demand, dossiers (建档立卡) and major-problem reports (重大问题报告)."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from web.context import db
from workflow.errors import Forbidden
from workflow.services import dossiers, incidents
from workflow.services.common import get_community
from workflow.services.escalation import KINDS, escalations_for_election, list_escalations
from workflow.services.sweep import parse_instant, sweep_overdue

from .core import ID, actor, body, bp, load, load_query, op, query, uow
from .schemas import Day, In, Out, PageQuery, QueryBool, Timestamp, choice, note, page_schema, text



class EscalationOut(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    election = fields.Integer(required=True, allow_none=True)
    subject = fields.Integer(required=True)
    community = fields.String(required=True)
    state = fields.String(required=True)
    level = fields.Integer(required=True)
    due = fields.String(required=True, metadata={"format": "date"})
    raised_at = Timestamp(required=True)
    notified = fields.String(required=True, allow_none=True)
    copied = fields.List(fields.String(), required=True)
    closed_at = Timestamp(required=True, allow_none=True)


def Flag() -> QueryBool:  # noqa: N802 - reads like a field class
    """A true/false query flag, absent by default."""
    return QueryBool(load_default=None)


class EscalationQuery(PageQuery):
    open = Flag()
    region = text(24)
    kind = choice(KINDS)
    level = fields.Integer(validate=validate.Range(1, 3))
    mine = Flag()


class OpenQuery(PageQuery):
    open = Flag()
    region = text(24)


class SweepIn(In):
    at = fields.String(allow_none=True, load_default=None,
                       metadata={"description": "ISO 8601 timestamp; without an offset, Asia/Shanghai"})


class SweepOut(Out):
    raised = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    dossiers = fields.Integer()
    notifications = fields.Integer()


class DossierIn(In):
    cause = text(2000, required=True, multiline=True)
    due_on = Day(required=True)
    stationed_cadre = text(100, nullable=True, load_default=None)


class DossierPatch(In):
    status = choice(dossiers.STATUSES)
    note = note(4000)
    due_on = Day()
    stationed_cadre = text(100, nullable=True)
    cause = text(2000, multiline=True)


class DossierOut(Out):
    id = fields.Integer(required=True)
    community = fields.String(required=True)
    community_name = fields.String()
    cause = fields.String(required=True)
    due_on = fields.String(required=True, metadata={"format": "date"})
    stationed_cadre = fields.String(allow_none=True)
    status = fields.String(required=True)
    note = fields.String(allow_none=True)
    automatic = fields.Boolean()
    opened_at = Timestamp(allow_none=True)
    closed_at = Timestamp(allow_none=True)


class IncidentIn(In):
    summary = text(4000, required=True, multiline=True)
    severity = choice(incidents.SEVERITIES, required=True)


class AckIn(In):
    note = note(4000, load_default=None)


class ElectionRef(Out):
    id = fields.Integer(required=True)
    campaign = fields.String()
    body = fields.String()
    state = fields.String()
    version = fields.Integer()


class IncidentOut(Out):
    id = fields.Integer(required=True)
    community = fields.String(required=True)
    community_name = fields.String()
    summary = fields.String(required=True)
    severity = fields.String(required=True)
    reported_by = fields.String(allow_none=True)
    reported_at = Timestamp(allow_none=True)
    ack_due_on = fields.String(required=True)
    acknowledged = fields.Boolean(required=True)
    acknowledged_by = fields.String(allow_none=True)
    acknowledged_at = Timestamp(allow_none=True)
    note = fields.String(allow_none=True)
    open = fields.Boolean()
    elections = fields.List(fields.Nested(ElectionRef))


EscalationPage = page_schema(EscalationOut, "EscalationPage")
DossierPage = page_schema(DossierOut, "DossierPage")
IncidentPage = page_schema(IncidentOut, "IncidentPage")


@bp.get("/escalations")
@bp.output(EscalationPage)
@query(EscalationQuery)
@op("Escalations", 400, 404)
def get_escalations() -> dict[str, Any]:
    """List escalation rungs in scope (open=true: not closed; region; kind; level; mine: reaching me)."""
    args = load_query(EscalationQuery)
    with uow(write=False) as w:
        return list_escalations(w, actor(), args.get("open"), args.get("region"), args.get("kind"), args.get("level"),
                                bool(args.get("mine")), args["page"], args["per_page"])


@bp.get(f"/elections/<{ID}:election_id>/escalations")
@bp.output(EscalationOut(many=True))
@op("Escalations", 404)
def get_election_escalations(election_id: int) -> list[dict[str, Any]]:
    """Return the rungs of one election and of its complaints."""
    with uow(write=False) as w:
        return escalations_for_election(w, actor(), election_id)


@bp.post("/admin/sweep")
@bp.output(SweepOut)
@body(SweepIn)
@op("Escalations", 400, 403, 409)
def run_sweep() -> dict[str, Any]:
    """Run one overdue sweep now, or as if at `at`, synchronously (admin); twice raises nothing new."""
    data = load(SweepIn)
    instant = parse_instant(data["at"])
    if not actor().is_admin:
        raise Forbidden()
    return sweep_overdue(db(), at=instant, actor=actor(), wait=30)


@bp.post("/communities/<code>/dossiers")
@bp.output(DossierOut, status_code=201)
@body(DossierIn)
@op("Dossiers", 400, 403, 404)
def open_dossier(code: str) -> dict[str, Any]:
    """Open a dossier (建档立卡) for a community that may miss the deadline (cadre or supervisor)."""
    with uow() as w:
        get_community(w.session, actor(), code)
        data = load(DossierIn)
        row, community = dossiers.open_dossier(w, actor(), code, data["cause"], data["due_on"], data["stationed_cadre"])
        return dossiers.dossier_dict(row, community)


@bp.get(f"/dossiers/<{ID}:dossier_id>")
@bp.output(DossierOut)
@op("Dossiers", 404)
def get_dossier(dossier_id: int) -> dict[str, Any]:
    """Return one dossier."""
    with uow(write=False) as w:
        return dossiers.get_dossier(w, actor(), dossier_id)


@bp.patch(f"/dossiers/<{ID}:dossier_id>")
@bp.output(DossierOut)
@body(DossierPatch)
@op("Dossiers", 400, 403, 404)
def patch_dossier(dossier_id: int) -> dict[str, Any]:
    """Change a dossier's status (open|resolved), note, time limit, stationed cadre or cause."""
    with uow() as w:
        dossiers.get_dossier(w, actor(), dossier_id)
        data = load(DossierPatch)
        row, community = dossiers.update_dossier(w, actor(), dossier_id, data)
        return dossiers.dossier_dict(row, community)


@bp.get("/dossiers")
@bp.output(DossierPage)
@query(OpenQuery)
@op("Dossiers", 400, 404)
def get_dossiers() -> dict[str, Any]:
    """List dossiers in scope (open=true: still open)."""
    args = load_query(OpenQuery)
    with uow(write=False) as w:
        return dossiers.list_dossiers(w, actor(), args.get("open"), args.get("region"), args["page"], args["per_page"])


@bp.post("/communities/<code>/incidents")
@bp.output(IncidentOut, status_code=201)
@body(IncidentIn)
@op("Incidents", 400, 403, 404)
def report_incident(code: str) -> dict[str, Any]:
    """Report a major problem (重大问题报告): the county and city leaders hear of it at once."""
    with uow() as w:
        get_community(w.session, actor(), code)
        data = load(IncidentIn)
        row, community = incidents.report_incident(w, actor(), code, data["summary"], data["severity"])
        return incidents.incident_dict(row, community, actor().username)


@bp.post(f"/incidents/<{ID}:incident_id>/acknowledge")
@bp.output(IncidentOut)
@body(AckIn)
@op("Incidents", 400, 403, 404, 409)
def acknowledge_incident(incident_id: int) -> dict[str, Any]:
    """Acknowledge a report (supervisor at county level or above); a second time is invalid_state."""
    with uow() as w:
        incidents.get_incident(w, actor(), incident_id)
        data = load(AckIn)
        incidents.acknowledge_incident(w, actor(), incident_id, data["note"])
        return incidents.get_incident(w, actor(), incident_id)


@bp.get(f"/incidents/<{ID}:incident_id>")
@bp.output(IncidentOut)
@op("Incidents", 404)
def get_incident(incident_id: int) -> dict[str, Any]:
    """Return one report with the community's current elections."""
    with uow(write=False) as w:
        return incidents.get_incident(w, actor(), incident_id)


@bp.get("/incidents")
@bp.output(IncidentPage)
@query(OpenQuery)
@op("Incidents", 400, 404)
def get_incidents() -> dict[str, Any]:
    """List reports in scope (open=true: not yet acknowledged)."""
    args = load_query(OpenQuery)
    with uow(write=False) as w:
        return incidents.list_incidents(w, actor(), args.get("open"), args.get("region"), args["page"], args["per_page"])

"""Elections: the evaluated view, seats, facts, transitions and the read-only history."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from workflow.facts import FACTS
from workflow.machines import ALL_TRIGGERS
from workflow.models import Fact
from workflow.services import election_data, elections as svc, reads
from workflow.services.common import get_election

from .core import ID, actor, body, bp, lang, load, load_query, op, page_of, query, uow
from .outputs import ElectionOut
from .schemas import Day, In, Int, Out, PageQuery, Timestamp, count, note, page_schema

FACT_VALUE = {"description": "true/false, a date YYYY-MM-DD, a choice (election_mode) or null to retract"}


class SeatsIn(In):
    """Party: {member}; residents: {director: 1, deputy_director, member}."""

    member = count(required=False, maximum=99)
    director = count(required=False, maximum=99)
    deputy_director = count(required=False, maximum=99)


class SeatsOut(Out):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    seats = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    version = fields.Integer(required=True)


class FactIn(In):
    value = fields.Raw(required=True, allow_none=True, metadata=FACT_VALUE)
    note = note(2000)


class FactsIn(In):
    facts = fields.Dict(keys=fields.String(validate=validate.OneOf(sorted(FACTS))),
                        values=fields.Raw(allow_none=True, metadata=FACT_VALUE), required=True,
                        validate=validate.Length(min=1))
    note = note(2000)


class FactOut(Out):
    election = fields.Integer(required=True)
    key = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=True, metadata=FACT_VALUE)
    note = fields.String(required=True, allow_none=True)
    recorded_by = fields.String(required=True)
    recorded_at = Timestamp(required=True)


class FactsOut(Out):
    election = fields.Integer(required=True)
    facts = fields.List(fields.Nested(FactOut), required=True)


class TransitionIn(In):
    trigger = fields.String(required=True, validate=validate.OneOf(sorted(ALL_TRIGGERS)))
    version = Int(required=True, metadata={"description": "the version you read (optimistic lock)"})
    note = note(2000, metadata={"description": "required for suspend"})
    review_on = Day(allow_none=True, metadata={"description": "suspend only: when to review the suspension"})


class FiredOut(Out):
    id = fields.Integer(required=True)
    state = fields.String(required=True)
    version = fields.Integer(required=True)


class EventOut(Out):
    id = fields.Integer(required=True)
    at = Timestamp(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    from_ = fields.String(required=True, allow_none=True, data_key="from", attribute="from")
    to = fields.String(required=True, allow_none=True)
    trigger = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    data = fields.Dict(required=True)
    hash = fields.String(required=True, allow_none=True,
                         metadata={"description": "SHA-256 of the previous row's hash and this row (domain.md §14)"})


HistoryPage = page_schema(EventOut, "HistoryPage")


def fact_dict(f: Fact, election_id: int) -> dict[str, Any]:
    """Return a recorded fact as the API shows it."""
    return {"election": election_id, "key": f.key, "value": f.value, "note": f.note,
            "recorded_by": actor().username, "recorded_at": f.recorded_at}


@bp.get(f"/elections/<{ID}:election_id>")
@bp.output(ElectionOut)
@op("Elections", 404)
def get_election_view(election_id: int) -> dict[str, Any]:
    """Return an election with its facts, candidates, rounds and the transitions evaluated for the caller."""
    with uow(write=False) as w:
        return reads.describe_election(w, actor(), election_id, lang())


@bp.put(f"/elections/<{ID}:election_id>/seats")
@bp.output(SeatsOut)
@body(SeatsIn)
@op("Elections", 400, 403, 404, 409)
def put_seats(election_id: int) -> dict[str, Any]:
    """Set the seats (only in preparation)."""
    with uow() as w:
        data = load(SeatsIn, exists=lambda: get_election(w.session, actor(), election_id))
        e = election_data.set_seats(w, actor(), election_id, data)
        return {"id": e.id, "body": e.body, "seats": e.seats, "version": e.version}


@bp.put(f"/elections/<{ID}:election_id>/facts/<key>")
@bp.output(FactOut)
@body(FactIn)
@op("Elections", 400, 403, 404, 409)
def put_fact(election_id: int, key: str) -> dict[str, Any]:
    """Record, change or retract (null) one fact; an unknown key for the body is a 400."""
    with uow() as w:
        data = load(FactIn, exists=lambda: get_election(w.session, actor(), election_id))
        fact = election_data.record_fact(w, actor(), election_id, key, data["value"], data.get("note"))
        return fact_dict(fact, election_id)


@bp.patch(f"/elections/<{ID}:election_id>/facts")
@bp.output(FactsOut)
@body(FactsIn)
@op("Elections", 400, 403, 404, 409)
def patch_facts(election_id: int) -> dict[str, Any]:
    """Record several facts at once, all or nothing (each gets its own history row)."""
    with uow() as w:
        data = load(FactsIn, exists=lambda: get_election(w.session, actor(), election_id))
        rows = election_data.record_facts(w, actor(), election_id, data["facts"], data.get("note"))
        return {"election": election_id, "facts": [fact_dict(f, election_id) for f in rows]}


@bp.post(f"/elections/<{ID}:election_id>/transitions")
@bp.output(FiredOut)
@body(TransitionIn)
@op("Elections", 400, 403, 404, 409)
def fire(election_id: int) -> dict[str, Any]:
    """Fire a trigger: state, audit row and side records commit atomically or not at all."""
    with uow() as w:
        data = load(TransitionIn, exists=lambda: get_election(w.session, actor(), election_id))
        e = svc.fire_trigger(w, actor(), election_id, data["trigger"], data["version"], data.get("note"),
                             data.get("review_on"))
        return {"id": e.id, "state": e.state, "version": e.version}


@bp.get(f"/elections/<{ID}:election_id>/history")
@bp.output(HistoryPage)
@query(PageQuery)
@op("Elections", 400, 404)
def history(election_id: int) -> dict[str, Any]:
    """Return the audit events of an election, oldest first (read-only: nothing edits or deletes them)."""
    with uow(write=False) as w:
        args = load_query(PageQuery, exists=lambda: get_election(w.session, actor(), election_id))
        return page_of(reads.history(w, actor(), election_id), args["page"], args["per_page"])

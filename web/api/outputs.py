"""Output schemas of an election and what it holds: candidates, rounds, complaints, transitions."""
from __future__ import annotations

from marshmallow import fields

from .schemas import DayOut, Out, Timestamp, UnmetOut


class CandidateOut(Out):
    id = fields.Integer(required=True)
    election = fields.Integer(required=True)
    name = fields.String(required=True)
    post = fields.String(required=True)
    gender = fields.String(required=True, allow_none=True)
    birth_year = fields.Integer(required=True, allow_none=True)
    education = fields.String(required=True, allow_none=True)
    party_member = fields.Boolean(required=True)
    full_member = fields.Boolean(required=True)
    qualified = fields.Boolean(required=True)
    on_election_committee = fields.Boolean(required=True)
    presented = fields.Boolean(required=True)
    background = fields.String(required=True, allow_none=True)
    graduate_recruit = fields.Boolean(required=True)
    dispatched_from = fields.String(required=True, allow_none=True)
    withdrawn = fields.Boolean(required=True)
    disqualified = fields.Boolean(required=True)
    voided = fields.Boolean(required=True)
    elected = fields.Boolean(required=True)
    certificate = fields.String(allow_none=True, metadata={"description": "serial of the live certificate"})
    status = fields.String(metadata={"enum": ["standing", "elected", "withdrawn", "disqualified", "voided"]})
    write_in = fields.Boolean(metadata={"description": "written in on the ballots (另选他人), not on the list"})
    id_number = fields.String(allow_none=True, metadata={"description": "masked: first 6 and last 4 characters"})
    incumbent = fields.Boolean()
    party_post = fields.String(allow_none=True, metadata={"enum": ["secretary", "deputy_secretary"]})
    full_time_deputy = fields.Boolean()
    review = fields.Dict(metadata={"description": "joint review (domain.md §12): status, departments, grounds"})


class PostsOut(Out):
    """The Party committee's posts (candidate ids), domain.md §9."""

    secretary = fields.Integer(required=True, allow_none=True)
    deputy_secretaries = fields.List(fields.Integer(), required=True)
    full_time_deputy = fields.Integer(required=True, allow_none=True)


class RosterOut(Out):
    """第一书记 or 兼职委员 beside the Party election: appointed, never an elected member."""

    id = fields.Integer(required=True)
    election = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["first_secretary", "part_time_member"]})
    name = fields.String(required=True)
    gender = fields.String(allow_none=True)
    unit = fields.String(required=True)
    post = fields.String(allow_none=True)
    start_on = DayOut(allow_none=True)
    end_on = DayOut(allow_none=True)


class CrossOut(Out):
    name = fields.String(required=True)
    party_candidate = fields.Integer(required=True)
    party_post = fields.String()
    residents_candidate = fields.Integer(required=True)
    residents_post = fields.String()


class PeopleOut(Out):
    """一肩挑 and 交叉任职 of one community in one campaign, linked by identity (id number hashes) only."""

    campaign = fields.String(required=True)
    yijiantiao = fields.Boolean(required=True, allow_none=True,
                                metadata={"description": "null until both the secretary and the director are known"})
    secretary = fields.String(allow_none=True)
    director = fields.String(allow_none=True)
    cross = fields.List(fields.Nested(CrossOut), required=True)
    cross_count = fields.Integer(required=True)
    party_elected = fields.Integer()
    residents_elected = fields.Integer()
    without_id_number = fields.Integer(metadata={"description": "elected people without a number: never linked"})


class RoundOut(Out):
    """A round with the engine's evaluation."""

    id = fields.Integer(required=True)
    number = fields.Integer()
    kind = fields.String(required=True)
    expected = fields.Integer(required=True)
    present = fields.Integer(required=True)
    ballots_issued = fields.Integer(required=True)
    ballots_returned = fields.Integer(required=True)
    ballots_invalid = fields.Integer(required=True)
    votes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    valid = fields.Boolean(required=True)
    problems = fields.List(fields.String(), required=True)
    elected = fields.List(fields.Integer(), required=True)
    unfilled = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    tied = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()), required=True,
                       metadata={"description": "post -> the candidates tied at the last seat"})
    write_ins = fields.List(fields.Dict(), metadata={"description": "[{name, post, votes, candidate: id|null}]"})
    stations = fields.List(fields.Dict(), allow_none=True, metadata={"description": "the polling places as entered"})
    open_seats = fields.Dict(keys=fields.String(), values=fields.Integer())
    superseded = fields.Boolean()
    recorded_at = Timestamp(allow_none=True)


class ComplaintOut(Out):
    id = fields.Integer(required=True)
    election = fields.Integer(required=True)
    candidate = fields.Integer(required=True, allow_none=True)
    category = fields.String(required=True)
    summary = fields.String(required=True)
    received_on = DayOut(required=True)
    due_on = DayOut(required=True)
    outcome = fields.String(required=True, allow_none=True)
    referral = fields.String(required=True, allow_none=True)
    note = fields.String(allow_none=True)
    resolved_at = Timestamp(required=True, allow_none=True)
    open = fields.Boolean(required=True)


class TransitionOut(Out):
    """A trigger valid from the current state, evaluated for the caller."""

    trigger = fields.String(required=True)
    label = fields.String()
    dest = fields.String(required=True)
    allowed = fields.Boolean(required=True)
    unmet = fields.List(fields.Nested(UnmetOut), required=True)
    note_required = fields.Boolean()


class ChecklistItem(Out):
    code = fields.String(required=True)
    ok = fields.Boolean(required=True)
    message = fields.String(required=True)
    source = fields.String()


class OtherElection(Out):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    state = fields.String(required=True)


class ElectionOut(Out):
    id = fields.Integer(required=True)
    campaign = fields.String(required=True)
    community = fields.String(required=True)
    community_name = fields.String()
    body = fields.String(required=True, metadata={"enum": ["party", "residents"]})
    state = fields.String(required=True)
    state_label = fields.String()
    version = fields.Integer(required=True)
    due = DayOut(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    suspended_from = fields.String(allow_none=True)
    review_on = DayOut(allow_none=True)
    village_law = fields.Boolean()
    round_permit = fields.String(allow_none=True)
    order = fields.String()
    key_difficult = fields.Boolean()
    seats = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    open_seats = fields.Dict(keys=fields.String(), values=fields.Integer())
    vacant_seats = fields.Dict(keys=fields.String(), values=fields.Integer(),
                               metadata={"description": "seats left vacant with the street's approval (暂缺)"})
    facts = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)
    candidates = fields.List(fields.Nested(CandidateOut), required=True)
    rounds = fields.List(fields.Nested(RoundOut), required=True)
    complaints = fields.List(fields.Nested(ComplaintOut))
    other_election = fields.Nested(OtherElection, allow_none=True)
    checklist = fields.List(fields.Nested(ChecklistItem))
    advisories = fields.List(fields.Nested(UnmetOut))
    posts = fields.Nested(PostsOut, allow_none=True, metadata={"description": "party elections; null for residents"})
    roster = fields.List(fields.Nested(RosterOut))
    people = fields.Nested(PeopleOut, allow_none=True)
    transitions = fields.List(fields.Nested(TransitionOut), required=True)

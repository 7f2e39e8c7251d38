"""The election-day calendar (倒排工期, domain.md §11, §6): each state's due date and the law's deadlines."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Actor
from ..machines import DEFINITIONS
from ..models import AuditEvent
from ..ruleset import get_rule_set
from .common import get_election
from .elections import due_with_source, shanghai_date

#: the states that have a due date, in the order an election passes them
STEPS = ("preparation", "nomination", "candidate_meeting", "voting", "certification", "handover", "summary")


def _result_day(s: Session, election_id: int) -> Optional[dt.date]:
    """The day the result was announced (handover was entered), if it was."""
    at = s.scalar(select(AuditEvent.at).where(AuditEvent.election_id == election_id,
                                              AuditEvent.action == "transition", AuditEvent.to_state == "handover")
                  .order_by(AuditEvent.id.desc()).limit(1))
    return shanghai_date(at) if at else None


def election_calendar(s: Session, actor: Actor, election_id: Any) -> dict[str, Any]:
    """Return the steps with their due dates (and what set each), and the law's deadlines from election day."""
    election = get_election(s, actor, election_id)
    rules = get_rule_set(election.campaign.rule_set)
    states = [st for st in STEPS if st in DEFINITIONS[election.body].states]
    current = election.suspended_from if election.state == "suspended" else election.state
    passed = set(STEPS[:STEPS.index(current)]) if current in STEPS else set(STEPS)
    result_day = _result_day(s, election.id)
    steps = []
    for state in states:
        entered = result_day if state == "handover" else None
        if state == current and election.due_on is not None and election.state != "suspended":
            due, source = election.due_on, due_with_source(election, state, entered)[1]
        else:
            due, source = due_with_source(election, state, entered)
        steps.append({"state": state, "due": due.isoformat() if due else None, "source": source,
                      "current": state == current, "passed": state in passed,
                      "offset": rules.offset(state) if election.body == "residents" else None})
    deadlines = []
    day = election.election_day
    if day is not None and election.body == "residents":
        rr = rules.residents_rules(election.village_law)
        deadlines = [{"code": "voter_list", "on": (day - dt.timedelta(days=rr.voter_list_days)).isoformat(),
                      "days": rr.voter_list_days},
                     {"code": "candidate_list", "on": (day - dt.timedelta(days=rr.candidate_list_days)).isoformat(),
                      "days": rr.candidate_list_days}]
    return {"election": election.id, "election_day": day.isoformat() if day else None, "steps": steps,
            "deadlines": deadlines}

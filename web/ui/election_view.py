"""The read model of the election page: stepper, checklist with fact controls, actions, records, history."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from workflow import guards as G
from workflow.auth import (
    Actor,
    may_edit_election,
    may_file_complaint,
    may_record_fact,
    may_resolve_complaint,
)
from workflow.clock import today
from workflow.facts import FACTS, facts_for
from workflow.labels import trigger_label
from workflow.machines import ACTIVE_STATES, DEFINITIONS, MAIN_PATH
from workflow.machines.base import LEAVING
from workflow.models import Fact, Region, User
from workflow.ruleset import get_rule_set
from workflow.services.calendar import election_calendar
from workflow.services.common import get_election
from workflow.services.election_data import POSTS, next_round
from workflow.services.evidence import list_attachments
from workflow.services.fact_requests import who_records
from workflow.services.reads import describe_election, history

from . import labels as UL
from .common import actor, lang, uow
from .diagram import machine_svg
from .papers import papers_by_step
from .history import describe_event
from .i18n import label_of


def fact_groups(body: str) -> list[tuple[str, list[str]]]:
    """Group a body's facts by the step whose guards read them (then the rest)."""
    d = DEFINITIONS[body]
    seen: set[str] = set()
    groups = []
    for state in ACTIVE_STATES:
        keys = []
        for code in d.guards(LEAVING[state]):
            for key in (code,) + UL.GUARD_FACTS.get(code, ()):
                if key in FACTS and body in FACTS[key].bodies and key not in seen:
                    seen.add(key)
                    keys.append(key)
        groups.append((state, keys))
    rest = [s.key for s in facts_for(body) if s.key not in seen]
    if rest:
        groups.append(("", rest))
    return groups


def _value_label(key: str, value: Any) -> str:
    spec = FACTS[key]
    if value is None:
        return _("Not recorded")
    if spec.type == "bool":
        return _("Yes") if value is True else _("No")
    if spec.type == "date":
        from .i18n import format_day
        return format_day(value)
    return label_of("mode", value) if key == "election_mode" else str(value)


def fact_controls(a: Actor, body: str, state: str, facts: dict[str, Any],
                  rows: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Describe each fact of the body: type, value, who recorded it, whether this user may change it."""
    out = {}
    for spec in facts_for(body):
        row = rows.get(spec.key)
        allowed = may_record_fact(a, spec.key) and state != "closed"
        reason = ""
        if not allowed:
            if state == "closed":
                reason = _("The election is closed.")
            elif spec.recorder == "supervisor_city" and may_edit_election(a):
                reason = _("Recorded by a supervisor at city level or above.")
            elif spec.recorder == "supervisor" and may_edit_election(a):
                reason = _("Recorded by a supervisor.")
        out[spec.key] = {
            "key": spec.key, "label": UL.text(UL.FACT_LABELS, spec.key), "type": spec.type,
            "choices": [(c, label_of("mode", c)) for c in spec.choices], "value": facts.get(spec.key),
            "value_label": _value_label(spec.key, facts.get(spec.key)), "note": row[0] if row else None,
            "recorded_at": row[1] if row else None, "recorded_by": row[2] if row else None,
            "editable": allowed, "reason": reason, "recorded": spec.key in facts,
        }
    return out


def steps(e: Any, d: dict[str, Any]) -> list[dict[str, Any]]:
    """The stepper: the seven steps and the end, each done, current or ahead, with due dates."""
    current = e.suspended_from if e.state == "suspended" else e.state
    idx = MAIN_PATH.index(current) if current in MAIN_PATH else 0
    due = e.campaign.due or {}
    out = []
    for i, state in enumerate(MAIN_PATH):
        status = "done" if i < idx or e.state == "closed" else "current" if i == idx else "ahead"
        when = d["due"] if status == "current" and d["due"] else due.get(state)
        out.append({"state": state, "label": label_of("state", state), "status": status, "number": i + 1,
                    "due": None if state == "closed" else when,
                    "overdue": status == "current" and d["overdue"], "suspended": status == "current"
                    and e.state == "suspended"})
    return out


#: steps that cannot be taken back: the page asks before firing them
IRREVERSIBLE = frozenset({"announce_result", "certify", "resume", "revote", "another_round", "complete_handover",
                          "accept_summary", "apply_village_law"})


def _transitions(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The actions: the main step always (with its reasons), other actions only when this user may take them."""
    leaving = set(LEAVING.values())
    out = []
    for t in d["transitions"]:
        if t["trigger"] not in leaving and not t["allowed"]:
            continue
        # under "still missing:" each reason is the condition that must hold, with its source
        t["reasons"] = [{"text": G.GUARDS[u["code"]].condition(lang()) if u["code"] in G.GUARDS else u["message"],
                         "source": u.get("source", "")} for u in t["unmet"]]
        t["dest_label"] = label_of("state", t["dest"])
        t["label"] = trigger_label(d["body"], t["trigger"], lang())  # Party elections issue no certificates
        t["main"] = t["trigger"] in leaving
        t["irreversible"] = t["trigger"] in IRREVERSIBLE
        out.append(t)
    out.sort(key=lambda t: (not t["main"], t["trigger"] == "suspend"))
    return out


def election_context(election_id: Any) -> dict[str, Any]:
    """Build everything the election page shows for the current user."""
    a, lg = actor(), lang()
    with uow() as work:
        s = work.session
        d = describe_election(work, a, election_id, lg)
        events = history(work, a, election_id)
        papers = list_attachments(work, a, election_id)
        e = get_election(s, a, election_id)
        street = s.get(Region, e.community.street_id)
        rows = {f.key: (f.note, f.recorded_at, name) for f, name in s.execute(
            select(Fact, User.username).outerjoin(User, User.id == Fact.recorded_by).where(Fact.election_id == e.id))}
        rules = get_rule_set(e.campaign.rule_set)
        community = e.community
        stepper = steps(e, d)
        recorders = who_records(work, a, election_id) if may_edit_election(a) else {}
        campaign_name = e.campaign.name
        awaited = next_round(work, a, election_id)
        calendar = election_calendar(s, a, election_id)
        has_roll = rules.voter_roll and e.body == "residents"
    names = {c["id"]: c["name"] for c in d["candidates"]}
    controls = fact_controls(a, d["body"], d["state"], d["facts"], rows)
    for key, people in recorders.items():
        if key in controls and not controls[key]["recorded"]:
            controls[key]["recorders"] = people
    checklist = []
    for item in d["checklist"]:
        keys = [k for k in ((item["code"],) + UL.GUARD_FACTS.get(item["code"], ())) if k in controls]
        checklist.append({**item, "facts": [controls[k] for k in keys],
                          "anchor": UL.GUARD_ANCHORS.get(item["code"])})
    posts = POSTS[d["body"]]
    candidates = {p: [c for c in d["candidates"] if c["post"] == p] for p in posts}
    for c in d["candidates"]:
        c["status"] = ("voided" if c["voided"] else "disqualified" if c["disqualified"] else
                       "withdrawn" if c["withdrawn"] else "elected" if c["elected"] else "standing")
        c["background_label"] = UL.text(UL.BACKGROUNDS, c["background"])
    for r in d["rounds"]:
        r["tied_names"] = {post: [names.get(int(i), str(i)) for i in ids] for post, ids in (r["tied"] or {}).items()
                           if ids}
        r["kind_label"] = UL.text(UL.ROUND_KINDS, r["kind"])
        r["problem_labels"] = [UL.text(UL.ROUND_PROBLEMS, p) for p in r["problems"]]
        r["elected_names"] = [names.get(int(i), str(i)) for i in r["elected"]]
        r["vote_rows"] = sorted(((names.get(int(k), k), v) for k, v in (r["votes"] or {}).items()),
                                key=lambda x: -x[1])
    day = today()
    for c in d["complaints"]:
        c["candidate_name"] = names.get(c["candidate"]) if c["candidate"] else None
        c["overdue"] = c["open"] and dt.date.fromisoformat(c["due_on"]) < day
    standing = [c for c in d["candidates"] if c["status"] == "standing"]
    kind = awaited["kind"] if awaited else None
    # who may be voted for in the round awaited (a tie-break: the tied; residents' another round: the top)
    round_standing = [c for c in d["candidates"] if awaited and c["id"] in set(awaited["standing"])]
    if d["body"] == "party":
        low, high = rules.party.seats[community.party_org_type]
        seat_hint = _("%(type)s: %(low)d to %(high)d members", type=UL.text(UL.ORG_TYPES, community.party_org_type),
                      low=low, high=high)
    else:
        low, high = rules.residents_rules(d["village_law"]).seats_total
        seat_hint = _("One director; %(low)d to %(high)d seats in all", low=low, high=high)
    return {
        "e": d, "community": community, "street": street, "campaign_name": campaign_name, "steps": stepper,
        "calendar": calendar, "has_roll": has_roll,
        "checklist": checklist, "controls": controls, "groups": fact_groups(d["body"]),
        "transitions": _transitions(d), "posts": posts, "candidates": candidates, "standing": standing,
        "round_kind": kind, "seat_hint": seat_hint, "names": names,
        "next_round": awaited, "round_standing": round_standing,
        "elected": [c for c in d["candidates"] if c["elected"] and not c["voided"]],
        "events": [describe_event(ev, names) for ev in reversed(events)],
        "papers": papers_by_step(papers),
        "diagram": machine_svg(d["body"], d["state"], d["suspended_from"], lg),
        "can_edit": may_edit_election(a) and d["state"] != "closed", "may_edit": may_edit_election(a),
        "can_file": may_file_complaint(a), "can_resolve": may_resolve_complaint(a),
        "candidate_states": d["state"] in ("nomination", "candidate_meeting"),
    }

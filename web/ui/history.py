"""Turn audit events into timeline entries people can read."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from workflow.facts import FACTS

from . import labels as UL
from .i18n import colon, comma, format_day, label_of, paren


def _fact_value(key: str, value: Any) -> str:
    spec = FACTS.get(key)
    if value is None:
        return _("retracted")
    if spec is None:
        return str(value)
    if spec.type == "bool":
        return _("yes") if value is True else _("no")
    if spec.type == "date":
        return format_day(value)
    return label_of("mode", value) if key == "election_mode" else str(value)


def _seats(seats: dict[str, Any]) -> str:
    return comma().join(f"{label_of('post', k)} {v}" for k, v in (seats or {}).items())


def describe_event(ev: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """Return {at, actor, title, detail, note, kind} for one audit event."""
    data = ev.get("data") or {}
    action = ev["action"]
    title = UL.text(UL.ACTIONS, action) if action in UL.ACTIONS else action
    detail = ""
    if action == "transition":
        title = label_of("trigger", ev["trigger"])
        detail = f"{label_of('state', ev['from'])} → {label_of('state', ev['to'])}"
        if data.get("review_on"):
            detail += " · " + _("review by %(day)s", day=format_day(data["review_on"]))
        if data.get("facts_cleared"):
            detail += " · " + _("%(n)d records cleared for the new round", n=len(data["facts_cleared"]))
    elif action == "fact_recorded":
        key = data.get("key", "")
        detail = f"{UL.text(UL.FACT_LABELS, key)}{colon()}{_fact_value(key, data.get('value'))}"
    elif action == "facts_cleared":
        detail = comma().join(UL.text(UL.FACT_LABELS, k) for k in (data.get("facts") or {}))
    elif action == "seats_set":
        detail = _seats(data.get("seats") or {})
    elif action == "candidate_added":
        detail = f"{data.get('name', '')}{paren(label_of('post', data.get('post')))}"
    elif action == "candidate_updated":
        changes = data.get("changes") or {}
        who = names.get(data.get("candidate"), "")
        if (changes.get("withdrawn") or [None, None])[1] is True:
            detail = f"{who}{colon()}{_('withdrawn')}"
        elif changes:
            detail = f"{who}{colon()}" + comma().join(UL.text(UL.CANDIDATE_FIELDS, k) for k in changes)
        else:
            detail = who
    elif action == "round_recorded":
        kind = UL.text(UL.ROUND_KINDS, data.get("kind"))
        verdict = _("valid") if data.get("valid") else _("invalid")
        elected = comma().join(names.get(int(i), str(i)) for i in data.get("elected") or [])
        detail = f"{kind} · {verdict}" + (" · " + _("elected: %(names)s", names=elected) if elected else "")
    elif action == "posts_set":
        posts = data.get("posts") or {}
        secretary = posts.get("secretary")
        detail = _("secretary: %(name)s", name=names.get(secretary, "—") if secretary else "—")
        deputies = comma().join(names.get(d, str(d)) for d in posts.get("deputy_secretaries") or [])
        if deputies:
            detail += " · " + _("deputies: %(names)s", names=deputies)
    elif action in ("roster_added", "roster_updated", "roster_removed"):
        detail = str(data.get("name") or "")
    elif action == "certificate_issued":
        detail = f"{data.get('name', '')} · {data.get('serial', '')}"
    elif action in ("complaint_filed", "complaint_resolved"):
        detail = label_of("category", data.get("category"))
        if action == "complaint_resolved":
            detail += " → " + label_of("outcome", data.get("outcome"))
    return {"at": ev["at"], "actor": ev["actor"], "title": title, "detail": detail, "note": ev.get("note"),
            "kind": action}

"""The worklist (a cadre's home): communities in scope with both elections, filters and pagination."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from flask import current_app, render_template, request

from workflow.clock import today
from workflow.errors import InvalidRequest
from workflow.machines import MAIN_PATH
from workflow.machines.base import LEAVING
from workflow.services.campaigns import list_campaigns
from workflow.services.display import community_paths
from workflow.services.reads import list_communities

from .blueprint import bp
from .common import Pager, page_number, read, uow
from .i18n import label_of


def next_step(state: str) -> str:
    """Return the words for the step an election waits for."""
    from flask_babel import gettext as _
    if state == "suspended":
        return _("Waiting to be resumed")
    if state == "closed":
        return _("Done")
    trig = LEAVING.get(state)
    return label_of("trigger", trig) if trig else ""


def days_overdue(due: Optional[str], day: Optional[dt.date] = None) -> int:
    """Return how many days ago the due date passed (0 when not past)."""
    if not due:
        return 0
    try:
        return max(0, ((day or today()) - dt.date.fromisoformat(due)).days)
    except ValueError:
        return 0


def current_campaign(code: Optional[str]) -> tuple[Any, list[Any]]:
    """Return (the chosen or latest visible campaign or None, every visible campaign)."""
    campaigns = read(list_campaigns)
    chosen = next((c for c in campaigns if c.code == code), None) if code else None
    return chosen or (campaigns[0] if campaigns else None), campaigns


def decorate(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add labels, next steps and days overdue to list_communities items."""
    day = today()
    with uow() as work:
        paths = community_paths(work, [item["code"] for item in items])
    for item in items:
        item["path"] = paths.get(item["code"], {}).get("path", "")
        by_body: dict[str, Any] = {}
        for e in item["elections"]:
            if e["body"] in by_body:
                continue  # the newest campaign's election comes first
            e["state_label"] = label_of("state", e["state"])
            e["next"] = next_step(e["state"])
            e["days_overdue"] = days_overdue(e["due"], day) if e["overdue"] else 0
            e["step"] = MAIN_PATH.index(e["state"]) + 1 if e["state"] in MAIN_PATH else None
            by_body[e["body"]] = e
        item["party"], item["residents"] = by_body.get("party"), by_body.get("residents")
    return items


@bp.route("/")
def worklist() -> Any:
    """List the communities in the user's area, with search, filters and pages."""
    q = (request.args.get("q") or "").strip()[:100]
    state = request.args.get("state") or None
    overdue = request.args.get("overdue") == "1"
    key = request.args.get("key") == "1"
    campaign, campaigns = current_campaign(request.args.get("campaign"))
    per_page = int(current_app.config.get("UI_PER_PAGE", 25))
    error = None
    try:
        result = read(list_communities, state=state, overdue=overdue, key=key, q=q or None, page=page_number(),
                      per_page=per_page, campaign=campaign.code if campaign else None)
    except InvalidRequest:
        from flask_babel import gettext as _
        error, state = _("Unknown state: the filter was reset."), None
        result = read(list_communities, overdue=overdue, key=key, q=q or None, page=page_number(),
                      per_page=per_page, campaign=campaign.code if campaign else None)
    pager = Pager(result["total"], result["page"], per_page, "ui.worklist", q=q, state=state,
                  overdue="1" if overdue else None, key="1" if key else None,
                  campaign=campaign.code if campaign and len(campaigns) > 1 else None)
    states = [(s, label_of("state", s)) for s in MAIN_PATH + ("suspended",)]
    return render_template("worklist.html", items=decorate(result["items"]), pager=pager, q=q, state=state,
                           overdue=overdue, key=key, states=states, campaign=campaign, campaigns=campaigns,
                           error=error)

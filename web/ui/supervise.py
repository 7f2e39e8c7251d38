"""Supervision: drill-down from province to street, the stuck list, bulk inspection and acceptance."""
from __future__ import annotations

from typing import Any, Optional

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.charts import BarRow, Segment, percent, progress_bar, stacked_bars
from workflow.clock import today
from workflow.errors import DomainError
from workflow.machines import MAIN_PATH
from workflow.models import Community, Election, Region
from workflow.services.campaigns import accept_region, get_campaign
from workflow.services.common import get_region
from workflow.services.display import community_paths
from workflow.services.reads import list_communities

from .blueprint import bp
from . import labels as UL
from .common import Pager, Problem, actor, page_number, uow
from .forms import AcceptForm
from .i18n import label_of
from .queries import STUCK_SOURCES, StuckQuery, breadcrumb, child_counts, region_totals
from .worklist import current_campaign, decorate

SEGMENT_STATES = MAIN_PATH + ("suspended",)
STUCK_PREVIEW = 8


def segments() -> list[Segment]:
    """The stack segments: one per state, in path order, suspended last."""
    return [Segment(s, label_of("state", s), UL.STATE_COLOURS[s]) for s in SEGMENT_STATES]


def _default_region(s: Any, campaign: Any) -> Region:
    a = actor()
    if a.scope_id is not None:
        region = s.get(Region, a.scope_id)
        if region is not None:
            return region
    return campaign.scope


@bp.route("/supervise")
def supervise() -> Any:
    """Progress of a region and its parts, and what is stuck there."""
    campaign, campaigns = current_campaign(request.args.get("campaign"))
    if campaign is None:
        return render_template("supervise.html", campaign=None, campaigns=[])
    body = request.args.get("body") if request.args.get("body") in ("party", "residents") else None
    kind = request.args.get("kind") or ""
    if kind not in {src.key for src in STUCK_SOURCES}:
        kind = ""
    a, day = actor(), today()
    with uow() as work:
        s = work.session
        camp = get_campaign(s, a, campaign.code)
        code = request.args.get("region")
        region = get_region(s, a, code) if code else _default_region(s, camp)
        children = child_counts(s, a, camp.id, region, body, day)
        totals = region_totals(s, a, camp.id, region, body, day, children)
        crumbs = [{"code": r.code, "name": r.name, "level": r.level} for r in breadcrumb(s, a, region)]
        per = STUCK_PREVIEW if not kind else int(current_app.config.get("UI_PER_PAGE", 25))
        page = page_number() if kind else 1
        stuck = []
        for src in STUCK_SOURCES:
            if kind and src.key != kind:
                continue
            known = {"overdue": totals["overdue"], "suspended": totals["suspended"]}
            items, total = src.fetch(s, StuckQuery(a, camp.id, region, body, day, per, (page - 1) * per, known))
            stuck.append({"key": src.key, "label": str(src.label), "items": items, "total": total})
        paths = community_paths(work, [it.get("community") for g in stuck for it in g["items"]])
        for g in stuck:
            for it in g["items"]:
                it["community_path"] = paths.get(it.get("community") or "", {}).get("path", "")
        region_info = {"code": region.code, "name": region.name, "level": region.level}
    args = {"campaign": campaign.code, "body": body}
    rows = [BarRow(c["name"], {k: c["states"].get(k, 0) for k in SEGMENT_STATES},
                   url_for("ui.supervise", region=c["code"], **args)) for c in children]
    for c in children:
        c["percent"] = percent(c["closed"], c["total"])
    chart = stacked_bars(rows, segments(), _("Elections per step in %(region)s", region=region_info["name"]),
                         empty_text=_("No data")) if children else ""
    progress = progress_bar(totals["closed"], totals["total"], _("Completed elections"))
    communities, pager = None, None
    if region_info["level"] == "street":
        per_page = int(current_app.config.get("UI_PER_PAGE", 25))
        cpage = _int_arg("cpage")
        result = _read_communities(region_info["code"], campaign.code, cpage, per_page)
        communities = decorate(result["items"])
        pager = Pager(result["total"], cpage, per_page, "ui.supervise", param="cpage", region=region_info["code"],
                      kind=kind, **args)
    stuck_pager = None
    if kind and stuck:
        stuck_pager = Pager(stuck[0]["total"], page, per, "ui.supervise", region=region_info["code"], kind=kind, **args)
    return render_template(
        "supervise.html", campaign=campaign, campaigns=campaigns, region=region_info, crumbs=crumbs,
        totals=totals, children=children, chart=chart, progress=progress, body=body, kind=kind, stuck=stuck,
        stuck_sources=[(src.key, str(src.label)) for src in STUCK_SOURCES], stuck_pager=stuck_pager,
        communities=communities, pager=pager, states=SEGMENT_STATES, can_accept=a.city_or_above
        and region_info["level"] in ("county", "street"), args=args,
        can_record_region=a.role in ("admin", "supervisor", "cadre"))


def _int_arg(name: str) -> int:
    try:
        return max(1, min(int(request.args.get(name, "1")), 10**6))
    except ValueError:
        return 1


def _read_communities(street: str, campaign: str, page: int, per_page: int) -> dict[str, Any]:
    with uow() as work:
        return list_communities(work, actor(), region=street, campaign=campaign, page=page, per_page=per_page)


def _names(ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    with uow() as work:
        rows = work.session.execute(select(Election.id, Election.body, Community.code, Community.name)
                                    .join(Community, Community.id == Election.community_id)
                                    .where(Election.id.in_(ids)).order_by(Community.code, Election.body))
        return [{"id": i, "body": b, "community": c, "community_name": n} for i, b, c, n in rows]


@bp.route("/supervise/accept", methods=["GET", "POST"])
def accept() -> Any:
    """Inspect and accept (检查验收) every ready election of a street or county: preview, then confirm."""
    a = actor()
    form = AcceptForm()
    code = request.values.get("campaign", "")
    region_code = request.values.get("region", "")
    with uow() as work:
        camp = get_campaign(work.session, a, code)
        region = get_region(work.session, a, region_code)
        info = {"code": region.code, "name": region.name, "level": region.level}
        campaign = {"code": camp.code, "name": camp.name}
    problem: Optional[Problem] = None
    if not a.city_or_above:
        problem_text = _("Only a supervisor at city level or above may inspect and accept.")
        return render_template("accept.html", campaign=campaign, region=info, preview=None, form=form,
                               error=problem_text), 403
    if info["level"] not in ("county", "street"):
        return render_template("accept.html", campaign=campaign, region=info, preview=None, form=form,
                               error=_("Choose a county or a street.")), 400
    if request.method == "POST" and form.validate_on_submit():
        try:
            with uow(write_=True) as work:
                result = accept_region(work, a, code, region_code)
        except DomainError as exc:
            problem = Problem(exc)
        else:
            flash(_("%(n)d elections inspected and accepted; %(m)d not ready.", n=result["accepted"],
                    m=len(result["skipped"])), "success")
            return redirect(url_for("ui.supervise", campaign=code, region=region_code))
    with uow(write_=True) as work:
        preview = accept_region(work, a, code, region_code, dry_run=True)
        work.session.rollback()
    accepted = _names(preview["accepted_ids"])
    skipped = preview["skipped"]
    by_id = {row["id"]: row for row in _names([x["id"] for x in skipped])}
    for row in skipped:
        row.update(by_id.get(row["id"], {}))
    form.campaign.data, form.region.data = code, region_code
    return render_template("accept.html", campaign=campaign, region=info, preview={
        "accepted": accepted, "skipped": skipped}, form=form, error=problem.message if problem else None)

"""The summary report page (charts, a map, downloads) and the tracking of each city's report to the province."""
from __future__ import annotations

import io
from typing import Any, Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from web.charts import BarRow, MapPoint, Segment, column_chart, pie_shares, progress_bar, province_map, stacked_bars
from workflow.auth import Actor
from workflow.db import UnitOfWork
from workflow.errors import DomainError, NotFound
from workflow.importing.files import MEDIA_TYPES
from workflow.services.common import get_region
from workflow.services.report_files import report_json, write_report_csv, write_report_xlsx
from workflow.services.report_labels import t
from workflow.services.reports import AGE_BANDS, EDUCATION_LEVELS, STATES, build_report, map_points
from workflow.services.submissions import MAX_NARRATIVE, submission_status, submit_report

from ..downloads import send_download
from .forms import TextAreaField
from .common import Problem, actor, lang, read, uow, write
from .data import bp
from .i18n import label_of
from .labels import STATE_COLOURS
from .worklist import current_campaign

MODE_COLOURS = {"direct": "#3a8f5c", "household": "#94b96a", "representative": "#e8904a"}
DOSSIERS_SHOWN = 200


def map_svg(uow_: UnitOfWork, actor_: Actor, campaign_code: str, region_code: Optional[str] = None,
            language: str = "zh", link: bool = True) -> str:
    """Return the SVG map of a campaign in a region: a circle per district at its seat, sized by communities
    and coloured by the share of elections closed (for the report page and the dashboard)."""
    points = [MapPoint(p["code"], p["name"], float(p["longitude"]), float(p["latitude"]), p["communities"],
                       p["completion"], url_for("data.report", campaign=campaign_code, region=p["code"])
                       if link and p.get("visible", True) else None)
              for p in map_points(uow_, actor_, campaign_code, region_code)
              if p["longitude"] is not None and p["latitude"] is not None]
    en = language == "en"

    def tip(p: MapPoint) -> str:
        pct = round(p.completion * 100)
        return (f"{p.name}: {p.communities:,} communities, {pct}% of elections closed" if en else
                f"{p.name}：{p.communities:,}个社区，{pct}%的选举已完成")
    title = "Elections closed per district" if en else "各县（市、区）换届完成情况"
    return province_map(points, title, empty_text="No districts with coordinates" if en else "暂无带坐标的县（市、区）",
                        tooltip=tip)


def _charts(data: dict[str, Any], region: dict[str, Any]) -> dict[str, Markup]:
    lg = lang()
    totals, rows = data["totals"], data["rows"]
    segments = [Segment(s, label_of("state", s), STATE_COLOURS[s]) for s in STATES]
    linkable = data["drill_down"] != "community"
    out: dict[str, Any] = {}
    for body in ("party", "residents"):
        bars = [BarRow(r["name"], dict(r[body]["states"]),
                       url_for("data.report", campaign=data["campaign"]["code"], region=r["code"]) if linkable else None)
                for r in rows]
        out[body] = stacked_bars(bars, segments, label_of("body", body), empty_text=_("No data"))
    modes = totals["residents"]["elected_modes"]
    out["modes"] = pie_shares([(label_of("mode", m), modes[m], MODE_COLOURS[m]) for m in MODE_COLOURS],
                              _("Residents' committees elected, by election mode"))
    for dim, keys in (("age_bands", AGE_BANDS), ("education", EDUCATION_LEVELS)):
        for body in ("party", "residents"):
            values = totals["structure"][body][dim]
            out[f"{dim}_{body}"] = column_chart([(t(k, lg), values[k]) for k in keys],
                                                f"{label_of('body', body)} · {t(dim, lg)}", empty_text=_("No data"))
    # people and posts (domain.md §7 rev. 2): shares per region, in percent
    for key in ("yijiantiao_share", "cross_share"):
        out[key] = column_chart([(r["name"], round((r["people"][key] or 0) * 100)) for r in rows],
                                f"{t(key, lg)} (%)", empty_text=_("No data"))
    out["women"] = column_chart([(label_of("body", body), round((totals["structure"][body]["women_share"] or 0) * 100))
                                 for body in ("party", "residents")], f"{t('women_share', lg)} (%)",
                                colour="#c0617a", empty_text=_("No data"))
    out["completion"] = progress_bar(totals["communities_completed"], totals["communities"],
                                     _("Communities with both elections closed"))
    return {k: Markup(v) for k, v in out.items()}  # the chart helpers escape every text they print


@bp.route("/report")
def report() -> Any:
    """The summary report of a campaign for a region, with charts, a map and downloads."""
    campaign, campaigns = current_campaign(request.args.get("campaign"))
    if campaign is None:
        return render_template("data/report.html", campaign=None)
    code = request.args.get("region") or None
    with uow() as work:
        data = build_report(work, actor(), campaign.code, code)
        region = data["region"]
        chart_map = Markup(map_svg(work, actor(), campaign.code, region["code"], lang()))
        parent = _parent(work, region["code"])
    return render_template("data/report.html", campaign=campaign, campaigns=campaigns, data=data, region=region,
                           charts=_charts(data, region), map=chart_map, parent=parent,
                           dossiers=data["dossiers"][:DOSSIERS_SHOWN], dossiers_total=len(data["dossiers"]),
                           t=lambda key: t(key, lang()), states=STATES)


def _parent(work: UnitOfWork, code: str) -> Optional[dict[str, str]]:
    """The parent region, when the user may see it (for the 'up' link)."""
    from sqlalchemy import select

    from workflow.models import Region
    s = work.session
    region = s.scalars(select(Region).where(Region.code == code)).first()
    if region is None or region.parent_id is None:
        return None
    parent = s.get(Region, region.parent_id)
    try:
        get_region(s, actor(), parent.code if parent else "")
    except NotFound:
        return None
    return {"code": parent.code, "name": parent.name} if parent else None


@bp.route("/report/download")
def report_download() -> Any:
    """Download the summary report: XLSX (one sheet per topic), CSV (one figure per line) or JSON."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv", "json"):
        raise NotFound()
    campaign, _all = current_campaign(request.args.get("campaign"))
    if campaign is None:
        raise NotFound()
    data = read(build_report, campaign.code, request.args.get("region") or None)
    out = io.BytesIO()
    if fmt == "xlsx":
        write_report_xlsx(data, out, lang())
    elif fmt == "csv":
        out.write(b"\xef\xbb\xbf")
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        write_report_csv(data, text, lang())
        text.detach()
    else:
        out.write(report_json(data).encode("utf-8"))
    out.seek(0)
    name = f"{data['campaign']['code']}-{data['region']['code']}-{data['region']['name']}-{data['as_of']}.{fmt}"
    return send_download(out, MEDIA_TYPES[fmt], name)


class SubmissionForm(FlaskForm):
    city = HiddenField(validators=[DataRequired()])
    narrative = TextAreaField(_l("Narrative of the summary report"),
                              validators=[DataRequired(_l("Please fill this in.")), Length(max=MAX_NARRATIVE)])


@bp.route("/submissions", methods=["GET", "POST"])
def submissions() -> Any:
    """Each city's report to the province: a countdown to the due date, late cities flagged; cities submit here."""
    campaign, campaigns = current_campaign(request.args.get("campaign"))
    if campaign is None:
        return render_template("data/submissions.html", campaign=None)
    form = SubmissionForm()
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            write(submit_report, campaign.code, form.city.data, form.narrative.data)
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form)
        else:
            flash(_("The summary report has been submitted."), "success")
            return redirect(url_for("data.submissions", campaign=campaign.code))
    status = read(submission_status, campaign.code)
    a = actor()
    # a city's supervisor sees only that city: the form to submit its report is theirs
    mine = [c for c in status["cities"] if a.role == "supervisor" and a.scope_level == "city"]
    if mine and not form.narrative.data:
        form.narrative.data = mine[0]["narrative"] or ""
    if mine:
        form.city.data = mine[0]["city"]
    code = 400 if request.method == "POST" else 200
    return render_template("data/submissions.html", campaign=campaign, campaigns=campaigns, status=status,
                           mine=mine[0] if mine else None, form=form, problem=problem), code

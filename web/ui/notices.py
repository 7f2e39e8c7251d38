"""Notices (blueprint "notices"): the inbox (unread count in the header), escalations (三包三保), dossiers
(建档立卡), major-problem reports (重大问题报告) and bulletins (情况通报). Also feeds the supervision
dashboard's "needs attention" list and the election page's escalation section."""
from __future__ import annotations

import json
from typing import Any, Optional

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, Length
from wtforms.validators import Optional as Opt

from workflow.auth import may_report
from workflow.errors import DomainError, Forbidden
from workflow.services import bulletins, dossiers, incidents, notifications
from workflow.services.display import describe_rungs, region_choices
from workflow.services.escalation import escalations_for_election, list_escalations

from ..downloads import attachment
from .blueprint import protect
from .common import (
    Pager,
    Problem,
    actor,
    is_safe_next,
    lang,
    page_number,
    read,
    uow,
    write,
)
from .forms import StringField, TextAreaField

bp = Blueprint("notices", __name__, url_prefix="/notices")
protect(bp)
REQUIRED = _l("Please fill this in.")


class InboxLabel:
    """The navigation label of the inbox: its unread count is computed when the header is drawn."""

    def __str__(self) -> str:
        count = 0
        if current_user.is_authenticated:
            try:
                count = read(notifications.unread_count)
            except Exception:  # noqa: BLE001 - the header must draw even if the count cannot be read
                count = 0
        return _("Inbox") + (f" ({count})" if count else "")


NAV = [("notices.inbox", InboxLabel(), None), ("notices.escalations", _l("Escalations"), None)]


class DossierForm(FlaskForm):
    community = StringField(_l("Community code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    cause = TextAreaField(_l("Cause"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    due_on = DateField(_l("Time limit"), validators=[DataRequired(REQUIRED)])
    stationed_cadre = StringField(_l("Cadre stationed in the community"), validators=[Opt(), Length(max=100)])


class DossierStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[("open", _l("In progress")), ("resolved", _l("Resolved"))])
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=4000)])


class IncidentForm(FlaskForm):
    community = StringField(_l("Community code"), validators=[DataRequired(REQUIRED), Length(max=24)])
    severity = SelectField(_l("Severity"), choices=[("major", _l("Major")), ("urgent", _l("Urgent"))])
    summary = TextAreaField(_l("What happened"), validators=[DataRequired(REQUIRED), Length(max=4000)])


class AckForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=4000)])


class PlainForm(FlaskForm):
    """A button: CSRF token only."""


def init_app(app: Flask) -> None:
    """Register the blueprint, the navigation links, the dashboard sources and the election-page helper."""
    from . import notices_dashboard  # noqa: F401  (registers the "needs attention" sources)
    from .blueprint import NAV_EXTRA
    app.register_blueprint(bp)
    for entry in NAV:
        if all(e[0] != entry[0] for e in NAV_EXTRA):
            NAV_EXTRA.append(entry)
    app.jinja_env.globals["election_escalations"] = election_escalations


def election_escalations(election_id: int) -> list[dict[str, Any]]:
    """The rungs of an election for its page (empty if none or not visible)."""
    try:
        rows = read(escalations_for_election, election_id)
    except DomainError:
        return []
    with uow() as work:
        return describe_rungs(work, rows, lang())




def _per_page() -> int:
    return int(current_app.config.get("UI_PER_PAGE", 25))


def _flag(name: str, default: Optional[bool] = None) -> Optional[bool]:
    value = request.args.get(name)
    return {"1": True, "true": True, "0": False, "false": False}.get(value or "", default)


@bp.route("/")
def inbox() -> Any:
    """The signed-in user's notifications, newest first."""
    unread = bool(_flag("unread"))
    page, per = page_number(), _per_page()
    data = read(notifications.list_notifications, unread, page, per)
    return render_template("notices/inbox.html", data=data, unread=unread, form=PlainForm(),
                           pager=Pager(data["total"], page, per, "notices.inbox", unread=int(unread) or None))


@bp.route("/read", methods=["POST"])
def mark_read() -> Any:
    """Mark one notification (field id) or all of them read."""
    if not PlainForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("notices.inbox"))
    raw = request.form.get("id", "")
    write(notifications.mark_read, [int(raw)] if raw.isdigit() else None)
    return redirect(url_for("notices.inbox"))


@bp.route("/<int:notification_id>/open")
def open_notification(notification_id: int) -> Any:
    """Mark a notification read and follow its link (same-site links only)."""
    write(notifications.mark_read, [notification_id])
    with uow() as work:
        from workflow.models import Notification
        row = work.session.get(Notification, notification_id)
        link = row.link if row is not None and row.user_id == actor().user_id else None
    return redirect(link if is_safe_next(link) else url_for("notices.inbox"))


@bp.route("/escalations")
def escalations() -> Any:
    """Escalation rungs in the user's area, with filters."""
    args = {"open": _flag("open", True), "kind": request.args.get("kind") or None,
            "level": request.args.get("level") or None, "mine": bool(_flag("mine")),
            "region": request.args.get("region") or None}
    page, per = page_number(), _per_page()
    problem = None
    try:
        data = read(list_escalations, args["open"], args["region"], args["kind"], args["level"], args["mine"], page, per)
        with uow() as work:
            describe_rungs(work, data["items"], lang())
    except DomainError as exc:
        problem = Problem(exc)
        data = {"items": [], "total": 0}
    query = {"open": {True: 1, False: 0, None: "all"}[args["open"]], "kind": args["kind"], "level": args["level"],
             "mine": 1 if args["mine"] else None, "region": args["region"]}
    regions = read(region_choices)
    return render_template("notices/escalations.html", data=data, args=args, problem=problem, regions=regions,
                           pager=Pager(data["total"], page, per, "notices.escalations", **query), tab="escalations")


@bp.route("/dossiers", methods=["GET", "POST"])
def dossier_list() -> Any:
    """Open dossiers in the user's area; cadres and supervisors open new ones."""
    form = DossierForm(prefix="new")
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                write(dossiers.open_dossier, form.community.data.strip(), form.cause.data,
                      form.due_on.data.isoformat(), form.stationed_cadre.data or None)
                flash(_("The dossier is opened."), "success")
                return redirect(url_for("notices.dossier_list"))
            except DomainError as exc:
                problem = Problem(exc)
                problem.attach(form, {"due_on": "due_on"})
                status = problem.status
        else:
            status = 400
    show = _flag("open", True)
    page, per = page_number(), _per_page()
    data = read(dossiers.list_dossiers, show, request.args.get("region") or None, page, per)
    forms = {d["id"]: DossierStatusForm(prefix=f"d{d['id']}", formdata=None, data={"status": d["status"]})
             for d in data["items"]}
    return render_template("notices/dossiers.html", data=data, form=form, forms=forms, problem=problem,
                           show=show, can_report=may_report(actor()), tab="dossiers",
                           pager=Pager(data["total"], page, per, "notices.dossier_list",
                                       open={True: 1, False: 0, None: "all"}[show])), status


@bp.route("/dossiers/<int:dossier_id>", methods=["POST"])
def dossier_update(dossier_id: int) -> Any:
    """Change a dossier's status and note."""
    read(dossiers.get_dossier, dossier_id)  # not found first
    form = DossierStatusForm(prefix=f"d{dossier_id}")
    if not form.validate_on_submit():
        flash(_("Please correct the marked fields."), "error")
        return redirect(url_for("notices.dossier_list"))
    try:
        write(dossiers.update_dossier, dossier_id, {"status": form.status.data, "note": form.note.data or None})
        flash(_("The dossier is updated."), "success")
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        flash(Problem(exc).message, "error")
    return redirect(url_for("notices.dossier_list", _anchor=f"dossier-{dossier_id}"))


@bp.route("/incidents", methods=["GET", "POST"])
def incident_list() -> Any:
    """Major-problem reports in the user's area; cadres and supervisors report new ones."""
    form = IncidentForm(prefix="new")
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                row, _c = write(incidents.report_incident, form.community.data.strip(), form.summary.data,
                                form.severity.data)
                flash(_("The report is sent to the county and city leaders."), "success")
                return redirect(url_for("notices.incident", incident_id=row.id))
            except DomainError as exc:
                problem = Problem(exc)
                problem.attach(form)
                status = problem.status
        else:
            status = 400
    show = _flag("open", None)
    page, per = page_number(), _per_page()
    data = read(incidents.list_incidents, show, request.args.get("region") or None, page, per)
    return render_template("notices/incidents.html", data=data, form=form, problem=problem, show=show,
                           can_report=may_report(actor()), tab="incidents",
                           pager=Pager(data["total"], page, per, "notices.incident_list",
                                       open={True: 1, False: 0, None: None}[show])), status


@bp.route("/incidents/<int:incident_id>", methods=["GET", "POST"])
def incident(incident_id: int) -> Any:
    """One report: acknowledge it (county level or above) or suspend one of the community's elections."""
    found = read(incidents.get_incident, incident_id)
    form, problem, status = AckForm(prefix="ack"), None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                write(incidents.acknowledge_incident, incident_id, form.note.data or None)
                flash(_("The report is acknowledged."), "success")
                return redirect(url_for("notices.incident", incident_id=incident_id))
            except DomainError as exc:
                if isinstance(exc, Forbidden):
                    raise
                problem = Problem(exc)
                status = problem.status
        else:
            status = 400
    a = actor()
    return render_template("notices/incident.html", i=found, form=form, problem=problem, tab="incidents",
                           can_ack=a.county_or_above and found["open"],
                           can_suspend=a.role in ("supervisor", "admin")), status


@bp.route("/bulletins")
def bulletin_list() -> Any:
    """Bulletins of the regions in the user's area, newest first."""
    page, per = page_number(), _per_page()
    data = read(bulletins.list_bulletins, None, page, per)
    return render_template("notices/bulletins.html", data=data, form=PlainForm(), tab="bulletins",
                           is_admin=actor().is_admin, pager=Pager(data["total"], page, per, "notices.bulletin_list"))


@bp.route("/bulletins/generate", methods=["POST"])
def bulletin_generate() -> Any:
    """Write today's bulletins now (administrators)."""
    if not actor().is_admin:
        raise Forbidden()
    if PlainForm().validate_on_submit():
        made = write(lambda w, a: bulletins.generate_bulletins(w, None, a))
        flash(_("%(n)d bulletins written.", n=made), "success")
    return redirect(url_for("notices.bulletin_list"))


@bp.route("/bulletins/<int:bulletin_id>")
def bulletin(bulletin_id: int) -> Any:
    """One bulletin: progress, the overdue list, complaints, escalations, dossiers and reports."""
    found = read(bulletins.get_bulletin, bulletin_id)
    return render_template("notices/bulletin.html", b=found, d=found["data"], order=bulletins.ORDER, tab="bulletins")


@bp.route("/bulletins/<int:bulletin_id>/download")
def bulletin_download(bulletin_id: int) -> Any:
    """Download a bulletin as CSV (default) or JSON."""
    found = read(bulletins.get_bulletin, bulletin_id)
    fmt = "json" if request.args.get("format") == "json" else "csv"
    name = f"bulletin-{found['region']}-{found['date']}.{fmt}"
    headers = attachment(name)
    if fmt == "json":
        return Response(json.dumps(found, ensure_ascii=False, indent=2), mimetype="application/json", headers=headers)
    return Response("\ufeff" + bulletins.bulletin_csv(found, lang()), mimetype="text/csv", headers=headers)

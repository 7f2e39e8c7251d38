"""The voter roll page (blueprint "roll"): search, paging, add, import with row errors, remove, objections,
proxies; the announcements list with print and PDF. Every read and write goes through workflow services."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflow.auth import may_edit_election
from workflow.errors import DomainError, Forbidden
from workflow.ruleset import get_rule_set
from workflow.services import announcements as ann
from workflow.services import objections as obj
from workflow.services import voters as svc
from workflow.services import voters_io
from workflow.services.calendar import election_calendar
from workflow.services.common import get_election
from workflow.services.imports import ImportRejected

from .blueprint import protect
from .common import Pager, Problem, actor, lang, page_number, uow

bp = Blueprint("roll", __name__)
protect(bp)
PER_PAGE = 50
PERSON_FIELDS = ("name", "gender", "birth_date", "id_number", "household", "group", "category", "resident_since")
PROBLEMS_SHOWN = 500


def init_app(app: Any) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)


def _person(prefix: str = "") -> dict[str, Any]:
    """The voter fields of a form (blank ones left out, so the checks say what is missing)."""
    out = {}
    for name in PERSON_FIELDS:
        value = (request.form.get(prefix + name) or "").strip()
        if value:
            out[name] = value
    return out


def _context(election_id: int, q: Optional[str], page: int) -> dict[str, Any]:
    a = actor()
    with uow() as w:
        s = w.session
        e = get_election(s, a, election_id)
        rules = get_rule_set(e.campaign.rule_set)
        has_roll = rules.voter_roll and e.body == "residents"
        ctx: dict[str, Any] = {
            "election": {"id": e.id, "body": e.body, "state": e.state, "community": e.community.name,
                         "code": e.community.code, "election_day": e.election_day},
            "has_roll": has_roll, "kinds": [(k.kind, k.en if lang() == "en" else k.zh)
                                            for k in rules.announcement_kinds(e.body)],
            "announcements": ann.list_announcements(s, a, election_id),
            "calendar": election_calendar(s, a, election_id),
            "may_edit": may_edit_election(a), "names": False,
        }
        if has_roll:
            ctx["summary"] = svc.roll_summary(s, a, election_id)
            ctx["rules"] = {"proxy_max": rules.residents_rules(e.village_law).proxy_max,
                            "objection_days": rules.roll.objection_days if rules.roll else None,
                            "resident_min_months": rules.roll.resident_min_months if rules.roll else None}
            try:
                listed = svc.list_voters(s, a, election_id, q, page, PER_PAGE)
                ctx.update(names=True, voters=listed["items"], objections=obj.list_objections(
                    s, a, election_id, 1, 200)["items"],
                    pager=Pager(listed["total"], page, PER_PAGE, "roll.roll_page", election_id=election_id,
                                    q=q or None))
            except Forbidden:
                pass  # observers: the counts only
            ctx["registering"] = e.state in svc.REGISTRATION_STATES and ctx["summary"]["published_on"] is None \
                and e.election_day is not None
    return ctx


def _render(election_id: int, status: int = 200, problem: Optional[Problem] = None, where: str = "",
            rejected: Optional[dict[str, Any]] = None, form: Optional[dict[str, Any]] = None) -> Any:
    q = (request.args.get("q") or "").strip() or None
    ctx = _context(election_id, q, page_number())
    return render_template("roll.html", **ctx, q=q or "", problem=problem, problem_at=where, rejected=rejected,
                           form=form or {}), status


@bp.route("/elections/<int:election_id>/roll")
def roll_page(election_id: int) -> Any:
    """The roll (search, pages), its objections and proxies, the announcements and the calendar."""
    return _render(election_id)


def _do(election_id: int, where: str, fn: Any, *args: Any, done: str = "", form: Optional[dict] = None) -> Any:
    try:
        with uow(True) as w:
            fn(w, actor(), *args)
    except DomainError as exc:
        return _render(election_id, Problem(exc).status, Problem(exc), where, form=form)
    if done:
        flash(done, "success")
    return redirect(url_for("roll.roll_page", election_id=election_id, q=request.args.get("q") or None)
                    + f"#{where}")


@bp.route("/elections/<int:election_id>/roll/voters", methods=["POST"])
def add_voter(election_id: int) -> Any:
    """Register one voter (the form of the registration desk)."""
    person = _person()
    return _do(election_id, "add", svc.register_voter, election_id, person, done=_("Voter registered."),
               form=person)


@bp.route("/elections/<int:election_id>/roll/import", methods=["POST"])
def import_roll(election_id: int) -> Any:
    """Import a roll file: all rows or none, every problem listed by row and column."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        from workflow.errors import InvalidRequest
        return _render(election_id, 400, Problem(InvalidRequest.one("file", "Choose a file.", "请选择文件。")),
                       "import")
    try:
        with uow(True) as w:
            result = voters_io.import_voters(w, actor(), election_id, upload.stream, upload.filename)
    except ImportRejected as exc:
        rows = exc.rows(lang())
        return _render(election_id, 400, where="import",
                       rejected={"rows": rows[:PROBLEMS_SHOWN], "total": len(rows), "filename": upload.filename,
                                 "shown": PROBLEMS_SHOWN})
    except DomainError as exc:
        return _render(election_id, Problem(exc).status, Problem(exc), "import")
    flash(_("%(n)d voters imported.", n=result["imported"]), "success")
    return redirect(url_for("roll.roll_page", election_id=election_id))


@bp.route("/voters/<int:voter_id>/remove", methods=["POST"])
def remove_voter(voter_id: int) -> Any:
    """Take a voter off the roll (before publication) with the reason."""
    election_id = int(request.form.get("election") or 0)
    return _do(election_id, "voters", svc.remove_voter, voter_id, request.form.get("reason"),
               done=_("Voter removed."))


@bp.route("/elections/<int:election_id>/roll/proxy", methods=["POST"])
def give_proxy(election_id: int) -> Any:
    """Record a written proxy: the voter's and the holder's numbers on the roll."""
    try:
        voter, holder = int(request.form.get("voter") or 0), int(request.form.get("holder") or 0)
    except ValueError:
        voter, holder = 0, 0
    return _do(election_id, "proxies", svc.give_proxy, voter, holder or None, done=_("Proxy recorded."))


@bp.route("/elections/<int:election_id>/roll/objections", methods=["POST"])
def file_objection(election_id: int) -> Any:
    """File an objection to the published roll."""
    kind = request.form.get("kind")
    body: dict[str, Any] = {"kind": kind, "reason": request.form.get("reason"),
                            "filed_on": request.form.get("filed_on") or None}
    if kind in ("remove", "correct"):
        body["voter"] = int(request.form["voter"]) if (request.form.get("voter") or "").isdigit() else None
    if kind in ("add", "correct"):
        body["person"] = _person("p-")
    return _do(election_id, "objections", obj.file_objection, election_id, body, done=_("Objection filed."))


@bp.route("/voter-objections/<int:objection_id>/decide", methods=["POST"])
def decide_objection(objection_id: int) -> Any:
    """Decide an objection (upheld changes the roll)."""
    election_id = int(request.form.get("election") or 0)
    return _do(election_id, "objections", obj.decide_objection, objection_id, request.form.get("decision"),
               request.form.get("note"), done=_("Objection decided."))


@bp.route("/elections/<int:election_id>/announcements", methods=["POST"])
def publish(election_id: int) -> Any:
    """Publish an announcement (rendered now and kept)."""
    body = {"kind": request.form.get("kind"), "published_on": request.form.get("published_on") or None,
            "note": request.form.get("note") or None}
    return _do(election_id, "announcements", ann.publish, election_id, body, done=_("Announcement published."))


@bp.route("/announcements/<int:announcement_id>.<any(html, pdf):fmt>")
def document(announcement_id: int, fmt: str) -> Any:
    """The stored document: the printable page (HTML) or the PDF for the notice board."""
    with uow() as w:
        row, data = ann.document(w.session, actor(), announcement_id, fmt)
        number = row.number
    response = Response(data, mimetype="text/html" if fmt == "html" else "application/pdf")
    if fmt == "html":
        # the stored page carries its own print CSS; it is shown as it was posted, in a sandbox
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Content-Disposition"] = f'inline; filename="announcement-{number}.{fmt}"'
    return response


@bp.route("/elections/<int:election_id>/roll.xlsx")
def export(election_id: int) -> Any:
    """Download the roll as XLSX (id numbers masked)."""
    import io

    from flask import send_file
    out = io.BytesIO()
    with uow() as w:
        voters_io.export_roll(w, actor(), election_id, out, lang())
    out.seek(0)
    return send_file(out, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=f"roll-{election_id}-{dt.date.today().isoformat()}.xlsx")

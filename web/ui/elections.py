"""The election page and its actions: transitions, the suspension confirmation."""
from __future__ import annotations

from typing import Any, Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflow.errors import DomainError, InvalidRequest, VersionConflict
from workflow.services.elections import fire_trigger

from .blueprint import bp
from . import labels as UL
from .common import Problem, write
from .election_view import election_context
from .forms import (CandidateForm, CertificateForm, ComplaintForm, FactForm, ResolveForm, RosterForm, RoundForm,
                    SeatsForm, SuspendForm, TransitionForm)
from .i18n import label_of, paren


def default_forms(ctx: dict[str, Any]) -> dict[str, Any]:
    """Fresh (unbound) forms for every section of the page."""
    e = ctx["e"]
    post_labels = {p: label_of("post", p) for p in ctx["posts"]}
    seats = SeatsForm(formdata=None, prefix="seats", data=dict(e["seats"] or {}))
    complaint = ComplaintForm(formdata=None, prefix="comp")
    setup_complaint(complaint, ctx)
    return {
        "fact": FactForm(formdata=None), "transition": TransitionForm(formdata=None, prefix="t", version=e["version"]),
        "seats": seats, "candidate": CandidateForm(formdata=None, prefix="cand").setup(ctx["posts"], post_labels),
        "round": RoundForm(formdata=None, prefix="round", kind=ctx["round_kind"] or ""),
        "certificate": CertificateForm(formdata=None, prefix="cert"), "cert_for": None,
        "complaint": complaint, "resolve": {}, "votes": {},
        "roster": RosterForm(formdata=None, prefix="roster").setup(),
    }


def setup_complaint(form: ComplaintForm, ctx: dict[str, Any]) -> ComplaintForm:
    """Fill the complaint form's choices for this election."""
    form.category.choices = [(k, label_of("category", k)) for k in
                             ("bribery", "improper_competition", "interference", "procedure", "other")]
    form.candidate.choices = [("", _("No one in particular"))] + [
        (str(c["id"]), c["name"] + paren(label_of("post", c["post"]))) for c in ctx["e"]["candidates"]]
    return form


def setup_resolve(form: ResolveForm) -> ResolveForm:
    """Fill the resolution form's choices."""
    form.outcome.choices = [(k, label_of("outcome", k)) for k in ("unfounded", "disqualify_candidate", "void_election")]
    form.referral.choices = [("", _("Not referred"))] + [(k, str(v)) for k, v in UL.REFERRALS.items()]
    return form


def render_election(election_id: Any, status: int = 200, problem: Optional[Problem] = None,
                    problem_at: Optional[str] = None, forms: Optional[dict[str, Any]] = None,
                    fact_error: Optional[dict[str, Any]] = None) -> Any:
    """Render the election page, with bound forms and a problem shown where it happened."""
    ctx = election_context(election_id)
    if problem_at and not problem_at.startswith("fact-") and problem_at not in visible_sections(ctx):
        problem_at = "top"  # the section is not shown in this state: say it at the top
    all_forms = default_forms(ctx)
    all_forms.update(forms or {})
    for c in ctx["e"]["complaints"]:
        if c["open"] and c["id"] not in all_forms["resolve"]:
            all_forms["resolve"][c["id"]] = setup_resolve(ResolveForm(formdata=None, prefix=f"res{c['id']}"))
    return render_template("election.html", **ctx, forms=all_forms, problem=problem, problem_at=problem_at,
                           fact_error=fact_error), status


def visible_sections(ctx: dict[str, Any]) -> set[str]:
    """The sections of the election page shown in the election's current state."""
    e = ctx["e"]
    shown = {"actions", "seats", "complaints", "papers"}
    if ctx["candidate_states"] or e["candidates"]:
        shown.add("candidates")
    if e["state"] == "voting" or e["rounds"]:
        shown.add("rounds")
    if e["body"] == "residents" and (e["state"] == "certification" or any(c["certificate"] for c in e["candidates"])):
        shown.add("certificates")
    if e["body"] == "party":
        shown.add("roster")
        if e["state"] in POST_SECTION_STATES or (e["posts"] or {}).get("secretary"):
            shown.add("posts")
    return shown


#: states where the election page shows the Party posts (recorded from certification, §9)
POST_SECTION_STATES = ("certification", "handover", "summary", "closed")


@bp.route("/elections/<int:election_id>")
def election(election_id: int) -> Any:
    """Show one election: where it stands, what is missing, what can be done next."""
    return render_election(election_id)


def current_version(election_id: Any) -> int:
    """Read the election's version now (after a conflict)."""
    from workflow.services.common import get_election

    from .common import actor, uow
    with uow() as work:
        return int(get_election(work.session, actor(), election_id).version)


def parse_version(raw: Any) -> int:
    """Read the hidden version field."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidRequest.one("version", "the page is out of date", "页面已过期") from None


@bp.route("/elections/<int:election_id>/transition", methods=["POST"])
def transition(election_id: int) -> Any:
    """Take a step (fire a trigger); suspension goes through its confirmation page."""
    form = TransitionForm(prefix="t")
    trigger = request.form.get("trigger", "")
    if trigger == "suspend":
        return redirect(url_for("ui.suspend", election_id=election_id))
    if not form.validate_on_submit():
        return render_election(election_id, 400, forms={"transition": form}, problem_at="actions")
    try:
        write(fire_trigger, election_id, trigger, parse_version(form.version.data), form.note.data or None)
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(form)
        if isinstance(exc, VersionConflict):  # the page below shows the latest state: resubmitting is informed
            form.version.data = current_version(election_id)
        return render_election(election_id, problem.status, problem, "actions", forms={"transition": form})
    flash(_("Done: %(step)s.", step=label_of("trigger", trigger)), "success")
    return redirect(url_for("ui.election", election_id=election_id))


@bp.route("/elections/<int:election_id>/suspend", methods=["GET", "POST"])
def suspend(election_id: int) -> Any:
    """Confirm a suspension (应急处置) with its reason and review date."""
    ctx = election_context(election_id)
    form = SuspendForm(prefix="s")
    problem = None
    if request.method == "GET":
        form.version.data = ctx["e"]["version"]
    elif form.validate_on_submit():
        try:
            write(fire_trigger, election_id, "suspend", parse_version(form.version.data), form.note.data,
                  form.review_on.data.isoformat() if form.review_on.data else None)
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form, {"review_on": "review_on", "note": "note"})
        else:
            flash(_("The election is suspended."), "success")
            return redirect(url_for("ui.election", election_id=election_id))
    status = problem.status if problem else (400 if request.method == "POST" else 200)
    return render_template("confirm_suspend.html", form=form, problem=problem, **ctx), status

"""Recording what happens in an election: facts, seats, candidates, voting rounds, certificates."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflow.errors import DomainError, InvalidRequest, NotFound
from workflow.facts import FACTS
from workflow.models import Candidate
from workflow.services.common import get_election
from workflow.services.election_data import (
    POSTS,
    add_candidate,
    issue_certificate,
    record_fact,
    record_round,
    round_dict,
    set_seats,
    update_candidate,
)
from workflow.services.fact_requests import request_fact

from .blueprint import bp
from . import labels as UL
from .common import Problem, actor, uow, write
from .elections import render_election
from .forms import (
    CandidateForm,
    CertificateForm,
    ConfirmForm,
    FactForm,
    RoundForm,
    SeatsForm,
)
from .i18n import comma, label_of
from .round_entry import RoundEntry, payload_digest


def comma_join(items: Any) -> str:
    """Join names with the language's list separator."""
    return comma().join(items)


def _fact_value(key: str, raw: str, retract: bool) -> Any:
    """Turn the submitted control into a fact value (None retracts)."""
    spec = FACTS.get(key)
    if retract or raw == "retract":
        return None
    if spec is not None and spec.type == "bool":
        if raw not in ("yes", "no"):
            raise InvalidRequest.one("value", "choose yes or no", "请选择“是”或“否”")
        return raw == "yes"
    if not raw:
        raise InvalidRequest.one("value", "please fill this in", "请填写")
    return raw


@bp.route("/elections/<int:election_id>/facts/<key>", methods=["POST"])
def fact(election_id: int, key: str) -> Any:
    """Record, change or retract one fact, with an optional note."""
    if key not in FACTS:
        raise NotFound()
    form = FactForm()
    raw = (request.form.get("value") or "").strip()
    retract = request.form.get("retract") == "1"
    note = (request.form.get("note") or "").strip() or None
    try:
        if not form.validate_on_submit():
            raise InvalidRequest({k: (" ".join(v), " ".join(v)) for k, v in form.errors.items()})
        write(record_fact, election_id, key, _fact_value(key, raw, retract), note)
    except DomainError as exc:
        problem = Problem(exc)
        error = {"key": key, "value": raw, "note": note or "",
                 "message": " ".join(problem.fields.values()) or problem.message}
        return render_election(election_id, problem.status, problem, f"fact-{key}", fact_error=error)
    flash(_("Recorded: %(what)s.", what=UL.text(UL.FACT_LABELS, key)), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor=f"fact-{key}"))


@bp.route("/elections/<int:election_id>/facts/<key>/request", methods=["POST"])
def fact_request(election_id: int, key: str) -> Any:
    """Ask the supervisors who record a fact to record it (an inbox message each)."""
    if key not in FACTS:
        raise NotFound()
    ConfirmForm().validate_on_submit()
    try:
        sent = write(request_fact, election_id, key)
    except DomainError as exc:
        return render_election(election_id, Problem(exc).status, Problem(exc), f"fact-{key}")
    if sent:
        flash(_("Notified: %(who)s.", who=comma_join(p["name"] for p in sent)), "success")
    else:
        flash(_("Nobody is responsible for recording this yet: ask your county's election office."), "warning")
    return redirect(url_for("ui.election", election_id=election_id, _anchor=f"fact-{key}"))


@bp.route("/elections/<int:election_id>/seats", methods=["POST"])
def seats(election_id: int) -> Any:
    """Set the number of seats (only in preparation)."""
    form = SeatsForm(prefix="seats")
    if not form.validate_on_submit():
        return render_election(election_id, 400, forms={"seats": form}, problem_at="seats")
    raw = {k: getattr(form, k).data for k in ("member", "director", "deputy_director")
           if getattr(form, k).data is not None}
    try:
        with uow() as work:
            body = get_election(work.session, actor(), election_id).body
        write(set_seats, election_id, {k: v for k, v in raw.items() if k in POSTS[body]})
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(form)
        return render_election(election_id, problem.status, problem, "seats", forms={"seats": form})
    flash(_("The seats are set."), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="seats"))


def _posts_of(election_id: Any) -> tuple[str, ...]:
    with uow() as work:
        return POSTS[get_election(work.session, actor(), election_id).body]


@bp.route("/elections/<int:election_id>/candidates", methods=["POST"])
def candidate_add(election_id: int) -> Any:
    """Add a candidate (nomination and candidate meeting only)."""
    posts = _posts_of(election_id)
    form = CandidateForm(prefix="cand").setup(posts, {p: label_of("post", p) for p in posts})
    if not form.validate_on_submit():
        return render_election(election_id, 400, forms={"candidate": form}, problem_at="candidates")
    try:
        write(add_candidate, election_id, form.payload(creating=True))
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(form)
        return render_election(election_id, problem.status, problem, "candidates", forms={"candidate": form})
    flash(_("Candidate added: %(name)s.", name=form.name.data.strip()), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="candidates"))


def _candidate(candidate_id: int) -> tuple[dict[str, Any], int, tuple[str, ...]]:
    """Load a candidate the user may see (else NotFound) with its election id and the posts."""
    with uow() as work:
        s = work.session
        cand = s.get(Candidate, candidate_id)
        if cand is None:
            raise NotFound()
        election = get_election(s, actor(), cand.election_id)
        data = {c.name: getattr(cand, c.name) for c in Candidate.__table__.columns}
        return data, election.id, POSTS[election.body]


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
def candidate_edit(candidate_id: int) -> Any:
    """Change a candidate's details."""
    data, election_id, posts = _candidate(candidate_id)
    labels = {p: label_of("post", p) for p in posts}
    if request.method == "GET":
        form = CandidateForm(prefix="cand", data={k: ("" if v is None else v) for k, v in data.items()})
        form.setup(posts, labels)
        if data["birth_year"] is None:
            form.birth_year.data = None
        return render_template("candidate_edit.html", form=form, cand=data, election_id=election_id, problem=None,
                               body=_body(posts))
    form = CandidateForm(prefix="cand").setup(posts, labels)
    problem = None
    if form.validate_on_submit():
        try:
            write(update_candidate, candidate_id, form.payload(creating=False))
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form)
        else:
            flash(_("Candidate changed: %(name)s.", name=form.name.data.strip()), "success")
            return redirect(url_for("ui.election", election_id=election_id, _anchor="candidates"))
    return render_template("candidate_edit.html", form=form, cand=data, election_id=election_id,
                           problem=problem, body=_body(posts)), (problem.status if problem else 400)


def _body(posts: tuple[str, ...]) -> str:
    return next(body for body, p in POSTS.items() if p == posts)


@bp.route("/candidates/<int:candidate_id>/<any(withdraw, presented):change>", methods=["POST"])
def candidate_quick(candidate_id: int, change: str) -> Any:
    """Withdraw a candidate, or mark that they met the residents (one click each)."""
    _data, election_id, _posts = _candidate(candidate_id)
    ConfirmForm().validate_on_submit()
    field = "withdrawn" if change == "withdraw" else "presented"
    try:
        write(update_candidate, candidate_id, {field: True})
    except DomainError as exc:
        return render_election(election_id, Problem(exc).status, Problem(exc), "candidates")
    flash(_("Candidate withdrawn.") if field == "withdrawn" else _("Marked as having met the residents."), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="candidates"))


@bp.route("/elections/<int:election_id>/rounds", methods=["POST"])
def round_(election_id: int) -> Any:
    """Preview a voting round's evaluation, then record it on confirmation; the engine evaluates it (never the form).

    A typo must not become a permanent invalid round: the first submit only shows the evaluation; "record" is
    accepted only for exactly the counts that were previewed (their digest travels with the confirm button).
    """
    form = RoundForm(prefix="round")
    entered = RoundEntry(request.form)
    forms = {"round": form, "votes": entered.raw_votes, "vote_errors": entered.errors, "entry": entered}
    if not form.validate_on_submit() or entered.errors:
        return render_election(election_id, 400, forms=forms, problem_at="rounds")
    payload = entered.payload(form)
    digest = payload_digest(payload)
    confirmed = request.form.get("action") == "record" and request.form.get("digest") == digest
    try:
        if not confirmed:
            with uow() as work:
                row = record_round(work, actor(), election_id, payload, preview=True)
                forms["preview"] = {**round_dict(row), "digest": digest,
                                    "problem_labels": [UL.text(UL.ROUND_PROBLEMS, p) for p in row.problems],
                                    "write_in_names": {w["candidate"]: w["name"] for w in row.write_ins or ()
                                                       if w["candidate"]}}
            return render_election(election_id, 200, forms=forms, problem_at="rounds")
        row = write(record_round, election_id, payload)
    except DomainError as exc:
        problem = Problem(exc)
        # the engine names a candidate's votes "votes.<id>": mark that input, and the whole fieldset for "votes"
        for name in [n for n in problem.fields if n.startswith("votes.")]:
            entered.errors["vote-" + name[len("votes."):]] = problem.fields.pop(name)
        if "votes" in problem.fields:
            forms["votes_error"] = problem.fields.pop("votes")
        problem.attach(form)
        return render_election(election_id, problem.status, problem, "rounds", forms=forms)
    if row.valid:
        flash(_("The round is recorded and valid."), "success")
    else:
        flash(_("The round is recorded but invalid: see the evaluation below."), "warning")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="rounds"))


@bp.route("/elections/<int:election_id>/certificates", methods=["POST"])
def certificate(election_id: int) -> Any:
    """Issue a certificate (当选证书) with its serial to an elected person."""
    form = CertificateForm(prefix="cert")
    try:
        cand = int(form.candidate.data or "")
    except ValueError:
        cand = 0
    forms = {"certificate": form, "cert_for": cand}
    if not form.validate_on_submit():
        return render_election(election_id, 400, forms=forms, problem_at="certificates")
    try:
        write(issue_certificate, election_id, cand, form.serial.data.strip())
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(form)
        if exc.code == "duplicate":
            form.serial.errors = list(form.serial.errors) + [problem.message]
        return render_election(election_id, problem.status, problem, "certificates", forms=forms)
    flash(_("Certificate %(serial)s issued.", serial=form.serial.data.strip()), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="certificates"))


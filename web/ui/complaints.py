"""Complaints (举报): filing, and resolving with a confirmation when an election is voided."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from workflow.errors import DomainError, NotFound
from workflow.models import Candidate, Complaint
from workflow.services.common import get_election
from workflow.services.complaints import file_complaint, resolve_complaint

from .blueprint import bp
from .common import Problem, actor, uow, write
from .election_view import election_context
from .elections import render_election, setup_complaint, setup_resolve
from .forms import ComplaintForm, ResolveForm
from .i18n import label_of


@bp.route("/elections/<int:election_id>/complaints", methods=["POST"])
def complaint_file(election_id: int) -> Any:
    """File a complaint against the election, optionally naming a candidate."""
    ctx = election_context(election_id)
    form = setup_complaint(ComplaintForm(prefix="comp"), ctx)
    if not form.validate_on_submit():
        return render_election(election_id, 400, forms={"complaint": form}, problem_at="complaints")
    candidate = int(form.candidate.data) if form.candidate.data and form.candidate.data.isdigit() else None
    try:
        write(file_complaint, election_id, form.category.data, candidate, form.received_on.data.isoformat(),
              form.summary.data)
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(form)
        return render_election(election_id, problem.status, problem, "complaints", forms={"complaint": form})
    flash(_("The complaint is filed. It must be resolved within 30 days."), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="complaints"))


def _complaint(complaint_id: int) -> dict[str, Any]:
    """Load a complaint the user may see (else NotFound)."""
    with uow() as work:
        s = work.session
        row = s.get(Complaint, complaint_id)
        if row is None:
            raise NotFound()
        election = get_election(s, actor(), row.election_id)
        cand = s.get(Candidate, row.candidate_id) if row.candidate_id else None
        return {"id": row.id, "election_id": election.id, "category": row.category, "summary": row.summary,
                "candidate_name": cand.name if cand else None, "open": row.resolved_at is None,
                "received_on": row.received_on, "due_on": row.due_on}


@bp.route("/complaints/<int:complaint_id>/resolve", methods=["POST"])
def complaint_resolve(complaint_id: int) -> Any:
    """Resolve a complaint; voiding an election first shows a confirmation page asking for the reason."""
    info = _complaint(complaint_id)
    election_id = info["election_id"]
    form = setup_resolve(ResolveForm(prefix=f"res{complaint_id}"))
    if not form.validate_on_submit():
        return render_election(election_id, 400, forms={"resolve": {complaint_id: form}}, problem_at="complaints")
    confirming = form.outcome.data == "void_election"
    if confirming and form.confirmed.data != "1":
        return render_template("confirm_void.html", form=form, complaint=info, problem=None,
                               category=label_of("category", info["category"]))
    if confirming and not (form.note.data or "").strip():
        form.note.errors = [_("Please give the reason.")]
        return render_template("confirm_void.html", form=form, complaint=info, problem=None,
                               category=label_of("category", info["category"])), 400
    try:
        write(resolve_complaint, complaint_id, form.outcome.data, form.note.data or None, form.referral.data or None)
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(form)
        if confirming:
            return render_template("confirm_void.html", form=form, complaint=info, problem=problem,
                                   category=label_of("category", info["category"])), problem.status
        return render_election(election_id, problem.status, problem, "complaints",
                               forms={"resolve": {complaint_id: form}})
    flash(_("The complaint is resolved: %(outcome)s.", outcome=label_of("outcome", form.outcome.data)), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="complaints"))

"""资格联审 (domain.md §12): the reviewer's queue of candidates with its department's verdict form."""
from __future__ import annotations

from typing import Any

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workflow.errors import DomainError, Forbidden
from workflow.services.reviews import record_verdict, reviewer_queue

from .blueprint import NAV_EXTRA, bp
from .common import Problem, actor, read, write


@bp.route("/reviews", methods=["GET"])
def reviews() -> Any:
    """The candidates of the reviewer's scope, those waiting for its department first."""
    if actor().role not in ("reviewer", "admin"):
        raise Forbidden()
    return render_template("reviews.html", queue=read(reviewer_queue), problem=None)


@bp.route("/reviews/<int:candidate_id>", methods=["POST"])
def review_post(candidate_id: int) -> Any:
    """Record the department's verdict on one candidate (pass, or fail with grounds and a note)."""
    queue = read(reviewer_queue)
    department = queue["department"] or request.form.get("department", "")
    body = {"verdict": request.form.get("verdict"), "grounds": request.form.getlist("grounds"),
            "note": (request.form.get("note") or "").strip() or None}
    try:
        write(record_verdict, candidate_id, department, body)
    except DomainError as exc:
        problem = Problem(exc)
        if problem.status in (403, 404):
            raise
        return render_template("reviews.html", queue=queue, problem=problem, failed=candidate_id), problem.status
    flash(_("Verdict recorded."), "success")
    return redirect(url_for("ui.reviews"))


def init_app(app: Flask) -> None:
    """Put the review queue in the navigation of reviewers and admins."""
    NAV_EXTRA.append(("ui.reviews", _l("Joint review"), ("reviewer", "admin")))

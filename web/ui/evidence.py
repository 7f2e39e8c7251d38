"""The history page (chain state, digest) and the election's papers: upload from a phone, list per step, download."""
from __future__ import annotations

from typing import Any, Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from workflow.errors import DomainError, InvalidRequest
from workflow.services import evidence, integrity
from workflow.services.reads import describe_election, history

from web.downloads import download_response

from .blueprint import bp
from .common import Problem, actor, lang, uow, write
from .papers import kind_label

#: the form's other fields and boundaries beside the file
FORM_OVERHEAD = 256 * 1024
def _chosen_file() -> tuple[Any, Optional[str], Any, Any]:
    """The uploaded file (the photo taken or the file chosen), its name, and the kind and note fields."""
    request.max_content_length = evidence.MAX_BYTES + FORM_OVERHEAD
    try:
        files = [request.files.get("photo"), request.files.get("file")]
        kind, note = request.form.get("kind"), request.form.get("note")
    except RequestEntityTooLarge:
        raise InvalidRequest.one("file", "must be at most 20 MB", "不能超过20 MB") from None
    chosen = next((f for f in files if f is not None and f.filename), None)
    return (chosen.stream if chosen else None), (chosen.filename if chosen else None), kind, note


@bp.route("/elections/<int:election_id>/attachments", methods=["POST"])
def upload_paper(election_id: int) -> Any:
    """Upload a paper of the election (the form of the papers section)."""
    from .elections import render_election
    try:
        stream, name, kind, note = _chosen_file()
        write(evidence.upload, election_id, stream, name, kind, note or None)
    except DomainError as exc:
        problem = Problem(exc)
        problem.details = list(problem.fields.values())
        return render_election(election_id, problem.status, problem, "papers")
    flash(_("The paper was kept and its fingerprint entered in the history."), "success")
    return redirect(url_for("ui.election", election_id=election_id) + "#papers")


@bp.route("/attachments/<int:attachment_id>")
def download_paper(attachment_id: int) -> Any:
    """Download a paper inside the user's scope."""
    with uow() as work:
        meta, chunks = evidence.open_attachment(work, actor(), attachment_id)
    return download_response(meta, chunks)


@bp.route("/elections/<int:election_id>/history")
def election_history(election_id: int) -> Any:
    """The election's history with its chain checked: ✓ verified or ✗ broken at row N, the files, the digest."""
    a = actor()
    with uow() as work:
        d = describe_election(work, a, election_id, lang())
        check = integrity.verify_election(work, a, election_id)
        events = history(work, a, election_id)
        papers = evidence.list_attachments(work, a, election_id)
        digest = integrity.latest_digest(work)
    bad_files = {f["history_id"] for f in check["files_bad"]}
    for ev in events:
        ev["bad"] = ev["id"] == check["first_bad"] or ev["id"] in bad_files
    return render_template("history.html", e=d, check=check, events=events, digest=digest,
                           papers={p["id"]: p for p in papers})


@bp.app_template_global("paper_kind")
def paper_kind(kind: str) -> str:
    """The label of a paper kind (templates)."""
    return kind_label(kind)

"""People and posts on the election page (domain.md §9): the Party posts and the roster of appointed members."""
from __future__ import annotations

from typing import Any, Optional

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from workflow.errors import DomainError, InvalidRequest
from workflow.services.people import set_posts
from workflow.services.roster import add_roster_member, remove_roster_member, update_roster_member

from .blueprint import bp
from .common import Problem, write
from .elections import render_election
from .forms import ConfirmForm, RosterForm


def _ident(raw: Optional[str], name: str) -> Optional[int]:
    """A candidate id from a select or checkbox ("" = none)."""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise InvalidRequest.one(name, "choose an elected member", "请选择当选委员")
    return int(raw)


@bp.route("/elections/<int:election_id>/posts", methods=["POST"])
def posts(election_id: int) -> Any:
    """Record the secretary, deputies and the full-time deputy elected by the first plenary."""
    form = ConfirmForm(prefix="posts")
    try:
        if not form.validate_on_submit():
            raise InvalidRequest.one("csrf_token", "the page is out of date", "页面已过期，请刷新后重试")
        deputies = [d for d in (_ident(v, "deputy_secretaries") for v in request.form.getlist("deputy")) if d]
        payload = {"secretary": _ident(request.form.get("secretary"), "secretary"), "deputy_secretaries": deputies,
                   "full_time_deputy": _ident(request.form.get("full_time"), "full_time_deputy")}
        write(set_posts, election_id, payload)
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(None)  # the selects are plain controls: the problems are listed in the box
        return render_election(election_id, problem.status, problem, "posts")
    flash(_("The posts are recorded."), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="posts"))


@bp.route("/elections/<int:election_id>/roster", methods=["POST"])
def roster_add(election_id: int) -> Any:
    """Put a first secretary or a part-time member on the roster."""
    form = RosterForm(prefix="roster").setup()
    if not form.validate_on_submit():
        return render_election(election_id, 400, forms={"roster": form}, problem_at="roster")
    try:
        write(add_roster_member, election_id, form.payload())
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(form)
        return render_election(election_id, problem.status, problem, "roster", forms={"roster": form})
    flash(_("Added to the roster: %(name)s.", name=form.name.data.strip()), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="roster"))


@bp.route("/elections/<int:election_id>/roster/<int:member_id>/end", methods=["POST"])
def roster_end(election_id: int, member_id: int) -> Any:
    """Record the date a roster member's term ended (empty: still serving)."""
    form = ConfirmForm(prefix="end")
    try:
        if not form.validate_on_submit():
            raise InvalidRequest.one("csrf_token", "the page is out of date", "页面已过期，请刷新后重试")
        write(update_roster_member, member_id, {"end_on": (request.form.get("end_on") or "").strip() or None})
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(None)
        return render_election(election_id, problem.status, problem, "roster")
    flash(_("The roster is updated."), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="roster"))


@bp.route("/elections/<int:election_id>/roster/<int:member_id>/remove", methods=["POST"])
def roster_remove(election_id: int, member_id: int) -> Any:
    """Take an entry entered by mistake off the roster (the history keeps it)."""
    form = ConfirmForm(prefix="rm")
    try:
        if not form.validate_on_submit():
            raise InvalidRequest.one("csrf_token", "the page is out of date", "页面已过期，请刷新后重试")
        write(remove_roster_member, member_id, (request.form.get("reason") or "").strip() or None)
    except DomainError as exc:
        problem = Problem(exc)
        problem.attach(None)
        return render_election(election_id, problem.status, problem, "roster")
    flash(_("Removed from the roster."), "success")
    return redirect(url_for("ui.election", election_id=election_id, _anchor="roster"))

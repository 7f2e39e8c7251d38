"""Signing in and out, login throttling, password change and the language switch."""
from __future__ import annotations

from typing import Any, Optional

from flask import Flask, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user

from workflow.errors import DomainError
from workflow.services import login as login_svc
from workflow.services.structure import set_language

from ..client import client_address
from ..extensions import SUPPORTED, login_manager
from .blueprint import bp
from .common import Problem, is_safe_next, uow
from .forms import LanguageForm, LoginForm, PasswordForm


class SessionUser(UserMixin):
    """The signed-in user as the UI sees it; the session id names a server-side session row."""

    def __init__(self, profile: login_svc.Profile, sid: str) -> None:
        self.id = profile.user_id
        self.username = profile.username
        self.display_name = profile.display_name
        self.role = profile.role
        self.language = profile.language
        self.scope_name = profile.scope_name
        self.actor = profile.actor
        self.sid = sid

    def get_id(self) -> str:
        """Return 'id:session' so that every request checks the session on the server."""
        return f"{self.id}:{self.sid}"


def load_user(user_id: str) -> Optional[SessionUser]:
    """Flask-Login user loader: the session must be live (not signed out, same password, user active)."""
    raw_id, _sep, sid = str(user_id).partition(":")
    if not raw_id.isdigit() or not sid or len(raw_id) > 10:
        return None
    with uow() as work:
        profile = login_svc.session_profile(work, int(raw_id), sid)
    return SessionUser(profile, sid) if profile is not None else None


def init_login(app: Flask) -> None:
    """Bind the user loader."""
    login_manager.user_loader(load_user)


def _session_hours() -> float:
    return float(current_app.config.get("SESSION_HOURS", 12))


def authenticate(username: str, password: str) -> tuple[Optional[SessionUser], Optional[str]]:
    """Check a sign-in (throttled per account and address by the login service); one message for every refusal."""
    with uow(write_=True) as work:  # commits the failure counts too
        found = login_svc.sign_in(work, username, password, client_address(), _session_hours())
    if found is None:
        return None, _("Wrong username or password.")
    return SessionUser(*found), None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the login form; sign in and go to a validated `next` page."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(_next_or_home(form.next.data))
    error = None
    if form.validate_on_submit():
        user, error = authenticate(form.username.data.strip(), form.password.data)
        if user is not None:
            target = form.next.data if is_safe_next(form.next.data) else _home(user.actor)
            keep = {k: session[k] for k in ("csrf_token",) if k in session}
            session.clear()  # a fresh session on every sign-in
            session.update(keep)
            login_user(user, remember=False, fresh=True)
            response = make_response(redirect(target))
            response.set_cookie("lang", user.language if user.language in SUPPORTED else "zh",
                                max_age=365 * 86400, samesite="Lax", httponly=True, secure=_secure_cookies())
            return response
    status = 401 if error else 400 if request.method == "POST" else 200
    return render_template("login.html", form=form, error=error), status


def _secure_cookies() -> bool:
    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def _home(a: Any) -> str:
    """Where a user lands: supervisors of a province or a city on the supervision view (their worklist would
    list a thousand communities), everyone else on the worklist."""
    if a.role == "supervisor" and a.scope_level in ("province", "city"):
        return url_for("ui.supervise")
    return url_for("ui.worklist")


def _next_or_home(target: Optional[str]) -> str:
    return target if is_safe_next(target) else url_for("ui.worklist")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Sign out: end the session on the server (a copied cookie dies too) and forget it."""
    sid = getattr(current_user, "sid", None)
    if sid:
        with uow(write_=True) as work:
            login_svc.end_session(work, sid)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("ui.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> Any:
    """Change one's own password (every API token dies with the old one)."""
    form = PasswordForm()
    problem = None
    if form.validate_on_submit():
        try:
            with uow(write_=True) as work:
                fresh = login_svc.change_own_password(work, current_user.id, form.current.data, form.new.data,
                                                      _session_hours())
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form, {"password": "new"})
        else:
            if fresh is None:
                form.current.errors = [_("This is not your current password.")]
            else:
                login_user(SessionUser(*fresh), fresh=True)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("ui.worklist"))
    status = 400 if request.method == "POST" else 200
    return render_template("password.html", form=form, problem=problem), status


@bp.route("/language", methods=["POST"])
def language() -> Any:
    """Switch the language (a cookie, and the user's preference when signed in)."""
    form = LanguageForm()
    chosen = request.form.get("lang", "")
    target = request.form.get("next", "")
    if not form.validate_on_submit() or chosen not in SUPPORTED:
        return redirect(url_for("ui.worklist"))
    if current_user.is_authenticated:
        with uow(write_=True) as work:
            set_language(work, current_user.id, chosen)
    response = make_response(redirect(target if is_safe_next(target) else url_for("ui.worklist")))
    response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="Lax", httponly=True,
                        secure=_secure_cookies())
    return response

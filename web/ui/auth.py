"""Signing in and out, login throttling, password change and the language switch."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from flask import Flask, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import select

from workflow.auth import Actor
from workflow.clock import now
from workflow.errors import DomainError
from workflow.models import Region, User
from workflow.passwords import check_password, hash_password
from workflow.services.reads import actor_for
from workflow.services.structure import change_password

from ..extensions import SUPPORTED, login_manager
from .blueprint import bp
from .common import Problem, is_safe_next, uow
from .forms import LanguageForm, LoginForm, PasswordForm

MAX_FAILURES = 5
LOCK_MINUTES = 15
_DUMMY_HASH = hash_password("not a real password")


class SessionUser(UserMixin):
    """The signed-in user as the UI sees it; the session id carries a password stamp."""

    def __init__(self, user: User, actor: Actor, scope_name: Optional[str]) -> None:
        self.id = user.id
        self.username = user.username
        self.display_name = user.display_name or user.username
        self.role = user.role
        self.language = user.language or "zh"
        self.scope_name = scope_name
        self.stamp = _stamp(user)
        self.actor = actor

    def get_id(self) -> str:
        """Return 'id:stamp' so that a password change ends every other session."""
        return f"{self.id}:{self.stamp}"


def _stamp(user: User) -> str:
    changed = user.password_changed_at
    return str(int(changed.timestamp())) if changed else "0"


def _aware(value: Optional[dt.datetime]) -> Optional[dt.datetime]:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def load_user(user_id: str) -> Optional[SessionUser]:
    """Flask-Login user loader: the user must exist, be active and have the same password stamp."""
    raw_id, _sep, stamp = str(user_id).partition(":")
    try:
        uid = int(raw_id)
    except ValueError:
        return None
    with uow() as work:
        s = work.session
        user = s.get(User, uid)
        if user is None or not user.active or _stamp(user) != stamp:
            return None
        region = s.get(Region, user.scope_id) if user.scope_id else None
        return SessionUser(user, actor_for(s, user), region.name if region else None)


def init_login(app: Flask) -> None:
    """Bind the user loader."""
    login_manager.user_loader(load_user)


def authenticate(username: str, password: str) -> tuple[Optional[SessionUser], Optional[str]]:
    """Check a login with throttling: after MAX_FAILURES failures the account locks for LOCK_MINUTES."""
    with uow(write_=True) as work:
        s = work.session
        user = s.scalars(select(User).where(User.username == username)).first()
        moment = now()
        if user is None or not user.active:
            check_password(_DUMMY_HASH, password)  # same cost as a real check
            return None, _("Wrong username or password.")
        locked = _aware(user.locked_until)
        if locked is not None and locked > moment:
            minutes = max(1, int((locked - moment).total_seconds() // 60) + 1)
            return None, _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes)
        if not check_password(user.password_hash, password):
            user.failed_logins = (user.failed_logins or 0) + 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = moment + dt.timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                return None, _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=LOCK_MINUTES)
            return None, _("Wrong username or password.")
        user.failed_logins, user.locked_until = 0, None
        s.flush()
        region = s.get(Region, user.scope_id) if user.scope_id else None
        return SessionUser(user, actor_for(s, user), region.name if region else None), None


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
    from flask import current_app
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
    """Sign out and forget the session."""
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
        with uow() as work:
            user = work.session.get(User, current_user.id)
            ok = user is not None and check_password(user.password_hash, form.current.data)
        if not ok:
            form.current.errors = [_("This is not your current password.")]
        else:
            try:
                with uow(write_=True) as work:
                    change_password(work, current_user.id, form.new.data)
            except DomainError as exc:
                problem = Problem(exc)
                problem.attach(form, {"password": "new"})
            else:
                fresh = load_user(f"{current_user.id}:{_fresh_stamp(current_user.id)}")
                if fresh is not None:
                    login_user(fresh, fresh=True)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("ui.worklist"))
    status = 400 if request.method == "POST" else 200
    return render_template("password.html", form=form, problem=problem), status


def _fresh_stamp(user_id: int) -> str:
    with uow() as work:
        user = work.session.get(User, user_id)
        return _stamp(user) if user else ""


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
            user = work.session.get(User, current_user.id)
            if user is not None:
                user.language = chosen
    response = make_response(redirect(target if is_safe_next(target) else url_for("ui.worklist")))
    response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="Lax", httponly=True,
                        secure=_secure_cookies())
    return response

"""The UI's blueprint "ui", its sign-in rule and error pages, and the navigation links other features add."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workflow.errors import DomainError, Forbidden, NotFound

#: extra navigation links: (endpoint, label, roles or None for everyone)
NAV_EXTRA: list[tuple[str, Any, Optional[tuple[str, ...]]]] = []

bp = Blueprint("ui", __name__)  # templates in web/templates, static files in web/static (the app's own)

PUBLIC_ENDPOINTS = {"ui.login", "ui.language"}


@bp.before_request
def _require_login() -> Any:
    """Every page except the login page needs a signed-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    from flask import redirect
    target = request.path + (f"?{request.query_string.decode('utf-8', 'replace')}" if request.query_string else "")
    return redirect(url_for("ui.login", next=target))


def protect(blueprint: Blueprint) -> None:
    """Give a feature's blueprint the same rules as the UI's own: sign-in first, calm 404 and 403 pages."""
    def require_login() -> Any:
        if current_user.is_authenticated:
            return None
        from flask import redirect
        target = request.path + (f"?{request.query_string.decode('utf-8', 'replace')}" if request.query_string else "")
        return redirect(url_for("ui.login", next=target))

    blueprint.before_request(require_login)
    blueprint.register_error_handler(NotFound, _not_found)
    blueprint.register_error_handler(Forbidden, _forbidden)


def _error_page(status: int, title: str, message: str) -> Any:
    return render_template("error.html", status=status, title=title, message=message), status


@bp.errorhandler(NotFound)
def _not_found(_exc: DomainError) -> Any:
    from flask_babel import gettext as _
    return _error_page(404, _("Not found"), _("This page does not exist, or it lies outside your area."))


@bp.errorhandler(Forbidden)
def _forbidden(_exc: DomainError) -> Any:
    from flask_babel import gettext as _
    return _error_page(403, _("Not allowed"), _("Your role may not do this."))


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> Any:
    from flask_babel import gettext as _
    return _error_page(400, _("The form has expired"),
                       _("For your safety the form could not be accepted. Go back, reload the page and try again."))


def server_error(_exc: Exception) -> Any:
    """A calm page for an unexpected failure (the API answers its own paths in JSON before this runs)."""
    try:
        from flask_babel import gettext as _
        return _error_page(500, _("Something went wrong"),
                           _("The request could not be handled. Nothing was changed; please try again later."))
    except Exception:  # noqa: BLE001 - the error page itself failed (e.g. the database is down)
        return "Internal Server Error / 服务器内部错误", 500, {"Content-Type": "text/plain; charset=utf-8"}


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Any:
    from flask_babel import gettext as _
    code = exc.code or 500
    if code == 404:
        return _not_found(NotFound())
    if code == 403:
        return _forbidden(Forbidden())
    if code == 413:
        return _error_page(413, _("Too large"), _("What you sent is too large."))
    return _error_page(code, _("Something went wrong"), _("The request could not be handled."))

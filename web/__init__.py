"""Flask entry point: the app factory binding extensions, the database and the blueprints."""
from __future__ import annotations

import os
from typing import Any, Optional

from apiflask import APIFlask
from flask import request

from workflow.config import secret_key
from workflow.db import Database

from .context import db, lang
from .extensions import babel, csrf, login_manager, select_locale

__all__ = ["create_app", "db", "lang"]


def create_app(config: Optional[dict[str, Any]] = None) -> APIFlask:
    """Create the web application (UI + JSON API) over one database."""
    app = APIFlask(__name__, title="Huanjie API", version="v1", spec_path="/api/v1/openapi.json",
                   docs_path=None, json_errors=False)  # /api/v1/docs: the vendored Swagger UI (web.api)
    app.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("HUANJIE_INSECURE_COOKIES", "") != "1"
        and os.environ.get("HUANJIE_SECURE_COOKIES", "") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=os.environ.get("HUANJIE_INSECURE_COOKIES", "") != "1"
        and os.environ.get("HUANJIE_SECURE_COOKIES", "") == "1",
        REMEMBER_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="zh",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(os.path.dirname(__file__), "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        DATABASE_URL=None,
        TOKEN_HOURS=12,
        SPEC_FORMAT="json",
        AUTO_404_RESPONSE=False,
    )
    if config:
        app.config.update(config)
    database: Database = app.config.get("DATABASE") or Database(app.config.get("DATABASE_URL"))
    app.extensions["huanjie_db"] = database
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import api, observe, ops, ui
    api.init_app(app)
    ui.init_app(app)
    app.register_blueprint(ops.bp)
    observe.install(app)

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static" and "no-store" not in response.headers.get("Cache-Control", ""):
            # pages and API answers carry personal data and tokens: no browser or proxy may keep a copy
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):  # behind HTTPS (HUANJIE_SECURE_COOKIES=1)
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    return app

"""The server-rendered web UI for street cadres and supervisors (blueprint "ui").

Other features add pages by registering their own blueprint, extending ``base.html`` and appending
to :data:`NAV_EXTRA` to get a link in the navigation bar::

    from flask_babel import lazy_gettext as _l
    from web.ui import NAV_EXTRA
    NAV_EXTRA.append(("reports.index", _l("Reports"), ("supervisor", "admin")))

Each entry is ``(endpoint, label, roles)``; ``roles`` is a tuple of role names, or ``None`` for every
signed-in user. Entries whose endpoint is not registered on the app are skipped.
"""
from __future__ import annotations

from flask import Flask

from .blueprint import NAV_EXTRA, PUBLIC_ENDPOINTS, bp, http_error, protect, server_error

__all__ = ["NAV_EXTRA", "PUBLIC_ENDPOINTS", "bp", "init_app", "protect"]


def init_app(app: Flask) -> None:
    """Register the blueprint, the user loader, template helpers and the translation catalogues."""
    # the page modules declare their routes on bp (ui) or on their own blueprint (data, notices); importing them
    # here, when the app is created, is the one place the UI's routes are registered
    from . import (admin, admin_campaigns, auth, complaints, data, data_report, diagram, elections,  # noqa: F401
                   evidence, i18n, notices, people, records, reviews, roll, street_facts, supervise,
                   worklist)
    i18n.ensure_catalogues(app)
    auth.init_login(app)
    i18n.init_jinja(app)
    app.register_blueprint(bp)
    data.init_app(app)  # reports, submissions, import/export
    notices.init_app(app)  # inbox, escalations, dossiers, bulletins
    roll.init_app(app)  # voter roll, objections, announcements
    reviews.init_app(app)  # the joint review's queue (domain.md §12)
    app.config.setdefault("UI_PER_PAGE", 25)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config.get("SESSION_COOKIE_SECURE")))
    # pages that match no route (the API answers its own paths in JSON before this runs)
    app.register_error_handler(404, lambda exc: http_error(exc))
    app.register_error_handler(405, lambda exc: http_error(exc))
    app.register_error_handler(500, server_error)
